/**
 * Proves a downloaded file is a tool export before anything keeps, unpacks or uploads it: a zip
 * whose central directory reads (zip64 included, with yauzl), whose every entry has a safe name
 * and decompresses to its recorded size and CRC-32, and which holds a flow definition that is
 * JSON. Every entry is read as a stream, one at a time: memory stays bounded whatever the size.
 */
import { crc32 } from 'node:zlib'
import { open as openFile } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import yauzl from 'yauzl'
import { JsonSyntaxChecker } from './json-syntax.js'
import { TOOL_NAME_SOURCE_LIMIT, parseDefinition, toolNameFrom } from './definition-json.js'
import { oneLine } from '../log-text.js'
import { HEAD_BYTES, describeBody } from '../platform/what-arrived.js'
import { APP_DEFINITION, DEFINITIONS, FLOW_DEFINITION, OPTIONAL_DEFINITIONS, compressionProblem, entryNameProblem } from './zip-rules.js'
import { errorCode, JsonSyntaxError, NotAnExportError } from '../errors.js'

export interface ExportEntry {
  name: string
  /** Uncompressed bytes. */
  size: number
}

export interface VerifiedExport {
  /** The files it holds, in archive order (folders left out). */
  entries: ExportEntry[]
  /** The tool's name from app_definition.json, when it has one. */
  toolName?: string
  /** What a person should know although the export was accepted (a missing optional file). */
  warnings: string[]
  /** Whether the tool-export checks ran (the `verify` input). */
  toolChecked: boolean
}

export interface VerifyOptions {
  /** false: only the zip checks (names, sizes, CRCs), not the tool-export ones. */
  toolChecks: boolean
  /** The download's Content-Type, to tell what a body that is not a zip is. */
  contentType?: string
  signal?: AbortSignal
}

export async function verifyExport(file: string, opts: VerifyOptions): Promise<VerifiedExport> {
  let zip: yauzl.ZipFile
  try {
    zip = await openZip(file)
  } catch {
    throw new NotAnExportError(await describeFile(file, opts.contentType), 'not a zip')
  }
  const damaged = (what: string): NotAnExportError => new NotAnExportError(`a zip ${what}`, 'damaged zip')
  const entries: ExportEntry[] = []
  const warnings: string[] = []
  let toolName: string | undefined
  try {
    for (;;) {
      opts.signal?.throwIfAborted()
      let entry: yauzl.Entry | undefined
      try {
        entry = await nextEntry(zip)
      } catch (error) {
        throw damaged(`whose central directory is damaged (${oneLine(String((error as Error).message), 100)})`)
      }
      if (!entry) break
      // yauzl's names are decoded here, so that our rules (and our words) judge them.
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true)
      const shown = JSON.stringify(oneLine(name, 100))
      const nameProblem = entryNameProblem(name)
      if (nameProblem) throw damaged(`whose entry ${shown} ${nameProblem}`)
      if (entry.generalPurposeBitFlag & 0x1) throw damaged(`whose entry ${shown} is encrypted`)
      const methodProblem = compressionProblem(entry.compressionMethod)
      if (methodProblem) throw damaged(`whose entry ${shown} ${methodProblem}`)
      if (name.endsWith('/') && entry.uncompressedSize === 0) continue

      const definition = opts.toolChecks && (DEFINITIONS as readonly string[]).includes(name)
      const json = definition ? new JsonSyntaxChecker() : undefined
      const keepForName = name === APP_DEFINITION && entry.uncompressedSize <= TOOL_NAME_SOURCE_LIMIT ? ([] as Buffer[]) : undefined
      let crc = 0
      try {
        const stream = await openEntry(zip, entry)
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          crc = crc32(chunk, crc)
          json?.push(chunk)
          keepForName?.push(chunk)
        }
        json?.end()
      } catch (error) {
        if (error instanceof JsonSyntaxError) {
          throw new NotAnExportError(`a zip whose ${name} is not valid JSON (${error.message})`, 'not a tool export')
        }
        throw damaged(`whose entry ${shown} ${entryFault(error)}`)
      }
      if (crc >>> 0 !== entry.crc32 >>> 0) throw damaged(`whose entry ${shown} fails its CRC check`)
      entries.push({ name, size: entry.uncompressedSize })
      if (keepForName && opts.toolChecks) toolName = toolNameFrom(parseDefinition(Buffer.concat(keepForName)))
    }
  } finally {
    zip.close()
  }

  const names = new Set(entries.map(e => e.name))
  if (opts.toolChecks) {
    if (!names.has(FLOW_DEFINITION)) {
      const held = entries.slice(0, 10).map(e => oneLine(e.name, 60))
      const list = entries.length === 0 ? 'no files' : `${held.join(', ')}${entries.length > held.length ? ', ...' : ''}`
      throw new NotAnExportError(`a zip without ${FLOW_DEFINITION} (it holds: ${list})`, 'not a tool export')
    }
    for (const optional of OPTIONAL_DEFINITIONS) {
      if (!names.has(optional))
        warnings.push(`The export holds no ${optional}; it can still be imported (only ${FLOW_DEFINITION} is required).`)
    }
  }
  return { entries, toolName, warnings, toolChecked: opts.toolChecks }
}

/** Why reading an entry's data failed, in a user's words. */
function entryFault(error: unknown): string {
  const message = String((error as Error | undefined)?.message ?? error)
  if (/too many bytes|not enough bytes/.test(message)) return 'does not decompress to its recorded size'
  if (/local file header/.test(message)) return 'has no local header where the directory says it starts'
  if (errorCode(error)?.startsWith('Z_')) return 'does not decompress (its deflate data is damaged)'
  return `cannot be read (${oneLine(message, 100)})`
}

async function describeFile(file: string, contentType: string | undefined): Promise<string> {
  const handle = await openFile(file, 'r')
  try {
    const { size } = await handle.stat()
    const head = Buffer.alloc(Math.min(size, HEAD_BYTES))
    await handle.read(head, 0, head.length, 0)
    return describeBody(head, size, contentType)
  } finally {
    await handle.close()
  }
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (error, zip) =>
      error ? reject(error) : resolve(zip)
    )
  )
}

/** The next entry of the central directory, or undefined at its end. */
function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const onEntry = (entry: yauzl.Entry): void => settle(() => resolve(entry))
    const onEnd = (): void => settle(() => resolve(undefined))
    const onError = (error: Error): void => settle(() => reject(error))
    const settle = (then: () => void): void => {
      zip.off('entry', onEntry).off('end', onEnd).off('error', onError)
      then()
    }
    zip.once('entry', onEntry).once('end', onEnd).once('error', onError)
    zip.readEntry()
  })
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream))))
}
