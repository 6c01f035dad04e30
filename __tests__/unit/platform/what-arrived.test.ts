import { describe, expect, it } from '@jest/globals'
import { gzipSync } from 'node:zlib'
import { describeBody, statusProblem } from '../../../src/platform/what-arrived.js'

const body = (text: string | Buffer, contentType?: string): string => {
  const bytes = Buffer.from(text)
  return describeBody(bytes, bytes.length, contentType)
}

describe('statusProblem', () => {
  it('accepts only a 200', () => {
    expect(statusProblem(200)).toBeUndefined()
    expect(statusProblem(204)).toBe('an HTTP 204 No Content answer (no file at all)')
    expect(statusProblem(206)).toMatch(/^an HTTP 206 Partial Content answer \(a part of a file, to a request that asked for no range\)$/)
    expect(statusProblem(203)).toBe('an HTTP 203 answer (only a 200 carries the export)')
  })
})

describe('describeBody', () => {
  it('names an empty body', () => {
    expect(body('')).toBe('an empty body')
  })

  it("gives an HTML page's title, decoded and on one line, with the likely cause", () => {
    expect(body('<!DOCTYPE html><html><head><title>Sign in</title></head></html>', 'text/html; charset=utf-8')).toBe(
      'an HTML page titled "Sign in" (most likely a sign-in or proxy page: the download URL needs other authentication, or has expired)'
    )
    expect(body('<html><title>\n  Sign in &amp; continue\n::error::x</title>')).toMatch(
      /^an HTML page titled "Sign in & continue ::error::x"/
    )
    expect(body('<p>hello</p>', 'text/html')).toMatch(/^an HTML page \(most likely/)
  })

  it("quotes a JSON answer's own message, never the rest of it", () => {
    expect(body('{"errors":[{"msg":"Export link expired","code":410}],"token":"secret-123"}', 'application/json')).toBe(
      'a JSON answer: "Export link expired"'
    )
    expect(body('{"ok":true}')).toBe('a JSON answer without a message')
  })

  it('names a gzip stream that was not declared as a content encoding, whatever the Content-Type', () => {
    const gzip = gzipSync(Buffer.from('PK\u0003\u0004 a zip'))
    for (const type of [undefined, 'application/zip', 'text/html', 'application/json']) {
      expect(body(gzip, type)).toBe('a gzip stream the server compressed without declaring it as a content encoding')
    }
  })

  it('recognises a zip that ends early', () => {
    expect(body(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).toBe(
      'a zip that ends before its central directory (most likely cut short on the way)'
    )
  })

  it("names an object store's XML error by its code", () => {
    expect(
      body('<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>', 'application/xml')
    ).toBe('an XML answer with the error code "AccessDenied"')
  })

  it('shows only the first bytes of anything else', () => {
    expect(body(Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]), 'application/octet-stream')).toBe(
      'data that is neither a zip, HTML nor JSON (it starts with the bytes 37 7a bc af)'
    )
  })
})
