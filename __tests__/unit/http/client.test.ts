/**
 * The HTTP layer itself, on loopback and this machine's own address, importing src/ directly
 * (no bundle): redirects and the key, https -> http, a proxy used and bypassed, bodies cut short,
 * an idle server, chunked bodies, and the debug lines.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net'
import { rmSync } from 'node:fs'
import * as os from 'node:os'
import { startConnectProxy } from '../../../sim/connect-proxy.mjs'
import { startRawServer, type RawAnswer } from '../../../sim/raw-http.mjs'
import { makeTestCertificate } from '../../../sim/test-cert.mjs'
import {
  AnswerCutShortError,
  AnswerTooLongError,
  HttpError,
  HttpProtocolError,
  NetworkError,
  RefusedUrlError,
  UntrustedCertificateError
} from '../../../src/errors.js'
import { PlatformHttp } from '../../../src/http/client.js'
import { continueHead } from '../../../src/http/interim.js'

const KEY = 'kg-unit-key'
const address = Object.values(os.networkInterfaces())
  .flat()
  .find(a => a && a.family === 'IPv4' && !a.internal)?.address
const certificate = makeTestCertificate(address ? [address] : [])
afterAll(() => rmSync(certificate.dir, { recursive: true, force: true }))

type Handler = (req: IncomingMessage, res: ServerResponse) => void
interface Seen {
  path: string
  key?: string
  encoding?: string
}
/** A server on `host` that records each request and answers by path. */
async function serve(routes: Record<string, Handler>, options: { tls?: boolean; host?: string } = {}) {
  const seen: Seen[] = []
  const handler: Handler = (req, res) => {
    seen.push({
      path: req.url ?? '',
      key: req.headers['x-api-key'] as string | undefined,
      encoding: req.headers['accept-encoding']
    })
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname]
    if (route) route(req, res)
    else res.writeHead(404).end()
  }
  const server: Server = options.tls ? createTlsServer({ key: certificate.key, cert: certificate.cert }, handler) : createServer(handler)
  const host = options.host ?? '127.0.0.1'
  await new Promise(resolve => server.listen(0, host, () => resolve(undefined)))
  const origin = `${options.tls ? 'https' : 'http'}://${host}:${(server.address() as AddressInfo).port}`
  return {
    origin,
    seen,
    url: (path: string) => new URL(path, origin),
    close: () => {
      server.closeAllConnections()
      return new Promise(resolve => server.close(resolve))
    }
  }
}

const clients: PlatformHttp[] = []
function client(platform: string, extra: Partial<ConstructorParameters<typeof PlatformHttp>[0]> = {}) {
  const debug: string[] = []
  const http = new PlatformHttp({
    platform: new URL(platform),
    key: { header: 'x-api-key', value: KEY },
    userAgent: 'koreai-tool-export/1 (test)',
    env: {},
    ca: certificate.ca,
    debug: line => debug.push(line),
    ...extra
  })
  clients.push(http)
  return { http, debug }
}
afterAll(() => clients.forEach(c => c.dispose()))

describe('redirects', () => {
  let storage: Awaited<ReturnType<typeof serve>>
  let platform: Awaited<ReturnType<typeof serve>>
  beforeAll(async () => {
    storage = await serve(
      { '/bucket/f.zip': (_req, res) => res.writeHead(200, { 'content-length': 5 }).end('bytes') },
      { host: 'localhost' }
    )
    platform = await serve({
      '/file': (_req, res) => res.writeHead(302, { location: `${storage.origin}/bucket/f.zip?sig=s3cret` }).end(),
      '/loop': (_req, res) => res.writeHead(302, { location: '/loop' }).end()
    })
  })
  afterAll(() => Promise.all([storage.close(), platform.close()]))

  it('follows a redirect to a second origin, sending the key only to the platform', async () => {
    const { http, debug } = client(platform.origin)
    const response = await http.openDownload(platform.url('/file'))
    let body = ''
    for await (const chunk of response.body) body += chunk
    expect(body).toBe('bytes')
    expect(platform.seen.at(-1)).toMatchObject({ path: '/file', key: KEY })
    expect(storage.seen.at(-1)).toMatchObject({ path: '/bucket/f.zip?sig=s3cret', key: undefined })
    expect(debug).toContain(`redirect 302: ${platform.origin} -> ${storage.origin} (no key sent there)`)
    expect(debug).toContainEqual(expect.stringMatching(new RegExp(`^GET ${storage.origin}/bucket/f\\.zip\\?\\*\\*\\* -> 200 in \\d+ ms$`)))
    expect(debug.join('\n')).not.toContain('s3cret')
  })

  it('stops after five redirects', async () => {
    const { http } = client(platform.origin)
    await expect(http.openDownload(platform.url('/loop'))).rejects.toEqual(new NetworkError('more than 5 redirects'))
  })
})

