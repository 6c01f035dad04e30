/**
 * Unpacks the export into a folder of the repository, so that a pull request shows what changed.
 * The archive was verified before it got here (tool-export/verify.ts: names, sizes, CRCs); it is
 * unpacked (with @actions/tool-cache) into a temporary folder beside the target, its links
 * checked, laid out for review (JSON pretty-printed, environment variables as `envVariables`
 * says), and swapped in only when complete and different in value, so a refused or broken
 * archive, or one equal to what the folder holds, leaves the target as it was. A check
 * (`extract: check`) compares the same way and swaps nothing in: it stages in the runner's temp
 * folder instead, so that neither the target nor its parent is touched. The export file itself is
 * never changed: the artifact is uploaded from it.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, statfs, writeFile } from 'node:fs/promises'
import * as path from 'node:path'
import { redactEnvVariables, type EnvPolicy, type EnvVariablesCopy } from '../tool-export/env-variables.js'
import { ActionError, errorCode, errorMessage } from '../errors.js'
import type { FileChange } from '../report/file-change.js'
import { countLineChanges, countLines, sortChanges } from './file-changes.js'
import { canonicalJson, prettyJson } from '../tool-export/json-layout.js'
import { definitionText, parseDefinition } from '../tool-export/definition-json.js'
import { formatBytes } from '../log-text.js'
import type { TrackedPaths } from '../lifecycle/temporary-paths.js'
import { compareTrees, hasChanges, type Listing, type TreeChanges } from './tree-compare.js'

export { describeChanges } from './tree-compare.js'
import { ENV_VARIABLES } from '../tool-export/zip-rules.js'
import { isWithin } from '../file-naming.js'

export interface ExtractOptions {
  /** What the repository copy holds of env_variables.json. */
  envPolicy: EnvPolicy
  /** What keys the placeholders (`redactionKey`, else the API key): readers of the repository do not hold it. */
  key: string
  /** What the files take unpacked (from the verified entries): checked against the free space first. */
  bytes: number
  /** Where a person finds the export, when `file` is a copy only the run knows. */
  keptAt?: string
  temporary?: TrackedPaths
  /** `extract: check`: compare only, staging under `tempRoot` (a folder of the runner's), and write nothing beside `folder`. */
  check?: { tempRoot: string }
}

export interface Extraction {
  folder: string
  files: number
  changed: boolean
  /** Compared by value: a JSON file whose value is unchanged is not in here. */
  changes: TreeChanges
  /** The same, file by file, with the lines changed in each JSON file. */
  fileChanges: FileChange[]
  /** Undefined when the export has no env_variables.json. */
  envVariables?: EnvVariablesCopy
}

export async function extractExport(file: string, folder: string, options: ExtractOptions): Promise<Extraction> {
  const refuse = (reason: string): ActionError =>
    new ActionError(
      `Refusing to unpack ${path.basename(options.keptAt ?? file)}: ${reason}. Nothing was written; ${folder} was left as it was.`,
      `The export is not what the platform makes: inspect the file kept at ${options.keptAt ?? file} (it was not uploaded), and export the tool again.`
    )
  // Beside the folder, the swap is one rename on one disk; a check swaps nothing, and stages
  // where it makes no entry in the repository.
  const stagingParent = options.check ? options.check.tempRoot : path.dirname(folder)
  await mkdir(stagingParent, { recursive: true })
  // A disk that fills while unpacking would stall the unzip tool, waiting for an answer: know first.
  const { bavail, bsize } = await statfs(stagingParent)
  const free = bavail * bsize
  if (free < options.bytes) {
    throw new ActionError(
      `Unpacking the export needs ${formatBytes(options.bytes)} but ${stagingParent} has ${formatBytes(free)} left: no space left on the device. Nothing was written; ${folder} was left as it was.`,
      options.check
        ? "Free some space in the runner's temp folder."
        : 'Free some space on the runner, or unpack onto another disk with "extractPath".'
    )
  }
  const staging = await mkdtemp(path.join(stagingParent, options.check ? 'koreai-check-' : `.${path.basename(folder)}.unpack-`))
  options.temporary?.replace('unpack', staging)
  try {
    const { extractZip } = await import('@actions/tool-cache')
    try {
      await extractZip(file, staging)
    } catch (error) {
      throw refuse(`unpacking failed (${errorMessage(error)})`)
    }
    const unpacked = await listTree(staging, false)
    for (const [name, what] of unpacked) {
      if (what.startsWith('link:') && !linkStaysInside(staging, name, what.slice('link:'.length))) {
        throw refuse(`the link ${JSON.stringify(name)} points outside the folder`)
      }
    }
    const envVariables = await layOutForReview(staging, unpacked, options, refuse)
    const laidOut = await listTree(staging)
    const before = await listTree(folder)
    const { changes, fileChanges } = await compareByValue(folder, staging, before, laidOut)
    const changed = hasChanges(changes)
    if (changed && !options.check) await swapIn(staging, folder)
    const files = [...laidOut.values()].filter(v => v.startsWith('file:')).length
    return { folder, files, changed, changes, fileChanges, envVariables }
  } finally {
    await rm(staging, { recursive: true, force: true })
    options.temporary?.replace('unpack', undefined)
  }
}

const isJsonName = (name: string): boolean => /\.json$/i.test(name)

/**
 * Rewrites the unpacked files as the repository keeps them: each JSON file pretty-printed in the
 * export's own key order, env_variables.json as the policy says. Each file is read whole and
 * parsed (to be sure it is JSON before it is re-indented, and to redact): acceptable for the
 * repository copy, which git and a reviewer hold whole too. A `.json` file that does not parse
 * (possible with `verify: false`) is kept as exported, except env_variables.json under `redact`.
 */
