import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import { decodersFor, progressLine } from '../../../src/download/download.js'
import { fileAt, publish } from '../../../src/download/publish.js'

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

describe('publish: the verified bytes take the export name, never over another run’s file', () => {
  let folder: string
  beforeEach(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'koreai-publish-'))
  })
  afterEach(() => rmSync(folder, { recursive: true, force: true }))
  const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')
  /** This run's verified bytes, under their temporary name. */
  const arrived = (text: string) => {
    const partial = path.join(folder, `.export.zip.${Math.random().toString(16).slice(2)}.part`)
    writeFileSync(partial, text)
    return { partial, size: Buffer.byteLength(text), sha256: sha256(Buffer.from(text)) }
  }
  const named = () => path.join(folder, 'export.zip')
  const quiet = (warnings: string[] = []) => ({ warning: (line: string) => warnings.push(line) })

  it('takes a free name, and keeps its own copy', async () => {
    const body = arrived('mine')
    expect(await publish(body, named(), quiet())).toBe(named())
    expect(readFileSync(named(), 'utf8')).toBe('mine')
    expect(readFileSync(body.partial, 'utf8')).toBe('mine')
  })

  it('replaces the file that was there when the run began', async () => {
    writeFileSync(named(), 'yesterday')
    const earlier = await fileAt(named())
    const warnings: string[] = []
    expect(await publish(arrived('today'), named(), { earlier, ...quiet(warnings) })).toBe(named())
    expect(readFileSync(named(), 'utf8')).toBe('today')
    expect(readdirSync(folder).filter(name => !name.endsWith('.part'))).toEqual(['export.zip'])
    expect(warnings).toEqual([])
  })

  it('never replaces a file another run saved meanwhile: this run’s goes beside it, named after its bytes, with a warning', async () => {
    writeFileSync(named(), 'yesterday')
    const earlier = await fileAt(named())
    // Another run replaced yesterday's file with its own while this one ran.
    writeFileSync(path.join(folder, 'theirs'), 'theirs')
    renameSync(path.join(folder, 'theirs'), named())
    const body = arrived('mine')
    const warnings: string[] = []
    const filePath = await publish(body, named(), { earlier, ...quiet(warnings) })
    expect(filePath).toBe(path.join(folder, `export.${body.sha256.slice(0, 12)}.zip`))
    expect(readFileSync(filePath, 'utf8')).toBe('mine')
    expect(readFileSync(named(), 'utf8')).toBe('theirs')
    expect(warnings).toEqual([
      `Another run saved ${named()} while this one ran, with other bytes: this run's file is ${filePath} instead (output filePath), so that it holds the bytes this run's sha256 describes.`
    ])
  })

  it('shares a file another run saved meanwhile when it holds the very same bytes', async () => {
    writeFileSync(named(), 'same')
    const warnings: string[] = []
    expect(await publish(arrived('same'), named(), quiet(warnings))).toBe(named())
    expect(warnings).toEqual([])
  })

  it('refuses a folder in the way, by name', async () => {
    mkdirSync(named())
    await expect(publish(arrived('mine'), named(), quiet())).rejects.toThrow(
      `Saving the export as ${named()} failed: a folder has that name.`
    )
  })

  it('two at once over the same earlier file: each ends up with a path that holds its own bytes', async () => {
    writeFileSync(named(), 'yesterday')
    const earlier = await fileAt(named())
    const bodies = Array.from({ length: 6 }, (_, i) => arrived(`run ${i}`))
    const paths = await Promise.all(bodies.map(body => publish(body, named(), { earlier, ...quiet() })))
    for (const [i, filePath] of paths.entries()) expect(readFileSync(filePath, 'utf8')).toBe(`run ${i}`)
    expect(paths.filter(filePath => filePath === named())).toHaveLength(1)
  })
})