describe('https', () => {
  let secure: Awaited<ReturnType<typeof serve>>
  beforeAll(async () => {
    if (!address) throw new Error('needs an IPv4 address other than loopback')
    secure = await serve(
      {
        '/down': (_req, res) => res.writeHead(302, { location: `http://${address}:9/file.zip` }).end(),
        '/local': (_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:9/file.zip' }).end(),
        '/ftp': (_req, res) => res.writeHead(302, { location: 'ftp://127.0.0.1/file.zip' }).end()
      },
      { tls: true, host: address }
    )
  })
  afterAll(() => secure.close())

  it('refuses a redirect from https to plain http on another host, before any request there', async () => {
    const { http } = client(secure.origin)
    await expect(http.openDownload(secure.url('/down'))).rejects.toEqual(
      new RefusedUrlError('a redirect from https to plain http was refused')
    )
  })

  it('allows one to loopback (the key stays on the machine) and tries it', async () => {
    const { http } = client(secure.origin)
    await expect(http.openDownload(secure.url('/local'))).rejects.toEqual(new NetworkError('connection error ECONNREFUSED'))
  })

  it('refuses other schemes, and a plain-http URL to another host when the platform is on https', async () => {
    const { http } = client(secure.origin)
    await expect(http.openDownload(secure.url('/ftp'))).rejects.toBeInstanceOf(RefusedUrlError)
    await expect(http.openDownload(new URL('data:text/plain,hi'))).rejects.toEqual(
      new RefusedUrlError('the URL uses the scheme data, and only http and https are fetched')
    )
    await expect(http.openDownload(new URL(`http://${address}:9/x`))).rejects.toBeInstanceOf(RefusedUrlError)
  })

  it('names a certificate the client does not trust, and its host, without advice of its own', async () => {
    const { http } = client(secure.origin, { ca: undefined })
    const error = await http.requestText('GET', secure.url('/down')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UntrustedCertificateError)
    expect(error).toMatchObject({ host: secure.url('/').host, code: expect.stringMatching(/^[A-Z_]+$/) })
  })
})

describe('a proxy', () => {
  let target: Awaited<ReturnType<typeof serve>>
  let proxy: Awaited<ReturnType<typeof startConnectProxy>>
  beforeAll(async () => {
    target = await serve(
      { '/api': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}') },
      { tls: true, host: address }
    )
    proxy = await startConnectProxy()
  })
  afterAll(() => Promise.all([target.close(), proxy.close()]))

  it('carries https through a CONNECT tunnel, and says so at debug level', async () => {
    const { http, debug } = client(target.origin, { env: { HTTPS_PROXY: proxy.url } })
    expect(await http.requestText('GET', target.url('/api'))).toBe('{"ok":true}')
    expect(proxy.tunnels.map(t => t.target)).toEqual([new URL(target.origin).host])
    expect(debug).toContainEqual(
      expect.stringMatching(new RegExp(`^GET ${target.origin}/api -> 200 in \\d+ ms via proxy ${new URL(proxy.url).host}$`))
    )
  })

  it('forwards plain http (no tunnel), with the idle timeout still applied', async () => {
    const plain = await serve({ '/ok': (_req, res) => res.writeHead(200).end('{}'), '/idle': () => {} }, { host: address })
    try {
      const { http, debug } = client('http://127.0.0.1:1', { env: { HTTP_PROXY: proxy.url }, idleTimeoutMs: 300 })
      expect(await http.requestText('GET', plain.url('/ok'))).toBe('{}')
      expect(proxy.forwarded).toContainEqual({ method: 'GET', target: plain.origin })
      expect(debug).toContainEqual(expect.stringMatching(/ via proxy 127\.0\.0\.1:\d+$/))
      const started = Date.now()
      await expect(http.requestText('GET', plain.url('/idle'))).rejects.toEqual(new NetworkError('the connection timed out'))
      expect(Date.now() - started).toBeLessThan(3000)
    } finally {
      await plain.close()
    }
  })

  it('is bypassed for a host in NO_PROXY, and for loopback', async () => {
    const before = proxy.tunnels.length
    const { http, debug } = client(target.origin, { env: { HTTPS_PROXY: proxy.url, NO_PROXY: `example.com,${address}` } })
    expect(await http.requestText('GET', target.url('/api'))).toBe('{"ok":true}')
    expect(proxy.tunnels).toHaveLength(before)
    expect(debug.join('\n')).not.toContain('via proxy')
  })
})

describe('bodies', () => {
  let server: Awaited<ReturnType<typeof serve>>
  beforeAll(async () => {
    server = await serve({
      '/cut': (_req, res) => {
        res.writeHead(200, { 'content-length': 100 })
        res.write('{"status":')
        setTimeout(() => res.socket?.destroy(), 20)
      },
      '/chunked': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.write('{"status":')
        setTimeout(() => res.end('"SUCCESS"}'), 30)
      },
      '/idle': () => {},
      '/idle-body': (_req, res) => res.writeHead(200, { 'content-length': 10 }).write('12345'),
      '/long': (_req, res) => res.writeHead(200).end('x'.repeat(2048)),
      '/busy': (_req, res) =>
        res.writeHead(503, { 'retry-after': '7', 'content-type': 'application/json' }).end('{"errors":[{"msg":"Busy"}]}'),
      '/gzip': (_req, res) => res.writeHead(200, { 'content-encoding': 'gzip' }).end('not decoded here')
    })
  })
  afterAll(() => server.close())

  it('reads a chunked body whole', async () => {
    const { http } = client(server.origin)
    expect(await http.requestText('GET', server.url('/chunked'))).toBe('{"status":"SUCCESS"}')
  })

  it('reports a body cut short, with the status that came before it', async () => {
    const { http } = client(server.origin)
    const error = await http.requestText('POST', server.url('/cut')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AnswerCutShortError)
    expect(error).toMatchObject({ status: 200 })
    expect((error as Error).message).toMatch(/^the answer \(HTTP 200\) was cut short after 10 bytes/)
  })

  it('refuses an answer longer than the limit', async () => {
    const { http } = client(server.origin)
    await expect(http.requestText('GET', server.url('/long'), 1024)).rejects.toBeInstanceOf(AnswerTooLongError)
  })

  it('times out an idle server, before the head and in the body', async () => {
    const { http } = client(server.origin, { idleTimeoutMs: 300 })
    const started = Date.now()
    await expect(http.requestText('GET', server.url('/idle'))).rejects.toEqual(new NetworkError('the connection timed out'))
    expect(Date.now() - started).toBeLessThan(3000)
    await expect(http.requestText('GET', server.url('/idle-body'))).rejects.toBeInstanceOf(AnswerCutShortError)
  })

  it('turns a 5xx into an HttpError with the message its reader finds in the body, and Retry-After', async () => {
    const bodies: string[] = []
    const { http } = client(server.origin, { errorMessage: body => (bodies.push(body), 'Busy') })
    await expect(http.requestText('GET', server.url('/busy'))).rejects.toEqual(new HttpError(503, 'Busy', 7000, '7'))
    expect(bodies).toHaveLength(1)
    // Without a reader, no part of the body reaches the error.
    await expect(client(server.origin).http.requestText('GET', server.url('/busy'))).rejects.toEqual(
      new HttpError(503, undefined, 7000, '7')
    )
  })

  it('asks for any content coding on a download, and hands the body over as sent', async () => {
    const { http } = client(server.origin)
    const response = await http.openDownload(server.url('/gzip'))
    expect(response.headers['content-encoding']).toBe('gzip')
    response.destroy()
    expect(server.seen.at(-1)?.encoding).toBe('gzip, deflate, br')
  })

  it('stops at once when the signal aborts', async () => {
    const { http } = client(server.origin)
    const controller = new AbortController()
    const pending = http.openDownload(server.url('/idle'), controller.signal)
    setTimeout(() => controller.abort(new Error('stop')), 50)
    await expect(pending).rejects.toThrow('stop')
  })
})