async function layOutForReview(
  staging: string,
  listing: Listing,
  { envPolicy, key }: ExtractOptions,
  refuse: (reason: string) => ActionError
): Promise<EnvVariablesCopy | undefined> {
  let envVariables: EnvVariablesCopy | undefined
  for (const [name, what] of listing) {
    if (!what.startsWith('file:') || !isJsonName(name)) continue
    const full = path.join(staging, name)
    // At any depth and in any case (on a case-insensitive disk it is the same file): a copy of
    // the variables in a subfolder must not leak what the root one hides.
    const isEnv = path.posix.basename(name).toLowerCase() === ENV_VARIABLES
    if (isEnv) envVariables ??= { policy: envPolicy }
    if (isEnv && envPolicy === 'omit') {
      await rm(full)
      continue
    }
    // Read as the verifier reads it: a byte order mark is skipped, and the copy is written without it.
    const text = definitionText(await readFile(full))
    const parsed = parseDefinition(text)
    if (parsed === undefined) {
      if (isEnv && envPolicy === 'redact') {
        // Its values cannot be found, so none can be hidden: nothing of it may be written.
        throw refuse(`${name} is not valid JSON, so its values cannot be redacted (set envVariables: omit to leave it out)`)
      }
      continue
    }
    if (isEnv && envPolicy === 'redact') {
      const redaction = redactEnvVariables(parsed, key)
      const earlier = envVariables!.shape === 'unrecognised' ? 'unrecognised' : undefined
      envVariables = { policy: envPolicy, shape: earlier ?? redaction.shape, redacted: (envVariables!.redacted ?? 0) + redaction.redacted }
      // Written from the parsed value (the clear text must not be re-indented into the copy):
      // here an integer-like name would move first, as in any JavaScript object.
      await writeFile(full, `${JSON.stringify(redaction.value, null, 2)}\n`)
    } else {
      await writeFile(full, prettyJson(text))
    }
  }
  return envVariables
}

/**
 * Compares the laid-out copy with what the folder holds by value: a JSON file whose value is
 * equal (whatever its layout or key order) is no change. Such a file already laid out as this
 * action writes takes the folder's bytes back, so a swap forced by another file does not reorder
 * it; one written otherwise (by an earlier version) takes the new layout.
 */
async function compareByValue(
  folder: string,
  staging: string,
  before: Listing,
  after: Listing
): Promise<{ changes: TreeChanges; fileChanges: FileChange[] }> {
  const byBytes = compareTrees(before, after)
  const fileChanges: FileChange[] = []
  const modified: string[] = []
  const jsonText = async (root: string, listing: Listing, name: string): Promise<string | undefined> =>
    isJsonName(name) && listing.get(name)?.startsWith('file:') ? readFile(path.join(root, name), 'utf8') : undefined
  const oldText = (name: string) => jsonText(folder, before, name)
  const newText = (name: string) => jsonText(staging, after, name)
  for (const name of byBytes.modified) {
    const [old, now] = [await oldText(name), await newText(name)]
    if (old !== undefined && now !== undefined) {
      const [oldValue, newValue] = [parseDefinition(old), parseDefinition(now)]
      if (oldValue !== undefined && newValue !== undefined && canonicalJson(oldValue) === canonicalJson(newValue)) {
        if (prettyJson(definitionText(old)) === old) await copyFile(path.join(folder, name), path.join(staging, name))
        continue
      }
    }
    modified.push(name)
    fileChanges.push({ kind: 'changed', name, lines: old !== undefined && now !== undefined ? countLineChanges(old, now) : undefined })
  }
  for (const name of byBytes.added.filter(name => after.get(name) !== 'dir')) {
    const now = await newText(name)
    fileChanges.push({ kind: 'added', name, lines: now === undefined ? undefined : { added: countLines(now), removed: 0 } })
  }
  for (const name of byBytes.removed.filter(name => before.get(name) !== 'dir')) {
    const old = await oldText(name)
    fileChanges.push({ kind: 'removed', name, lines: old === undefined ? undefined : { added: 0, removed: countLines(old) } })
  }
  return { changes: { ...byBytes, modified }, fileChanges: sortChanges(fileChanges) }
}

function linkStaysInside(root: string, name: string, target: string): boolean {
  if (path.isAbsolute(target)) return false
  const resolved = path.resolve(root, path.dirname(name), target)
  return resolved !== path.resolve(root) && isWithin(root, resolved)
}

/**
 * Every entry below `root` (none when it does not exist), links listed and not followed; files as
 * `file:<sha256>`, or as `file:` alone when `digests` is false.
 */
async function listTree(root: string, digests = true): Promise<Listing> {
  const listing: Listing = new Map()
  const walk = async (relative: string): Promise<void> => {
    let children
    try {
      children = await readdir(path.join(root, relative), { withFileTypes: true })
    } catch (error) {
      if (errorCode(error) === 'ENOENT' && relative === '') return
      throw error
    }
    for (const child of children) {
      const name = relative ? `${relative}/${child.name}` : child.name
      const full = path.join(root, name)
      if (child.isSymbolicLink()) listing.set(name, `link:${await readlink(full)}`)
      else if (child.isDirectory()) {
        listing.set(name, 'dir')
        await walk(name)
      } else listing.set(name, `file:${digests ? await digest(full) : ''}`)
    }
  }
  await walk('')
  return listing
}

async function digest(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Puts `staging` in `folder`'s place; the old folder is restored if the swap fails midway. */
async function swapIn(staging: string, folder: string): Promise<void> {
  const old = `${staging}.old`
  let moved = false
  try {
    await rename(folder, old)
    moved = true
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error
  }
  try {
    await rename(staging, folder)
  } catch (error) {
    if (moved) await rename(old, folder)
    throw error
  }
  if (moved) await rm(old, { recursive: true, force: true })
}
