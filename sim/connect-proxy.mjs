// @ts-check
/**
 * A forward proxy as corporate proxies are: it opens CONNECT tunnels (for https), forwards plain
 * http requests sent in absolute form (for http), and may ask for credentials (407). It records
 * each tunnel and each forwarded request: the tests point HTTPS_PROXY / HTTP_PROXY at it and
 * check which connections went through it.
 */
import { createServer, connect } from 'node:net'

/** @typedef {{ target: string, fromPort: number }} Tunnel  fromPort: the port the tunnel's far end is reached from */
/** @typedef {{ method: string, target: string }} Forwarded  target: the absolute URL's origin (never its path) */
/** asked: every target asked for (host:port of a CONNECT, origin of a forwarded request), reachable or not */
/**
 * @param {{ auth?: string, routes?: Record<string, string> }} [options]  auth: "user:password" the proxy asks for (Basic);
 *   others get a 407. routes: "host:port" -> "address:port" where the proxy's own resolver sends a
 *   tunnel (a platform's public name, served here on loopback); a target not in it is reached as named
 * @returns {Promise<{ url: string, tunnels: Tunnel[], forwarded: Forwarded[], asked: string[], refused: number, close(): Promise<void> }>}
 */
export async function startConnectProxy(options = {}) {
  /** @type {Tunnel[]} */
  const tunnels = []
  /** @type {Forwarded[]} */
  const forwarded = []
  /** @type {string[]} */
  const asked = []
  const state = { refused: 0 }
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set()
  const expected = options.auth ? `Basic ${Buffer.from(options.auth).toString('base64')}` : undefined
  const server = createServer(client => {
    sockets.add(client)
    client.on('close', () => sockets.delete(client))
    client.on('error', () => {})
    let head = ''
    const onData = (/** @type {Buffer} */ data) => {
      head += data.toString('latin1')
      const end = head.indexOf('\r\n\r\n')
      if (end < 0) return
      client.off('data', onData)
      const credentials = /\r\nproxy-authorization:\s*([^\r\n]*)/i.exec(head)?.[1]
      if (expected && credentials !== expected) {
        state.refused++
        client.end(
          'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'
        )
        return
      }
      const rest = Buffer.from(head.slice(end + 4), 'latin1')
      const target = /^CONNECT (\S+):(\d+) HTTP\/1\.[01]\r\n/.exec(head)
      const absolute = /^([A-Z]+) http:\/\/([^/\s]+)(\S*) HTTP\/1\.[01]\r\n/.exec(head)
      if (target) asked.push(`${target[1]}:${target[2]}`)
      else if (absolute) asked.push(new URL(`http://${absolute[2]}`).origin)
      if (target) {
        const routed = options.routes?.[`${target[1]}:${target[2]}`]?.split(':')
        const [host, port] = routed ?? [target[1].replace(/^\[(.*)\]$/, '$1'), target[2]]
        const upstream = connect(Number(port), host, () => {
          tunnels.push({ target: `${target[1]}:${target[2]}`, fromPort: upstream.localPort ?? 0 })
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
          if (rest.length) upstream.write(rest)
          client.pipe(upstream).pipe(client)
        })
        pair(upstream)
      } else if (absolute) {
        // Plain http: one request, rewritten to origin form, on a connection of its own.
        const [, method, host, pathAndQuery] = absolute
        const url = new URL(`http://${host}`)
        const lines = head
          .slice(0, end)
          .split('\r\n')
          .slice(1)
          .filter(line => !/^(proxy-authorization|proxy-connection|connection):/i.test(line))
        const upstream = connect(Number(url.port || 80), url.hostname.replace(/^\[(.*)\]$/, '$1'), () => {
          forwarded.push({ method, target: url.origin })
          upstream.write(`${method} ${pathAndQuery || '/'} HTTP/1.1\r\n${lines.join('\r\n')}\r\nConnection: close\r\n\r\n`)
          if (rest.length) upstream.write(rest)
          client.pipe(upstream).pipe(client)
        })
        pair(upstream)
      } else {
        client.end('HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n')
      }
      /** @param {import('node:net').Socket} upstream */
      function pair(upstream) {
        sockets.add(upstream)
        upstream.on('close', () => {
          sockets.delete(upstream)
          client.destroy()
        })
        upstream.on('error', () => client.destroy())
      }
    }
    client.on('data', onData)
  })
  await new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  const address = server.address()
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    tunnels,
    forwarded,
    asked,
    get refused() {
      return state.refused
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise(resolve => server.close(() => resolve(undefined)))
    }
  }
}
