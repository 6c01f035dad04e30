/**
 * Answers that break HTTP itself, and answers HTTP allows that few servers send, end to end
 * against the bundle. A server that writes its answers by hand (sim/raw-http.mjs) serves the
 * download; for the platform's own calls, a front that forwards to the simulator answers some
 * of them by hand. A broken answer is named as the server's doing, never as the runner's network,
 * and asked for once more; interim answers (100 Continue, 103 Early Hints) are read through.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import * as path from 'node:path'
import { gzipSync } from 'node:zlib'
import { startRawServer, type RawAnswer } from '../../sim/raw-http.mjs'
import { makeToolExport } from '../../sim/zip.mjs'
import { commandLines, NODE, singleError, startWorld, type World } from './world.js'

const exported = makeToolExport('Wire Tool', 4)
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')
const warnings = (stdout: string) => commandLines(stdout, 'warning')

/** One answer written as it is: the head's lines, the blank line, the body; then the connection closes. */
const answer =
  (head: string, body: Buffer | string = ''): RawAnswer =>
  socket =>
    socket.end(Buffer.concat([Buffer.from(`${head}\r\n\r\n`, 'latin1'), Buffer.from(body)]))
const ZIP_HEAD = `HTTP/1.1 200 OK\r\ncontent-type: application/zip\r\ncontent-length: ${exported.length}`
const manyHeaders = (count: number, size: number): string =>
  Array.from({ length: count }, (_, i) => `x-header-${i}: ${'h'.repeat(size)}`).join('\r\n')
/** A status line, then header lines every few milliseconds, until the client hangs up. */
const endlessHeaders: RawAnswer = socket => {
  socket.write('HTTP/1.1 200 OK\r\n')
  const timer = setInterval(() => socket.write(`x-more: ${'m'.repeat(1000)}\r\n`), 5)
  socket.on('close', () => clearInterval(timer))
}
/** `pieces` written 30 ms apart (so each may arrive on its own), then the export. */
const piecesThenExport =
  (pieces: string[]): RawAnswer =>
  socket => {
    const next = (i: number): void => {
      if (socket.destroyed) return
      if (i === pieces.length) return void answer(ZIP_HEAD, exported)(socket, undefined as never)
      socket.write(pieces[i])
      setTimeout(() => next(i + 1), 30)
    }
    next(0)
  }

// What each broken answer is, as the error names it.
const BROKEN: [string, () => RawAnswer, string][] = [
  [
    'a header block of 60 KB',
    () => answer(`HTTP/1.1 200 OK\r\nset-cookie: session=${'c'.repeat(60_000)}\r\ncontent-length: 2`, 'ok'),
    'its headers exceed 16 KiB'
  ],
  [
    'a header block of 100 KB',
    () => answer(`HTTP/1.1 200 OK\r\n${manyHeaders(2000, 40)}\r\ncontent-length: 2`, 'ok'),
    'its headers exceed 16 KiB'
  ],
  ['a header block that never ends', () => endlessHeaders, 'its headers exceed 16 KiB'],
  [
    'two Content-Length headers that agree',
    () => answer(`${ZIP_HEAD}\r\ncontent-length: ${exported.length}`, exported),
    'its Content-Length is given twice, or beside Transfer-Encoding'
  ],
  [
    'two Content-Length headers that conflict',
    () => answer(`${ZIP_HEAD}\r\ncontent-length: 10`, exported),
    'its Content-Length is given twice, or beside Transfer-Encoding'
  ],
  ['a status line that is not HTTP', () => answer('SSH-2.0-OpenSSH_9.6'), 'it does not start with an HTTP status line'],
  [
    'a chunked body with a chunk size that is not hex',
    () => answer('HTTP/1.1 200 OK\r\ncontent-type: application/zip\r\ntransfer-encoding: chunked', 'zz\r\nPK\r\n0\r\n\r\n'),
    'it breaks HTTP/1.1 (Invalid character in chunk size)'
  ]
]

