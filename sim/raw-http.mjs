// @ts-check
/**
 * A server that writes its answers by hand, byte for byte, for what no well-behaved HTTP server
 * sends: header blocks without end, a length given twice, a status line that is not HTTP,
 * interim answers (100, 103) before the real one, a coding in the wrong header. It reads each
 * request's head (and a body of Content-Length bytes), records it, and hands the socket to the
 * answer the test queued for it; a request with no answer queued gets the connection closed.
 */
import { createServer } from 'node:net'

/** @typedef {{ method: string, path: string, at: number, connection: number }} RawRequest  connection: which connection it came on (1, 2, …) */
/** @typedef {(socket: import('node:net').Socket, request: RawRequest) => void} RawAnswer */

/**
 * @param {{ host?: string }} [options]
 * @returns {Promise<{ url: string, host: string, requests: RawRequest[], answers: RawAnswer[], close(): Promise<void> }>}
 *   answers: a queue, one per request in order of arrival; requests: every request received.
 */
export async function startRawServer(options = {}) {
  /** @type {RawRequest[]} */
  const requests = []
  /** @type {RawAnswer[]} */
  const answers = []
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set()
  let connections = 0
  const server = createServer(socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    const connection = ++connections
    let pending = Buffer.alloc(0)
    socket.on('data', chunk => {
      pending = Buffer.concat([pending, chunk])
      for (;;) {
        const end = pending.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = pending.subarray(0, end).toString('latin1')
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0)
        if (pending.length < end + 4 + length) return
        pending = pending.subarray(end + 4 + length)
        const [method = '', path = ''] = head.split('\r\n')[0].split(' ')
        const request = { method, path, at: Date.now(), connection }
        requests.push(request)
        const answer = answers.shift()
        if (answer) answer(socket, request)
        else socket.destroy()
      }
    })
  })
  const host = options.host ?? '127.0.0.1'
  await new Promise(resolve => server.listen(0, host, () => resolve(undefined)))
  const address = /** @type {import('node:net').AddressInfo} */ (server.address())
  return {
    url: `http://${host}:${address.port}`,
    host: `${host}:${address.port}`,
    requests,
    answers,
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise(resolve => server.close(() => resolve(undefined)))
    }
  }
}
