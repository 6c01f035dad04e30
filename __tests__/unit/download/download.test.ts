import { describe, expect, it } from '@jest/globals'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import { decodersFor, progressLine } from '../../../src/download/download.js'

async function decode(header: string, bytes: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = []
  await pipeline(Readable.from([bytes]), ...(decodersFor(header) as []), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) chunks.push(chunk)
  })
  return Buffer.concat(chunks)
}

describe('decodersFor', () => {
  const plain = Buffer.from('PK export bytes '.repeat(100))
  it.each([
    ['gzip', gzipSync(plain)],
    ['x-gzip', gzipSync(plain)],
    ['deflate', deflateSync(plain)],
    ['br', brotliCompressSync(plain)],
    ['gzip, br', brotliCompressSync(gzipSync(plain))],
    ['identity', plain]
  ])('decodes %s', async (header, bytes) => {
    expect((await decode(header, bytes)).equals(plain)).toBe(true)
  })
  it('has nothing to do without a coding', () => {
    expect(decodersFor(undefined)).toEqual([])
  })
  it('refuses codings it cannot decode', () => {
    expect(decodersFor('compress')).toBeUndefined()
    expect(decodersFor('gzip, zstd')).toBeUndefined()
  })
  it('fails on a raw deflate stream rather than keeping garbage', async () => {
    await expect(decode('deflate', deflateRawSync(plain))).rejects.toThrow()
  })
})

describe('progressLine', () => {
  it('shows bytes, rate, percent and time left when the length is known', () => {
    expect(progressLine({ bytes: 24e6, total: 96e6, attemptStartedAt: 0 }, 20_000)).toBe(
      'Downloaded 24.0 MB of 96.0 MB (25%) at 1.2 MB/s, about 60 s left'
    )
  })
  it('shows bytes and rate alone when it is not', () => {
    expect(progressLine({ bytes: 10, attemptStartedAt: 0 }, 10_000)).toBe('Downloaded 10 bytes at 1 bytes/s')
  })
})
