/**
 * The backup to restore, proved before any request: a tool-export zip, verified by the export's
 * own verifier (every entry's size and CRC-32, the definitions JSON) and unpacked into a
 * temporary folder; or a folder as the export's `extract` writes it (pretty JSON, redacted
 * values), each definition checked to be JSON as it is read. The import API needs both
 * flow_definition.json and app_definition.json. Every file is read as a stream.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, open, readFile, stat } from 'node:fs/promises'
import * as path from 'node:path'
import { ActionError, JsonSyntaxError, NotAnExportError, errorMessage } from '../errors.js'
import { verifyExport } from '../tool-export/verify.js'
import { JsonSyntaxChecker } from '../tool-export/json-syntax.js'
import { TOOL_NAME_SOURCE_LIMIT, parseDefinition, toolNameFrom } from '../tool-export/definition-json.js'
import { logValue, oneLine } from '../log-text.js'
import type { TrackedPaths } from '../lifecycle/temporary-paths.js'
import { ENV_VARIABLES, FLOW_DEFINITION } from '../tool-export/zip-rules.js'

export const APP_DEFINITION = 'app_definition.json'
/** Whole files are read in pieces this large. */
const READ_CHUNK_BYTES = 1024 * 1024
/** env_variables.json is parsed whole (to resolve its values): a larger one is refused, not held in memory. */
const MAX_ENV_BYTES = 16 * 1024 * 1024

export interface SourceFile {
  name: string
  path: string
  size: number
  /** A folder source's files only (a zip's sha256 covers its entries). */
  sha256?: string
}

export interface RestoreSource {
  kind: 'zip' | 'folder'
  /** The file or folder's own name, for the log and the summary. */
  name: string
  /** The zip's sha256; for a folder, the sha256 of its definitions' "sha256  name" lines (as sha256sum writes them). */
  sha256: string
  toolName?: string
  flow: SourceFile
  app: SourceFile
  /** Absent when the backup left the variables out (the export's `omit` policy). */
  env?: SourceFile
  /** env_variables.json's value, when there is one. */
  envValue?: unknown
}

export interface ReadOptions {
  /** Where a zip is unpacked (a temporary folder of the run's). */
  tempRoot: string
  temporary?: TrackedPaths
  signal?: AbortSignal
}

/** A source that is not a backup the platform can import: said before any request. */
function refuse(source: string, reason: string): ActionError {
  return new ActionError(
    `The source ${logValue(source)} cannot be restored: ${reason}. Nothing was sent to the platform.`,
    'Point "source" at a tool-export zip (such as the export\'s artifact, after actions/download-artifact) or at a folder the export\'s "extract" wrote.'
  )
}

export async function readSource(source: string, options: ReadOptions): Promise<RestoreSource> {
  let info
  try {
    info = await stat(source)
  } catch {
    throw refuse(source, 'no such file or folder (relative paths start at the workspace)')
  }
  return info.isDirectory() ? readFolder(source) : readZip(source, options)
}

async function readZip(file: string, options: ReadOptions): Promise<RestoreSource> {
  let verified
  try {
    verified = await verifyExport(file, { toolChecks: true, signal: options.signal })
  } catch (error) {
    if (error instanceof NotAnExportError) throw refuse(file, `it is ${error.arrived}`)
    throw error
  }
  const names = new Set(verified.entries.map(entry => entry.name))
  if (!names.has(APP_DEFINITION))
    throw refuse(file, `the zip holds no ${APP_DEFINITION}, which the import API requires beside ${FLOW_DEFINITION}`)
  const folder = await mkdtemp(path.join(options.tempRoot, 'koreai-restore-'))
  options.temporary?.replace('restore-source', folder)
  const { extractZip } = await import('@actions/tool-cache')
  try {
    await extractZip(file, folder)
  } catch (error) {
    throw refuse(file, `unpacking it failed (${oneLine(errorMessage(error), 200)})`)
  }
  // The zip's own sha256 identifies the source; its entries' CRCs were checked just now: the
  // unpacked files are not read again.
  const read = await readDefinitions(folder, file, false)
  return { kind: 'zip', name: path.basename(file), sha256: await digest(file), toolName: verified.toolName, ...read }
}

async function readFolder(folder: string): Promise<RestoreSource> {
  const read = await readDefinitions(folder, folder, true)
  const lines = [read.flow, read.app, read.env]
    .filter((file): file is SourceFile => file !== undefined)
    .map(file => `${file.sha256}  ${file.name}\n`)
    .join('')
  return {
    kind: 'folder',
    name: path.basename(folder),
    sha256: createHash('sha256').update(lines).digest('hex'),
    toolName: await toolNameOf(read.app.path),
    ...read
  }
}

/**
 * The definitions in `folder`: present, with their size; with `read` (a folder source), each read
 * once as a stream, checked to be JSON and hashed. A zip's were checked by the verifier.
 */
async function readDefinitions(
  folder: string,
  shown: string,
  read: boolean
): Promise<Pick<RestoreSource, 'flow' | 'app' | 'env' | 'envValue'>> {
  const one = async (name: string, required: boolean): Promise<SourceFile | undefined> => {
    const full = path.join(folder, name)
    let size: number
    try {
      const info = await stat(full)
      if (!info.isFile()) throw refuse(shown, `${name} is not a file`)
      size = info.size
    } catch (error) {
      if (error instanceof ActionError) throw error
      if (!required) return undefined
      throw refuse(shown, `it holds no ${name}, which the import API requires`)
    }
    if (!read) return { name, path: full, size }
    const hash = createHash('sha256')
    const json = new JsonSyntaxChecker()
    try {
      await eachPiece(full, piece => {
        hash.update(piece)
        json.push(piece)
      })
      json.end()
    } catch (error) {
      if (error instanceof JsonSyntaxError) throw refuse(shown, `its ${name} is not valid JSON (${error.message})`)
      throw error
    }
    return { name, path: full, size, sha256: hash.digest('hex') }
  }
  const flow = (await one(FLOW_DEFINITION, true))!
  const app = (await one(APP_DEFINITION, true))!
  const env = await one(ENV_VARIABLES, false)
  let envValue: unknown
  if (env) {
    if (env.size > MAX_ENV_BYTES) throw refuse(shown, `its ${ENV_VARIABLES} is larger than ${MAX_ENV_BYTES / 1024 / 1024} MiB`)
    envValue = parseDefinition(await readFile(env.path))
    if (envValue === undefined) throw refuse(shown, `its ${ENV_VARIABLES} is not valid JSON`)
  }
  return { flow, app, env, envValue }
}

/** The tool's name from app_definition.json (when it is small enough to read whole). */
async function toolNameOf(file: string): Promise<string | undefined> {
  const { size } = await stat(file)
  return size > TOOL_NAME_SOURCE_LIMIT ? undefined : toolNameFrom(parseDefinition(await readFile(file)))
}

async function digest(file: string): Promise<string> {
  const hash = createHash('sha256')
  await eachPiece(file, piece => hash.update(piece))
  return hash.digest('hex')
}

/**
 * A whole file, piece by piece, read into one buffer used again and again (`use` must not keep
 * a piece): a stream's fresh buffer per piece would leave a hundred MiB of garbage outside the
 * heap, which the collector finds late, and the step's peak RSS would grow with the file.
 */
async function eachPiece(file: string, use: (piece: Buffer) => void): Promise<void> {
  const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES)
  const handle = await open(file, 'r')
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null)
      if (bytesRead === 0) break
      use(buffer.subarray(0, bytesRead))
    }
  } finally {
    await handle.close()
  }
}
