/**
 * The export to import, proved before any request: a tool-export zip, verified by the export's
 * own verifier (every entry's size and CRC-32, the definitions JSON) and unpacked into a
 * temporary folder; or a folder as the export's `extract` writes it (pretty JSON, redacted
 * values), each definition checked to be JSON as it is read. The import API needs both
 * flow_definition.json and app_definition.json. Every file is read as a stream.
 *
 * A source is read only where it is named: no symbolic link in it, nor as it, nor on its way from
 * the workspace. A link would upload whatever it points at (another checkout, the runner's
 * credentials), and a reviewer of the git copy may not see that a file became one.
 */
import { createHash } from 'node:crypto'
import { constants } from 'node:fs'
import { lstat, mkdtemp, open, readdir, type FileHandle } from 'node:fs/promises'
import * as path from 'node:path'
import { ActionError, JsonSyntaxError, NotAnExportError, errorCode, errorMessage } from '../errors.js'
import { isWithin } from '../file-naming.js'
import { verifyExport } from '../tool-export/verify.js'
import { JsonSyntaxChecker } from '../tool-export/json-syntax.js'
import { TOOL_NAME_SOURCE_LIMIT, parseDefinition, toolNameFrom } from '../tool-export/definition-json.js'
import { logValue, oneLine } from '../log-text.js'
import type { TrackedPaths } from '../lifecycle/temporary-paths.js'
import { APP_DEFINITION, ENV_VARIABLES, FLOW_DEFINITION } from '../tool-export/zip-rules.js'

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

export interface ImportSource {
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
  /** The folder a relative source is read from: no folder between it and the source may be a link. */
  workspace?: string
  temporary?: TrackedPaths
  signal?: AbortSignal
}

/** A source that is not a backup the platform can import: said before any request. */
function refuse(source: string, reason: string, fix = SOURCE_FIX): ActionError {
  return new ActionError(`The source ${logValue(source)} cannot be imported: ${reason}. Nothing was sent to the platform.`, fix)
}

const SOURCE_FIX =
  'Point "source" at a tool-export zip (such as the export\'s artifact, after actions/download-artifact) or at a folder the export\'s "extract" wrote.'
const LINK_FIX =
  'A source is read only where it is named, never through a link: replace each link by the file or folder it stands for, or give that as "source" (in git, a file that became a link is a change a reviewer may not see).'

export async function readSource(source: string, options: ReadOptions): Promise<ImportSource> {
  let info
  try {
    info = await lstat(source)
  } catch {
    throw refuse(source, 'no such file or folder (relative paths start at the workspace)')
  }
  const link = info.isSymbolicLink() ? source : await linkOnTheWay(source, options.workspace)
  if (link === source) throw refuse(source, 'it is a symbolic link', LINK_FIX)
  if (link) throw refuse(source, `its path goes through the symbolic link ${logValue(link)}`, LINK_FIX)
  return info.isDirectory() ? readFolder(source) : readZip(source, options)
}

/**
 * The first folder between `workspace` and `source` that is a symbolic link: a commit plants one
 * as easily as a file. The folders above the workspace are the runner's, and a source outside it
 * (a path the workflow gave) is checked only for itself.
 */
async function linkOnTheWay(source: string, workspace: string | undefined): Promise<string | undefined> {
  if (!workspace || !isWithin(workspace, source)) return undefined
  const steps = path.relative(workspace, source).split(path.sep).filter(Boolean)
  for (let depth = 1; depth < steps.length; depth++) {
    const folder = path.join(workspace, ...steps.slice(0, depth))
    if ((await lstat(folder)).isSymbolicLink()) return folder
  }
  return undefined
}

async function readZip(file: string, options: ReadOptions): Promise<ImportSource> {
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
  const folder = await mkdtemp(path.join(options.tempRoot, 'koreai-import-source-'))
  options.temporary?.replace('import-source', folder)
  const { extractZip } = await import('@actions/tool-cache')
  try {
    await extractZip(file, folder)
  } catch (error) {
    throw refuse(file, `unpacking it failed (${oneLine(errorMessage(error), 200)})`)
  }
  // The zip's own sha256 identifies the source; its entries' CRCs were checked just now: the
  // unpacked files are not read again, but what unzip made of them is checked as a folder's
  // are (an entry can be a link, and its text valid JSON that leads out of the folder).
  const read = await readDefinitions(folder, file, false)
  return { ...read, kind: 'zip', name: path.basename(file), sha256: await digest(file), toolName: verified.toolName }
}

async function readFolder(folder: string): Promise<ImportSource> {
  const read = await readDefinitions(folder, folder, true)
  const lines = [read.flow, read.app, read.env]
    .filter((file): file is SourceFile => file !== undefined)
    .map(file => `${file.sha256}  ${file.name}\n`)
    .join('')
  return { ...read, kind: 'folder', name: path.basename(folder), sha256: createHash('sha256').update(lines).digest('hex') }
}

/**
 * Opens a definition for reading without following a link (where the system can: not on
 * Windows, where the walk of the folder has refused links already) and without waiting on a
 * FIFO, which the handle's own stat then refuses: what is checked is what is read.
 */
const OPEN_DEFINITION = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)

/** A definition opened for reading, and what its handle says it is. */
interface OpenDefinition {
  file: SourceFile
  handle: FileHandle
}

