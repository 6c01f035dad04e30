// Real sockets on loopback: a node http server for well-formed answers, raw TCP for broken ones.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import * as net from 'node:net'
import { directGet, type BodySink } from '../../src/direct-http.js'
import { NetworkError } from '../../src/retry-helper.js'
import { makeTestCertificate } from '../../sim/test-cert.mjs'

const big = randomBytes(5 * 1024 * 1024 + 7)
const requests: { url?: string; headers: Record<string, unknown> }[] = []
let server: Server
let origin: string

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url, headers: req.headers })
    if (req.url === '/big') {
      res.writeHead(200, { 'content-length': big.length })
      // uneven pieces, so reads and pieces never line up
      for (let at = 0; at < big.length; at += 100_003) res.write(big.subarray(at, at + 100_003))
      res.end()
    } else if (req.url === '/chunked') {
      res.write('first,')
      setTimeout(() => res.end('second'), 20)
    } else if (req.url === '/small') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"msg":"no"}]}')
    } else if (req.url === '/silent') {
      res.writeHead(200, { 'content-length': 10 }).flushHeaders()
    } else {
      res.writeHead(200, { 'content-length': 3 }).end('abc')
    }
  })
  origin = await listen(server)
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise(resolve => server.close(resolve))
})

function listen(s: net.Server): Promise<string> {
  return new Promise(resolve =>
    s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as net.AddressInfo).port}`))
  )
}

/** A raw TCP server that answers every connection with `answer`. */
async function rawServer(answer: (socket: net.Socket) => void): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>()
  const s = net.createServer(socket => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.once('data', () => answer(socket))
  })
  const url = await listen(s)
  return {
    url,
    close: async () => {
      sockets.forEach(socket => socket.destroy())
      await new Promise(resolve => s.close(resolve))
    }
  }
}

const options = { headers: {}, idleTimeoutMs: 5000 }

async function bodyOf(url: string, sink?: BodySink) {
  const response = await directGet(new URL(url), options)
  const pieces: Buffer[] = []
  await response.readBody(sink ?? (chunk => pieces.push(Buffer.from(chunk))))
  return { response, body: Buffer.concat(pieces) }
}

describe('directGet', () => {
  it('streams a large body intact through its one reused buffer', async () => {
    const hash = createHash('sha256')
    let size = 0
    const buffers = new Set<ArrayBuffer>()
    const { response } = await bodyOf(`${origin}/big`, chunk => {
      hash.update(chunk)
      size += chunk.length
      buffers.add(chunk.buffer as ArrayBuffer)
    })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-length']).toBe(String(big.length))
    expect(size).toBe(big.length)
    expect(hash.digest('hex')).toBe(createHash('sha256').update(big).digest('hex'))
    // the head's leftover is copied once; everything after comes in the same buffer
    expect(buffers.size).toBeLessThanOrEqual(2)
  })

  it('decodes a chunked body that arrives in two goes', async () => {
    const { body } = await bodyOf(`${origin}/chunked`)
    expect(body.toString()).toBe('first,second')
  })

  it('keeps a body that came with the head until it is asked for', async () => {
    const response = await directGet(new URL(`${origin}/small`), options)
    await new Promise(resolve => setTimeout(resolve, 50))
    const pieces: Buffer[] = []
    await response.readBody(chunk => pieces.push(Buffer.from(chunk)))
    expect(response.statusCode).toBe(404)
    expect(Buffer.concat(pieces).toString()).toBe('{"errors":[{"msg":"no"}]}')
  })

  it('sends the request line, Host, Connection: close and the given headers', async () => {
    const before = requests.length
    const response = await directGet(new URL(`${origin}/plain?a=1&b=%2F`), { ...options, headers: { 'x-api-key': 'k1', accept: '*/*' } })
    await response.readBody(() => {})
    expect(requests[before]).toEqual({
      url: '/plain?a=1&b=%2F',
      headers: { host: new URL(origin).host, connection: 'close', 'x-api-key': 'k1', accept: '*/*' }
    })
  })

  it('refuses a header value with a line break before connecting', async () => {
    await expect(directGet(new URL(origin), { ...options, headers: { 'x-api-key': 'k\r\nx: y' } })).rejects.toThrow(
      'the header x-api-key holds a line break'
    )
  })

  it('says how much of the body came when the connection ends early', async () => {
    const raw = await rawServer(socket => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789'))
    await expect(bodyOf(raw.url)).rejects.toThrow(new NetworkError('the download ended after 10 of 100 bytes'))
    await raw.close()
  })

  it('passes on a reset with its code', async () => {
    const raw = await rawServer(socket => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123')
      setTimeout(() => socket.resetAndDestroy(), 20)
    })
    await expect(bodyOf(raw.url)).rejects.toMatchObject({ code: 'ECONNRESET' })
    await raw.close()
  })

  it('refuses a malformed answer', async () => {
    const raw = await rawServer(socket => socket.end('SSH-2.0-OpenSSH_9.2\r\n\r\n'))
    await expect(directGet(new URL(raw.url), options)).rejects.toThrow('the server sent a malformed response (no HTTP/1.1 status line)')
    await raw.close()
  })

  it('gives up on a connection that goes silent', async () => {
    const response = await directGet(new URL(`${origin}/silent`), { ...options, idleTimeoutMs: 200 })
    const started = Date.now()
    await expect(response.readBody(() => {})).rejects.toThrow(new NetworkError('the connection timed out'))
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('stops at once when cancelled, with the signal’s reason', async () => {
    const controller = new AbortController()
    const response = await directGet(new URL(`${origin}/silent`), { ...options, signal: controller.signal })
    const reading = response.readBody(() => {})
    controller.abort(new Error('cancelled by SIGTERM'))
    await expect(reading).rejects.toThrow('cancelled by SIGTERM')
  })

  it('stops reading when the sink fails, and passes its error on', async () => {
    const diskFull = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })
    const response = await directGet(new URL(`${origin}/big`), options)
    let calls = 0
    await expect(
      response.readBody(() => {
        if (++calls === 3) throw diskFull
      })
    ).rejects.toBe(diskFull)
    expect(calls).toBe(3)
  })

  it('passes on a refused connection with its code', async () => {
    const raw = await rawServer(() => {})
    const url = raw.url
    await raw.close()
    await expect(directGet(new URL(url), options)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })

  it('speaks TLS, and refuses a certificate it cannot verify', async () => {
    const certificate = makeTestCertificate()
    const tlsServer = createTlsServer({ key: certificate.key, cert: certificate.cert }, (_req, res) => {
      res.writeHead(200, { 'content-length': 6 }).end('secret')
    })
    const port = (await listen(tlsServer)).split(':').pop()
    // This process was not started with NODE_EXTRA_CA_CERTS: the test CA is unknown to it, as it
    // would be to a runner. The end-to-end tests cover a trusted certificate.
    await expect(directGet(new URL(`https://localhost:${port}/`), options)).rejects.toMatchObject({
      code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY/)
    })
    tlsServer.closeAllConnections()
    await new Promise(resolve => tlsServer.close(resolve))
  })
})
