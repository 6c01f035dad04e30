import { afterAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { makeToolExport, makeZip, toolDefinitions } from '../../../sim/zip.mjs'
import { verifyExport, type VerifyOptions } from '../../../src/tool-export/verify.js'
import { NotAnExportError } from '../../../src/errors.js'

const folder = mkdtempSync(path.join(os.tmpdir(), 'koreai-verify-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

let files = 0
function fileOf(bytes: Buffer): string {
  const file = path.join(folder, `export-${files++}.zip`)
  writeFileSync(file, bytes)
  return file
}

const verify = (bytes: Buffer, opts: Partial<VerifyOptions> = {}) => verifyExport(fileOf(bytes), { toolChecks: true, ...opts })

/** What the verifier says arrived instead of an export. */
async function refusal(bytes: Buffer, opts: Partial<VerifyOptions> = {}): Promise<string> {
  const error = await verify(bytes, opts).then(
    () => undefined,
    (e: unknown) => e
  )
  if (!(error instanceof NotAnExportError)) throw new Error(`expected a refusal, got ${String(error)}`)
  return `${error.refusal}: ${error.arrived}`
}

/** The offset of the first central directory record. */
const centralAt = (zip: Buffer): number => zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))

describe('verifyExport accepts', () => {
  it('a deflated tool export: its files, their sizes, the tool name, no warnings', async () => {
    const result = await verify(makeToolExport('Banking Assistant'))
    expect(result.entries).toEqual(toolDefinitions('Banking Assistant').map(d => ({ name: d.name, size: Buffer.byteLength(d.data) })))
    expect(result.toolName).toBe('Banking Assistant')
    expect(result.warnings).toEqual([])
    expect(result.toolChecked).toBe(true)
  })

  it('a zip that ends with zip64 end records', async () => {
    const result = await verify(makeZip(toolDefinitions(), { zip64: true }))
    expect(result.entries.map(e => e.name)).toEqual(['flow_definition.json', 'app_definition.json', 'env_variables.json'])
  })

  it('an export made by Info-ZIP zip, with a folder entry', async () => {
    const dir = mkdtempSync(path.join(folder, 'infozip-'))
    for (const definition of toolDefinitions('Zipped')) writeFileSync(path.join(dir, definition.name), definition.data)
    execFileSync('mkdir', [path.join(dir, 'notes')])
    writeFileSync(path.join(dir, 'notes', 'readme.txt'), 'x'.repeat(10_000))
    execFileSync('zip', ['-q', '-r', '-9', 'out.zip', 'flow_definition.json', 'app_definition.json', 'env_variables.json', 'notes'], {
      cwd: dir
    })
    const result = await verifyExport(path.join(dir, 'out.zip'), { toolChecks: true })
    expect(result.entries.map(e => e.name)).toEqual([
      'flow_definition.json',
      'app_definition.json',
      'env_variables.json',
      'notes/readme.txt'
    ])
    expect(result.toolName).toBe('Zipped')
  })

  it('an export without the optional definitions, with a warning for each', async () => {
    const result = await verify(makeZip([toolDefinitions()[0]]))
    expect(result.warnings).toEqual([
      'The export holds no app_definition.json; it can still be imported (only flow_definition.json is required).',
      'The export holds no env_variables.json; it can still be imported (only flow_definition.json is required).'
    ])
    expect(result.toolName).toBeUndefined()
  })

  it('definitions that begin with a byte order mark: JSON all the same, the tool named', async () => {
    const result = await verify(makeZip(toolDefinitions('Marked').map(d => ({ ...d, data: `\uFEFF${d.data}` }))))
    expect(result.toolName).toBe('Marked')
  })

  it('any sound zip when the tool-export checks are off', async () => {
    const result = await verify(makeZip([{ name: 'tool.yaml', data: 'name: x' }]), { toolChecks: false })
    expect(result).toEqual({ entries: [{ name: 'tool.yaml', size: 7 }], toolName: undefined, warnings: [], toolChecked: false })
  })
})

describe('verifyExport refuses', () => {
  it('what is not a zip, saying what it is', async () => {
    expect(await refusal(Buffer.from('<html><title>Sign in</title></html>'), { contentType: 'text/html' })).toMatch(
      /^not a zip: an HTML page titled "Sign in"/
    )
    expect(await refusal(Buffer.alloc(0))).toBe('not a zip: an empty body')
    expect(await refusal(makeToolExport().subarray(0, 200))).toBe(
      'not a zip: a zip that ends before its central directory (most likely cut short on the way)'
    )
  })

  it('an entry whose bytes do not match its CRC-32', async () => {
    const [flow, ...rest] = toolDefinitions()
    expect(await refusal(makeZip([{ ...flow, crc: 0x12345678 }, ...rest]))).toBe(
      'damaged zip: a zip whose entry "flow_definition.json" fails its CRC check'
    )
  })

  it('the same damage when the tool-export checks are off', async () => {
    const damaged = makeZip([{ name: 'a.txt', data: 'abc', crc: 1 }])
    expect(await refusal(damaged, { toolChecks: false })).toBe('damaged zip: a zip whose entry "a.txt" fails its CRC check')
  })

  it('deflate data that is damaged', async () => {
    const zip = makeZip([{ name: 'flow_definition.json', data: JSON.stringify({ nodes: 'x'.repeat(5000) }), method: 'deflate' }])
    const damaged = Buffer.from(zip)
    for (let at = 40; at < 60; at++) damaged[at] ^= 0xff
    expect(await refusal(damaged)).toMatch(
      /^damaged zip: a zip whose entry "flow_definition.json" (does not decompress|fails its CRC check|does not decompress to its recorded size)/
    )
  })

  it('an entry that is not of its recorded size', async () => {
    const zip = makeZip([{ name: 'flow_definition.json', data: '{"a":1}', method: 'deflate' }])
    zip.writeUInt32LE(6, centralAt(zip) + 24) // the central directory says 6 bytes; 7 inflate
    expect(await refusal(zip)).toBe('damaged zip: a zip whose entry "flow_definition.json" does not decompress to its recorded size')
  })

  it('a compression method other than stored and deflate, by name', async () => {
    expect(await refusal(makeZip([{ name: 'flow_definition.json', data: 'BZh9...', methodNumber: 12 }]))).toBe(
      'damaged zip: a zip whose entry "flow_definition.json" is compressed with bzip2 (method 12), which the action does not read (only stored and deflate)'
    )
  })

  it('an encrypted entry', async () => {
    const zip = makeToolExport()
    zip.writeUInt16LE(zip.readUInt16LE(centralAt(zip) + 8) | 1, centralAt(zip) + 8)
    expect(await refusal(zip)).toBe('damaged zip: a zip whose entry "flow_definition.json" is encrypted')
  })

  it('an entry whose name climbs out of the folder', async () => {
    expect(await refusal(makeZip([...toolDefinitions(), { name: 'a/../../x', data: '' }]))).toBe(
      'damaged zip: a zip whose entry "a/../../x" climbs out of the folder with ".."'
    )
  })

  it('a zip without flow_definition.json, listing what it holds', async () => {
    expect(
      await refusal(
        makeZip([
          { name: 'report.pdf', data: '%PDF' },
          { name: 'app_definition.json', data: '{}' }
        ])
      )
    ).toBe('not a tool export: a zip without flow_definition.json (it holds: report.pdf, app_definition.json)')
  })

  it('a definition that is not JSON, saying where', async () => {
    const [flow, app, env] = toolDefinitions()
    expect(await refusal(makeZip([flow, { ...app, data: '{"name": "x",}' }, env]))).toBe(
      'not a tool export: a zip whose app_definition.json is not valid JSON (an object key that is not a string at byte 13)'
    )
  })

  it('nothing for a definition that is not JSON when the tool-export checks are off', async () => {
    const result = await verify(makeZip([{ name: 'flow_definition.json', data: 'not json' }]), { toolChecks: false })
    expect(result.entries).toEqual([{ name: 'flow_definition.json', size: 8 }])
  })
})