describe('answers that break HTTP', () => {
  /** A server that answers every request with `bytes`, written as they are, then closes. */
  async function rawAnswer(bytes: string | ((socket: Socket) => void)) {
    const server = createTcpServer(socket => {
      socket.on('error', () => {})
      socket.once('data', () => (typeof bytes === 'string' ? socket.end(bytes) : bytes(socket)))
    })
    await new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(undefined)))
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return { url: new URL('/x', origin), close: () => new Promise(resolve => server.close(resolve)) }
  }

  it.each([
    ['60 KB of headers', `HTTP/1.1 200 OK\r\nx-big: ${'b'.repeat(60_000)}\r\ncontent-length: 2\r\n\r\n{}`, 'its headers exceed 16 KiB'],
    ['17 KiB of headers, just over the limit', `HTTP/1.1 200 OK\r\nx-big: ${'b'.repeat(17 * 1024)}\r\n\r\n{}`, 'its headers exceed 16 KiB'],
    [
      'two Content-Length headers',
      'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 2\r\n\r\n{}',
      'its Content-Length is given twice, or beside Transfer-Encoding'
    ],
    [
      'a Content-Length beside Transfer-Encoding: chunked',
      'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
      'its Content-Length is given twice, or beside Transfer-Encoding'
    ],
    ['no status line at all', '<html>hello</html>\r\n', 'it does not start with an HTTP status line'],
    ['a status line of another protocol', 'SSH-2.0-OpenSSH_9.6\r\n', 'it does not start with an HTTP status line'],
    ['a status code of four digits', 'HTTP/1.1 2000 OK\r\ncontent-length: 2\r\n\r\n{}', 'it breaks HTTP/1.1 (Invalid response status)'],
    ['a header name with a space', 'HTTP/1.1 200 OK\r\nx y: z\r\n\r\n{}', 'it breaks HTTP/1.1 (Invalid header token)'],
    [
      'a chunk size that is not hex',
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      'it breaks HTTP/1.1 (Invalid character in chunk size)'
    ]
  ])('names %s', async (_what, bytes, reason) => {
    const server = await rawAnswer(bytes)
    try {
      const { http } = client(server.url.origin)
      await expect(http.requestText('GET', server.url)).rejects.toEqual(new HttpProtocolError(reason))
    } finally {
      await server.close()
    }
  })

  it('tells a body shorter than its Content-Length from a Content-Length given twice', async () => {
    const server = await rawAnswer('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n{}')
    try {
      const { http } = client(server.url.origin)
      const error = await http.requestText('GET', server.url).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(AnswerCutShortError)
    } finally {
      await server.close()
    }
  })
})

