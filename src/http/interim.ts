/**
 * Interim answers a server sends before the real one. HTTP has a client read through a 1xx
 * answer it did not ask for, and some servers send a `100 Continue` unasked. undici reads a 103
 * through, but ends the connection at a 100 ("bad response": onHeadersComplete in
 * client-h1.js, whichever parser it uses), since it never asks for one (it refuses an `Expect`
 * header), and no option changes that. So each HTTP/1.1 connection undici is given drops a
 * `100 Continue` head at the start of an answer before undici's parser reads it; every other byte
 * passes as it came.
 */
import type { Socket } from 'node:net'
import type { buildConnector } from 'undici'

/** The ways a 100's status line starts; fewer bytes than these cannot yet tell. */
const CONTINUE_STARTS = ['HTTP/1.1 100 ', 'HTTP/1.1 100\r', 'HTTP/1.0 100 ', 'HTTP/1.0 100\r']
const HEAD_END = Buffer.from('\r\n\r\n')

/**
 * `connect`, whose HTTP/1.1 connections drop the 100 Continue heads servers send unasked; a part
 * of one waits for its rest up to `maxHeadBytes`, the most undici reads of a header block.
 */
export function readingThroughContinue(connect: buildConnector.connector, maxHeadBytes: number): buildConnector.connector {
  return (options, callback) =>
    connect(options, (...args: Parameters<buildConnector.Callback>) => {
      const socket = args[1]
      // HTTP/2 has no 100 of this kind, and its session reads the socket itself.
      if (socket && (socket as { alpnProtocol?: string | false }).alpnProtocol !== 'h2') dropContinueHeads(socket, maxHeadBytes)
      callback(...args)
    })
}

/** What the bytes at the start of an answer are: a whole 100 head (its length), possibly one (too few bytes yet), or not one. */
export function continueHead(data: Buffer): number | 'too short' | undefined {
  const start = data.toString('latin1', 0, CONTINUE_STARTS[0].length)
  if (!CONTINUE_STARTS.some(prefix => prefix.startsWith(start) || start.startsWith(prefix))) return undefined
  if (start.length < CONTINUE_STARTS[0].length) return 'too short'
  const end = data.indexOf(HEAD_END)
  return end < 0 ? 'too short' : end + HEAD_END.length
}

/**
 * Reads ahead of undici's parser, on the socket's own events: at the start of each answer (a
 * request has gone out since the last one began), it takes what arrived, drops any whole 100
 * heads, keeps a part of one until the rest comes, and gives the rest back to the socket with
 * unshift() for the parser to read. Within an answer it does nothing. On HTTP/1.1 undici sends a
 * request only once the answer before it has ended, so the first bytes after a request went out
 * are the start of its answer.
 */
function dropContinueHeads(socket: Socket, maxHeadBytes: number): void {
  // The socket's bytesWritten when the answer being read began: another request went out when it moved.
  let answerOf = -1
  let held: Buffer = Buffer.alloc(0)
  // Before undici's own listener, which is added once the connection is handed over.
  socket.on('readable', () => {
    if (socket.bytesWritten === answerOf && held.length === 0) return
    const arrived = socket.read() as Buffer | null
    if (arrived === null) return
    let data: Buffer = held.length ? Buffer.concat([held, arrived]) : arrived
    held = Buffer.alloc(0)
    for (;;) {
      const head = continueHead(data)
      if (typeof head === 'number') {
        data = data.subarray(head)
        if (data.length === 0) return
        continue
      }
      // A part of a 100 head waits for the rest, up to the size of a header block: undici refuses more.
      if (head === 'too short' && data.length <= maxHeadBytes) {
        held = data
        return
      }
      answerOf = socket.bytesWritten
      socket.unshift(data)
      return
    }
  })
}