/**
 * A front for the platform: it forwards every request to the simulator, except that it answers
 * the next start or status request with `export` / `status`'s first entry, if any. An entry
 * writes on the socket itself, or on the response (for interim answers before the forwarded one).
 */
async function startFront(target: string) {
  type Entry = { raw: RawAnswer } | { before: (res: ServerResponse) => void }
  const queues: Record<'export' | 'status', Entry[]> = { export: [], status: [] }
  /** The client's port of each request: which connection it came on. */
  const ports: number[] = []
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const route = req.url?.startsWith('/api/public/dock-status/') ? 'status' : req.url?.includes('/export') ? 'export' : undefined
    ports.push(req.socket.remotePort!)
    const entry = route ? queues[route].shift() : undefined
    if (entry && 'raw' in entry) {
      req.resume()
      return entry.raw(req.socket, undefined as never)
    }
    if (entry) entry.before(res)
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, answer => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    req.pipe(upstream)
  })
  await new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  const sockets = new Set<Socket>()
  server.on('connection', socket => (sockets.add(socket), socket.on('close', () => sockets.delete(socket))))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queues,
    ports,
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise(resolve => server.close(resolve))
    }
  }
}

let world: World
let raw: Awaited<ReturnType<typeof startRawServer>>
let front: Awaited<ReturnType<typeof startFront>>
beforeAll(async () => {
  raw = await startRawServer()
  const downloadUrl = `${raw.url}/bucket/wire.zip?sig=s3cret`
  world = await startWorld({
    tools: {
      'a-raw': { flowId: 'cf-1', name: 'Wire Tool', durationMs: 200, file: exported, downloadUrl },
      'a-slow': { flowId: 'cf-1', name: 'Wire Tool', durationMs: 2500, file: exported, downloadUrl }
    }
  })
  front = await startFront(world.sim.url)
})
afterAll(async () => {
  await Promise.all([world.close(), raw.close(), front.close()])
})
beforeEach(() => {
  world.reset()
  raw.answers.length = 0
  raw.requests.length = 0
  front.queues.export.length = 0
  front.queues.status.length = 0
  front.ports.length = 0
})
const run = (inputs: Record<string, string> = {}) =>
  world.run(NODE, { toolId: 'a-raw', flowId: 'cf-1', uploadArtifact: 'false', path: 'exports', ...inputs })

describe('a download sent with Transfer-Encoding: gzip', () => {
  it('is named for what it is: a gzip stream not declared as a content encoding', async () => {
    raw.answers.push(answer('HTTP/1.1 200 OK\r\ncontent-type: application/zip\r\ntransfer-encoding: gzip', gzipSync(exported)))
    const result = await run()
    const error = singleError(result)
    expect(error).toMatch(
      /^::error::The download is not a tool export: it is a gzip stream the server compressed without declaring it as a content encoding \(Content-Type application\/zip, Transfer-Encoding gzip, \d+ bytes\)\./
    )
    expect(error).not.toContain('neither a zip')
    expect(readdirSync(path.join(result.workspace, 'exports')).filter(name => !name.endsWith('.rejected'))).toEqual([])
    expect(result.outputs.filePath).toBeUndefined()
  })
})