describe('interim answers', () => {
  it.each([
    ['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK', 25],
    ['HTTP/1.0 100\r\n\r\n', 16],
    ['HTTP/1.1 100 Continue\r\nx-a: 1\r\n\r\n', 33],
    ['HTTP/1.1 100 Contin', 'too short'],
    ['HTTP/1.1 1', 'too short'],
    ['H', 'too short'],
    ['HTTP/1.1 200 OK\r\n\r\n', undefined],
    ['HTTP/1.1 103 Early Hints\r\n\r\n', undefined],
    ['HTTP/1.1 1000 x', undefined],
    ['PK\u0003\u0004', undefined]
  ])('tells where a 100 head ends in %j', (text, expected) => {
    expect(continueHead(Buffer.from(text, 'latin1'))).toBe(expected)
  })

  it('reads through 100 Continue heads before each answer on a connection kept alive, whole or in pieces', async () => {
    const raw = await startRawServer()
    try {
      const ok = (body: string) => `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`
      const pieces =
        (...parts: string[]): RawAnswer =>
        socket => {
          const next = (i: number): void => {
            if (i === parts.length || socket.destroyed) return
            socket.write(parts[i])
            setTimeout(() => next(i + 1), 20)
          }
          next(0)
        }
      raw.answers.push(
        pieces('HTTP/1.1 100 Continue\r\n\r\n', ok('{"n":1}')),
        pieces('HTTP/1.1 1', '00 Continue\r\n', '\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\n', ok('{"n":2}')),
        pieces(`HTTP/1.1 100 Continue\r\n\r\n${ok('{"n":3}')}`)
      )
      const { http } = client(raw.url)
      const url = new URL('/x', raw.url)
      // undici reuses a connection an event loop turn after its answer ended: wait that long.
      const turn = () => new Promise(resolve => setTimeout(resolve, 10))
      expect(await http.requestText('GET', url)).toBe('{"n":1}')
      await turn()
      expect(await http.requestText('GET', url)).toBe('{"n":2}')
      await turn()
      expect(await http.requestText('GET', url)).toBe('{"n":3}')
      // One connection: each answer's start was told from the request before it.
      expect(new Set(raw.requests.map(r => r.connection)).size).toBe(1)
    } finally {
      await raw.close()
    }
  })

  it('passes a body that starts like a 100 head untouched: only the start of an answer is read', async () => {
    const body = 'HTTP/1.1 100 Continue\r\n\r\n{}'
    const raw = await startRawServer()
    try {
      raw.answers.push(socket => {
        socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n`)
        setTimeout(() => socket.end(body), 30)
      })
      const { http } = client(raw.url)
      expect(await http.requestText('GET', new URL('/x', raw.url))).toBe(body)
    } finally {
      await raw.close()
    }
  })

  describe('from Node servers, over https, direct and through a proxy', () => {
    const interimThenJson = (_req: IncomingMessage, res: ServerResponse) => {
      res.writeContinue()
      res.writeEarlyHints({ link: '</a.css>; rel=preload' })
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    }
    let secure: Awaited<ReturnType<typeof serve>>
    let plain: Awaited<ReturnType<typeof serve>>
    let proxy: Awaited<ReturnType<typeof startConnectProxy>>
    beforeAll(async () => {
      secure = await serve({ '/api': interimThenJson }, { tls: true, host: address })
      plain = await serve({ '/api': interimThenJson }, { host: address })
      proxy = await startConnectProxy()
    })
    afterAll(() => Promise.all([secure.close(), plain.close(), proxy.close()]))

    it('direct, twice', async () => {
      const { http } = client(secure.origin)
      expect(await http.requestText('GET', secure.url('/api'))).toBe('{"ok":true}')
      expect(await http.requestText('GET', secure.url('/api'))).toBe('{"ok":true}')
    })

    it('through a CONNECT tunnel', async () => {
      const before = proxy.tunnels.length
      const { http } = client(secure.origin, { env: { HTTPS_PROXY: proxy.url } })
      expect(await http.requestText('GET', secure.url('/api'))).toBe('{"ok":true}')
      expect(proxy.tunnels.length).toBe(before + 1)
    })

    it('forwarded as plain http', async () => {
      const { http } = client('http://127.0.0.1:1', { env: { HTTP_PROXY: proxy.url } })
      expect(await http.requestText('GET', plain.url('/api'))).toBe('{"ok":true}')
      expect(proxy.forwarded).toContainEqual({ method: 'GET', target: plain.origin })
    })
  })
})
