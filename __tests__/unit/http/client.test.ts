/**
 * The HTTP layer itself, on loopback and this machine's own address, importing src/ directly
 * (no bundle): redirects and the key, https -> http, a proxy used and bypassed, bodies cut short,
 * an idle server, chunked bodies, and the debug lines.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { rmSync } from 'node:fs'
import * as os from 'node:os'
import { startConnectProxy } from '../../../sim/connect-proxy.mjs'
import { makeTestCertificate } from '../../../sim/test-cert.mjs'
import { ActionError, AnswerCutShortError, AnswerTooLongError, HttpError, NetworkError, RefusedUrlError } from '../../../src/errors.js'
import { PlatformHttp } from '../../../src/http/client.js'

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

  it('explains a certificate the client does not trust', async () => {
    const { http } = client(secure.origin, { ca: undefined })
    const error = await http.requestText('GET', secure.url('/down')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ActionError)
    expect((error as ActionError).message).toMatch(/^The TLS certificate of [\d.]+:\d+ could not be verified/)
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
