import { describe, expect, it } from '@jest/globals'
import { ResponseReader, type ResponseHead } from '../../src/response-reader.js'
import { NetworkError } from '../../src/retry-helper.js'

/** Feeds `wire` to a reader in pieces of `step` bytes; returns what came out. */
function read(wire: string | Buffer, step = Infinity, end = true) {
  const heads: ResponseHead[] = []
  const body: Buffer[] = []
  const reader = new ResponseReader({ onHead: head => heads.push(head), onBody: chunk => body.push(Buffer.from(chunk)) })
  const bytes = Buffer.isBuffer(wire) ? wire : Buffer.from(wire, 'latin1')
  for (let at = 0; at < bytes.length && !reader.done; at += Math.min(step, bytes.length)) {
    reader.push(bytes.subarray(at, Math.min(at + step, bytes.length)))
  }
  if (end) reader.end()
  return { heads, body: Buffer.concat(body).toString('latin1'), reader }
}

const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: t\r\n\r\n'

describe('ResponseReader', () => {
  it('reads a Content-Length body, whatever the pieces the connection delivers', () => {
    const wire = 'HTTP/1.1 200 OK\r\nContent-Length: 11\r\nContent-Disposition: attachment; filename="a.zip"\r\n\r\nhello world'
    for (const step of [1, 2, 3, 7, 64, Infinity]) {
      const { heads, body, reader } = read(wire, step)
      expect(heads).toEqual([{ statusCode: 200, headers: { 'content-length': '11', 'content-disposition': 'attachment; filename="a.zip"' } }])
      expect(body).toBe('hello world')
      expect(reader.received).toBe(11)
      expect(reader.announced).toBe(11)
    }
  })

  it('decodes a chunked body with extensions and trailers, split at every byte', () => {
    for (const step of [1, 2, 5, 13, Infinity]) {
      const { heads, body, reader } = read(chunked, step)
      expect(heads[0].statusCode).toBe(200)
      expect(body).toBe('helloabcdefghijklmnopqrstuvwxyz')
      expect(reader.done).toBe(true)
    }
  })

  it('reads to the end of the connection when nothing frames the body', () => {
    const { body, reader } = read('HTTP/1.0 200 OK\r\nContent-Type: application/zip\r\n\r\nall of it', 4)
    expect(body).toBe('all of it')
    expect(reader.done).toBe(true)
  })

  it('is done at once when there is no body, and ignores what follows', () => {
    expect(read('HTTP/1.1 204 No Content\r\n\r\n', Infinity, false).reader.done).toBe(true)
    expect(read('HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n', Infinity, false).reader.done).toBe(true)
    const { body } = read('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA', Infinity, false)
    expect(body).toBe('ok')
  })

  it('skips an interim 1xx answer and reads the real one', () => {
    const { heads, body } = read('HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', 3)
    expect(heads.map(h => h.statusCode)).toEqual([200])
    expect(body).toBe('ok')
  })

  it('keeps repeated headers: joined, and Set-Cookie as a list', () => {
    const { heads } = read('HTTP/1.1 200 OK\r\nVia: a\r\nVIA: b\r\nSet-Cookie: x=1\r\nSet-Cookie: y=2\r\nContent-Length: 0\r\n\r\n')
    expect(heads[0].headers).toEqual({ via: 'a, b', 'set-cookie': ['x=1', 'y=2'], 'content-length': '0' })
  })

  it('says how far a body got when the connection ends early', () => {
    expect(() => read('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')).toThrow(new NetworkError('the download ended after 3 of 10 bytes'))
    expect(() => read(chunked.slice(0, 60))).toThrow(/^the download was cut short after \d+ bytes \(connection closed\)$/)
    expect(() => read('HTTP/1.1 200 OK\r\nContent-')).toThrow('the connection closed before a complete response')
  })

  it.each([
    ['no HTTP/1.1 status line', 'HTTP/2 200\r\n\r\n'],
    ['no HTTP/1.1 status line', 'hello\r\n\r\n'],
    ['a header line without a name', 'HTTP/1.1 200 OK\r\n: x\r\n\r\n'],
    ['an invalid Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n'],
    ['an invalid chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['a chunk longer than its size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n'],
    ['a response head over 64 KiB', `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}`]
  ])('refuses a malformed response: %s', (what, wire) => {
    expect(() => read(wire, 1000, false)).toThrow(new NetworkError(`the server sent a malformed response (${what})`))
  })

  it('hands body bytes on as views of the input, not copies', () => {
    const wire = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody', 'latin1')
    const views: Buffer[] = []
    const reader = new ResponseReader({ onHead: () => {}, onBody: chunk => views.push(chunk) })
    reader.push(wire)
    expect(views).toHaveLength(1)
    expect(views[0].buffer).toBe(wire.buffer)
  })
})