/**
 * The definitions in `folder`: present, files, and no link anywhere in the folder (the import
 * would upload whatever a link points at). With `read` (a folder source), each is read once as a
 * stream, checked to be JSON and hashed; a zip's were checked by the verifier. env_variables.json
 * is parsed (to settle its values), and app_definition.json's tool name read, from the same pass.
 */
async function readDefinitions(folder: string, shown: string, read: boolean): Promise<Definitions> {
  const opened: OpenDefinition[] = []
  // A folder's links are the user's to replace; a zip's came with it: no export holds one.
  const linkFix = read ? LINK_FIX : SOURCE_FIX
  try {
    const one = async (name: string, required: boolean): Promise<OpenDefinition | undefined> => {
      const definition = await openDefinition(folder, name, shown, required, linkFix)
      if (definition) opened.push(definition)
      return definition
    }
    const flow = (await one(FLOW_DEFINITION, true))!
    const app = (await one(APP_DEFINITION, true))!
    const env = await one(ENV_VARIABLES, false)
    const links = await linksIn(folder)
    if (links.length > 0) {
      const shownLinks = links.slice(0, 5).map(name => logValue(name))
      const more = links.length > shownLinks.length ? ` and ${links.length - shownLinks.length} more` : ''
      throw refuse(
        shown,
        `${shownLinks.join(', ')}${more} ${links.length === 1 ? 'is a symbolic link' : 'are symbolic links'}, which could lead out of it`,
        linkFix
      )
    }
    if (env && env.file.size > MAX_ENV_BYTES) throw refuse(shown, `its ${ENV_VARIABLES} is larger than ${MAX_ENV_BYTES / 1024 / 1024} MiB`)
    const readOne = async ({ file, handle }: OpenDefinition, keep: boolean): Promise<Buffer | undefined> => {
      const kept: Buffer[] | undefined = keep ? [] : undefined
      const hash = read ? createHash('sha256') : undefined
      const json = read ? new JsonSyntaxChecker() : undefined
      try {
        await eachPiece(handle, piece => {
          hash?.update(piece)
          json?.push(piece)
          kept?.push(Buffer.from(piece))
        })
        json?.end()
      } catch (error) {
        if (error instanceof JsonSyntaxError) throw refuse(shown, `its ${file.name} is not valid JSON (${error.message})`)
        throw error
      }
      if (hash) file.sha256 = hash.digest('hex')
      return kept && Buffer.concat(kept)
    }
    if (read) await readOne(flow, false)
    // The tool's name is read from the same pass, when the file is small enough to keep.
    const appText = read ? await readOne(app, app.file.size <= TOOL_NAME_SOURCE_LIMIT) : undefined
    let envValue: unknown
    if (env) {
      envValue = parseDefinition((await readOne(env, true))!)
      if (envValue === undefined) throw refuse(shown, `its ${ENV_VARIABLES} is not valid JSON`)
    }
    return {
      flow: flow.file,
      app: app.file,
      env: env?.file,
      envValue,
      toolName: appText && toolNameFrom(parseDefinition(appText))
    }
  } finally {
    await Promise.all(opened.map(({ handle }) => handle.close()))
  }
}

type Definitions = Pick<ImportSource, 'flow' | 'app' | 'env' | 'envValue' | 'toolName'>

/** One definition, opened; undefined when an optional one is absent. */
async function openDefinition(
  folder: string,
  name: string,
  shown: string,
  required: boolean,
  linkFix: string
): Promise<OpenDefinition | undefined> {
  const full = path.join(folder, name)
  let handle: FileHandle
  try {
    handle = await open(full, OPEN_DEFINITION)
  } catch (error) {
    const code = errorCode(error)
    // O_NOFOLLOW's refusal of a link: ELOOP (Linux, macOS), EMLINK (FreeBSD).
    if (code === 'ELOOP' || code === 'EMLINK') throw refuse(shown, `${name} is a symbolic link, which could lead out of it`, linkFix)
    if (code === 'EISDIR') throw refuse(shown, `${name} is not a file`)
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw refuse(shown, `its ${name} cannot be read (${code ?? errorMessage(error)})`)
    if (!required) return undefined
    throw refuse(shown, `it holds no ${name}, which the import API requires`)
  }
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw refuse(shown, `${name} is not a file`)
    return { file: { name, path: full, size: info.size }, handle }
  } catch (error) {
    await handle.close()
    throw error
  }
}

/** Every symbolic link below `root`, by its path from there, none followed. */
async function linksIn(root: string): Promise<string[]> {
  const links: string[] = []
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isSymbolicLink()) links.push(path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
  }
  return links.sort()
}

async function digest(file: string): Promise<string> {
  const hash = createHash('sha256')
  const handle = await open(file, 'r')
  try {
    await eachPiece(handle, piece => hash.update(piece))
  } finally {
    await handle.close()
  }
  return hash.digest('hex')
}

/**
 * A whole file, piece by piece, read into one buffer used again and again (`use` must not keep
 * a piece): a stream's fresh buffer per piece would leave a hundred MiB of garbage outside the
 * heap, which the collector finds late, and the step's peak RSS would grow with the file.
 */
async function eachPiece(handle: FileHandle, use: (piece: Buffer) => void): Promise<void> {
  const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES)
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null)
    if (bytesRead === 0) break
    use(buffer.subarray(0, bytesRead))
  }
}
