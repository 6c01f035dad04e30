// @ts-check
/**
 * A forward proxy that speaks CONNECT, as corporate proxies do, and records each tunnel it opens:
 * the tests point HTTP_PROXY at it and check which connections went through it.
 */
import { createServer, connect } from 'node:net'

/** @typedef {{ target: string, fromPort: number }} Tunnel  fromPort: the port the tunnel's far end is reached from */
/** @returns {Promise<{ url: string, tunnels: Tunnel[], close(): Promise<void> }>} */
export async function startConnectProxy() {
  /** @type {Tunnel[]} */
  const tunnels = []
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set()
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
      const target = /^CONNECT (\S+):(\d+) HTTP\/1\.[01]\r\n/.exec(head)
      if (!target) {
        client.end('HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n')
        return
      }
      const upstream = connect(Number(target[2]), target[1].replace(/^\[(.*)\]$/, '$1'), () => {
        tunnels.push({ target: `${target[1]}:${target[2]}`, fromPort: upstream.localPort ?? 0 })
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        const rest = Buffer.from(head.slice(end + 4), 'latin1')
        if (rest.length) upstream.write(rest)
        client.pipe(upstream).pipe(client)
      })
      sockets.add(upstream)
      upstream.on('close', () => { sockets.delete(upstream); client.destroy() })
      upstream.on('error', () => client.destroy())
    }
    client.on('data', onData)
  })
  await new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  const address = server.address()
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    tunnels,
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise(resolve => server.close(() => resolve(undefined)))
    }
  }
}
