/**
 * Reads an HTTP/1.1 response from the bytes of a connection, as they arrive: the status line and
 * headers, then the body framed by Content-Length, chunked transfer coding, or the end of the
 * connection. Pure: it never touches a socket, so every framing and every malformed answer is
 * tested byte by byte. Body bytes are handed on as views of the input, never copied.
 */
import type { IncomingHttpHeaders } from 'node:http'
import { NetworkError } from './retry-helper.js'

export interface ResponseHead {
  statusCode: number
  headers: IncomingHttpHeaders
}

export interface ResponseHandlers {
  onHead(head: ResponseHead): void
  /** A piece of the body: a view that is valid only during the call. */
  onBody(chunk: Buffer): void
}

/** A response head larger than this is refused: no real server sends one. */
const MAX_HEAD_BYTES = 64 * 1024
/** A chunk-size or trailer line longer than this is refused. */
const MAX_LINE_BYTES = 4 * 1024

type State = 'head' | 'length' | 'until-close' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer' | 'done'

export class ResponseReader {
  private state: State = 'head'
  private headBytes: Buffer = Buffer.alloc(0)
  private line = ''
  private remaining = 0
  /** Body bytes handed on so far. */
  received = 0
  /** What the response announced, when it did (Content-Length). */
  announced: number | undefined

  constructor(private readonly handlers: ResponseHandlers) {}

  get done(): boolean {
    return this.state === 'done'
  }

  /** Takes the next bytes of the connection. Throws a NetworkError on a malformed response. */
  push(data: Buffer): void {
    let offset = 0
    while (offset < data.length && this.state !== 'done') {
      offset = this.step(data, offset)
    }
  }

  /** The connection ended: throws a NetworkError unless the response is complete. */
  end(): void {
    if (this.state === 'until-close') this.state = 'done'
    if (this.state === 'done') return
    if (this.state === 'head') throw new NetworkError('the connection closed before a complete response')
    if (this.announced !== undefined) {
      throw new NetworkError(`the download ended after ${this.received} of ${this.announced} bytes`)
    }
    throw new NetworkError(`the download was cut short after ${this.received} bytes (connection closed)`)
  }

  private step(data: Buffer, offset: number): number {
    switch (this.state) {
      case 'head':
        return this.readHead(data, offset)
      case 'length':
      case 'chunk-data': {
        const take = Math.min(this.remaining, data.length - offset)
        this.body(data.subarray(offset, offset + take))
        this.remaining -= take
        if (this.remaining === 0) this.state = this.state === 'length' ? 'done' : 'chunk-end'
        return offset + take
      }
      case 'until-close':
        this.body(data.subarray(offset))
        return data.length
      default:
        return this.readLine(data, offset)
    }
  }

  private body(chunk: Buffer): void {
    if (chunk.length === 0) return
    this.received += chunk.length
    this.handlers.onBody(chunk)
  }

  private readHead(data: Buffer, offset: number): number {
    const searchFrom = Math.max(0, this.headBytes.length - 3)
    this.headBytes = Buffer.concat([this.headBytes, data.subarray(offset)])
    const end = this.headBytes.indexOf('\r\n\r\n', searchFrom)
    if (end < 0) {
      if (this.headBytes.length > MAX_HEAD_BYTES) throw malformed('a response head over 64 KiB')
      return data.length
    }
    const consumed = end + 4 - (this.headBytes.length - (data.length - offset))
    const head = parseHead(this.headBytes.subarray(0, end).toString('latin1'))
    this.headBytes = Buffer.alloc(0)
    // An interim answer (103 Early Hints, say) is followed by the real one.
    if (head.statusCode >= 100 && head.statusCode < 200) return offset + consumed
    this.frame(head)
    this.handlers.onHead(head)
    return offset + consumed
  }

  private frame(head: ResponseHead): void {
    const { headers, statusCode } = head
    const coding = headers['transfer-encoding']
    const length = headers['content-length']
    if (statusCode === 204 || statusCode === 304) {
      this.state = 'done'
    } else if (coding !== undefined) {
      // chunked must be the final coding; any other coding runs to the end of the connection.
      this.state = /(^|,)\s*chunked\s*$/i.test(coding) ? 'chunk-size' : 'until-close'
    } else if (length !== undefined) {
      if (!/^\d+$/.test(length)) throw malformed('an invalid Content-Length')
      this.announced = Number(length)
      this.remaining = this.announced
      this.state = this.remaining === 0 ? 'done' : 'length'
    } else {
      this.state = 'until-close'
    }
  }

  /** Lines of the chunked coding: chunk sizes, the CRLF after each chunk, and trailers. */
  private readLine(data: Buffer, offset: number): number {
    const lf = data.indexOf(0x0a, offset)
    const end = lf < 0 ? data.length : lf
    this.line += data.toString('latin1', offset, end)
    if (this.line.length > MAX_LINE_BYTES) throw malformed('an overlong line in the chunked body')
    if (lf < 0) return data.length
    const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line
    this.line = ''
    if (this.state === 'chunk-size') {
      const size = line.split(';')[0].trim()
      if (!/^[0-9a-f]{1,12}$/i.test(size)) throw malformed('an invalid chunk size')
      this.remaining = parseInt(size, 16)
      this.state = this.remaining === 0 ? 'trailer' : 'chunk-data'
    } else if (this.state === 'chunk-end') {
      if (line !== '') throw malformed('a chunk longer than its size')
      this.state = 'chunk-size'
    } else if (line === '') {
      this.state = 'done' // the empty line after the trailers
    }
    return lf + 1
  }
}

function parseHead(text: string): ResponseHead {
  const [statusLine, ...lines] = text.split('\r\n')
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine)
  if (!status) throw malformed('no HTTP/1.1 status line')
  const headers: IncomingHttpHeaders = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon <= 0) throw malformed('a header line without a name')
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    const before = headers[name]
    if (name === 'set-cookie') headers[name] = [...((before as string[] | undefined) ?? []), value]
    else headers[name] = before === undefined ? value : `${before as string}, ${value}`
  }
  return { statusCode: Number(status[1]), headers }
}

function malformed(what: string): NetworkError {
  return new NetworkError(`the server sent a malformed response (${what})`)
}
