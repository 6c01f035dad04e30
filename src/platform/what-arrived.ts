/**
 * What a download that is not a zip looks like, for the one error that refuses it. Pure: it
 * works on the first bytes and the headers. Only what is safe to print is shown: an HTML page's
 * title, a JSON answer's own message, the first bytes in hex; never the body itself.
 */
import { oneLine } from '../log-text.js'
import { serverMessage } from './answers.js'

/** How far into a body the description looks. */
export const HEAD_BYTES = 64 * 1024

const ZIP_LOCAL_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04])
/** A gzip member's first bytes: its magic number and the deflate method. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08])

/** Only a 200 carries the export; any other 2xx is described here, else undefined. */
export function statusProblem(status: number): string | undefined {
  if (status === 200) return undefined
  if (status === 204) return 'an HTTP 204 No Content answer (no file at all)'
  if (status === 206) return 'an HTTP 206 Partial Content answer (a part of a file, to a request that asked for no range)'
  return `an HTTP ${status} answer (only a 200 carries the export)`
}

/** What a body that yauzl could not open as a zip is instead. */
export function describeBody(head: Buffer, size: number, contentType: string | undefined): string {
  if (size === 0) return 'an empty body'
  if (head.subarray(0, 4).equals(ZIP_LOCAL_HEADER)) {
    return 'a zip that ends before its central directory (most likely cut short on the way)'
  }
  // A declared content coding is decoded before this; one in another header (Transfer-Encoding:
  // gzip) or in none is not, whatever the Content-Type says.
  if (head.subarray(0, 3).equals(GZIP_HEADER)) {
    return 'a gzip stream the server compressed without declaring it as a content encoding'
  }
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
  const type = (contentType ?? '').toLowerCase()
  if (type.includes('html') || /^<!doctype html|^<html|<(head|body|title)[\s>]/i.test(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]
    const named = title && oneLine(decodeEntities(title), 80)
    return `an HTML page${named ? ` titled "${named}"` : ''} (most likely a sign-in or proxy page: the download URL needs other authentication, or has expired)`
  }
  if (type.includes('json') || /^[{[]/.test(text)) {
    const message = serverMessage(text)
    return message ? `a JSON answer: "${message}"` : 'a JSON answer without a message'
  }
  if (type.includes('xml') || text.startsWith('<')) {
    // Object stores answer errors in XML: <Error><Code>AccessDenied</Code><Message>…
    const code = /<Code>([^<]*)<\/Code>/i.exec(text)?.[1]
    return code ? `an XML answer with the error code "${oneLine(code, 60)}"` : 'an XML document'
  }
  const first = [...head.subarray(0, 4)].map(b => b.toString(16).padStart(2, '0')).join(' ')
  return `data that is neither a zip, HTML nor JSON (it starts with the bytes ${first})`
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' }
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body[0] !== '#') return named[body.toLowerCase()] ?? entity
    const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10)
    return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : entity
  })
}