describe('a download whose answer breaks HTTP', () => {
  it.each(BROKEN)("is named the server's doing (%s), asked once more, and nothing is kept", async (_what, make, reason) => {
    raw.answers.push(make(), make())
    const result = await run()
    const error = singleError(result)
    expect(error).toBe(
      `::error::Downloading the export failed 2 times; the last error: the server's answer was malformed: ${reason} (${raw.host}). ` +
        'It is the download host that answers so (or a proxy in front of it), not the network between: run the workflow again later; if it persists, report it to Kore.ai support with this log.'
    )
    const retried = warnings(result.stdout)
    expect(retried).toEqual([
      expect.stringMatching(
        /^::warning::The download failed \(the server's answer was malformed: .+\); retrying in [\d.]+ s \(attempt 2 of 2\)$/
      )
    ])
    expect(retried[0]).toContain(reason)
    expect(raw.requests).toHaveLength(2)
    const exports = path.join(result.workspace, 'exports')
    expect(existsSync(exports) ? readdirSync(exports) : []).toEqual([])
    expect(result.outputs.filePath).toBeUndefined()
  })
})

describe('interim answers before the 200 are read through', () => {
  it.each([
    ['100 Continue', ['HTTP/1.1 100 Continue\r\n\r\n']],
    ['103 Early Hints', ['HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n']],
    [
      'two 100 Continue, the first split in two, then a 103',
      ['HTTP/1.1 10', '0 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 103 Early Hints\r\n\r\n']
    ]
  ])('%s', async (_what, pieces) => {
    raw.answers.push(piecesThenExport(pieces))
    const result = await run()
    expect(result.code).toBe(0)
    expect(warnings(result.stdout)).toEqual([])
    expect(readFileSync(result.outputs.filePath).equals(exported)).toBe(true)
    expect(result.outputs.sha256).toBe(sha256(exported))
    expect(raw.requests).toHaveLength(1)
  })
})

describe("the platform's own calls", () => {
  const viaFront = (inputs: Record<string, string> = {}) => run({ host: front.url, ...inputs })
  const bigHeaders = (): RawAnswer =>
    answer(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-trace: ${'t'.repeat(60_000)}\r\ncontent-length: 2`, '{}')

  it("end the wait after two status answers that break HTTP, naming the server's doing", async () => {
    front.queues.status.push({ raw: bigHeaders() }, { raw: bigHeaders() })
    const result = await viaFront({ toolId: 'a-slow' })
    const error = singleError(result)
    expect(error).toMatch(
      /^::error::Checking the export status failed 2 times in a row; the last error: the server's answer was malformed: its headers exceed 16 KiB\. The job \(dock status id [^)]+\) may still be running on the platform\. /
    )
    expect(error).toContain('It is the server that answers so (or a proxy in front of it), not the network between')
    expect(error).not.toContain('proxy settings')
    expect(warnings(result.stdout)).toHaveLength(1)
    expect(raw.requests).toEqual([])
  })

  it('ride out one status answer that breaks HTTP', async () => {
    front.queues.status.push({ raw: bigHeaders() })
    raw.answers.push(answer(ZIP_HEAD, exported))
    const result = await viaFront({ toolId: 'a-slow' })
    expect(result.code).toBe(0)
    expect(warnings(result.stdout)).toEqual([
      expect.stringMatching(
        /^::warning::Status check 1 failed \(the server's answer was malformed: its headers exceed 16 KiB\); checking again in/
      )
    ])
    expect(readFileSync(result.outputs.filePath).equals(exported)).toBe(true)
  })

  it('never send a start again whose answer broke HTTP, and say it was the server', async () => {
    const body = JSON.stringify({ _id: 'ds-x', status: 'IN_PROGRESS' })
    front.queues.export.push({
      raw: answer(
        `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\ncontent-length: ${body.length}`,
        body
      )
    })
    const result = await viaFront()
    const error = singleError(result)
    expect(error).toContain(
      "Starting the export failed after the request was sent (the server's answer was malformed: its Content-Length is given twice, or beside Transfer-Encoding"
    )
    expect(error).not.toContain('proxy settings')
    expect(world.sim.requests.filter(r => r.method === 'POST')).toHaveLength(0)
  })

  it('read through a 100 Continue and a 103 before each status answer, on a connection kept alive', async () => {
    const interim = { before: (res: ServerResponse) => (res.writeContinue(), res.writeEarlyHints({ link: '</a.css>; rel=preload' })) }
    front.queues.export.push(interim)
    front.queues.status.push(interim, interim, interim)
    raw.answers.push(answer(ZIP_HEAD, exported))
    const result = await viaFront({ toolId: 'a-slow' })
    expect(result.code).toBe(0)
    expect(warnings(result.stdout)).toEqual([])
    expect(readFileSync(result.outputs.filePath).equals(exported)).toBe(true)
    // Requests did share a connection, so an answer's start was told within one.
    expect(new Set(front.ports).size).toBeLessThan(front.ports.length)
  })
})
