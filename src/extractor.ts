/**
 * Unpacks the export into a folder of the repository, so that a pull request shows what changed.
 * The archive was verified before it got here (export-verifier.ts: names, sizes, CRCs); it is
 * unpacked (with @actions/tool-cache) into a temporary folder beside the target, its links
 * checked, and swapped in only when complete, so a refused or broken archive leaves the target
 * as it was.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, mkdtemp, readdir, readlink, rename, rm, statfs } from 'node:fs/promises'
import * as path from 'node:path'
import { ActionError, errorMessage } from './errors.js'
import { formatBytes } from './log-text.js'
import type { TrackedPaths } from './temporary-paths.js'
import { compareTrees, hasChanges, type Listing, type TreeChanges } from './tree-compare.js'

export interface Extraction {
  folder: string
  files: number
  changed: boolean
  changes: TreeChanges
}

export interface ExtractOptions {
  /** What the files take unpacked (from the verified entries): checked against the free space first. */
  bytes: number
  temporary?: TrackedPaths
}

export async function extractExport(file: string, folder: string, opts: ExtractOptions): Promise<Extraction> {
  const refuse = (reason: string): ActionError =>
    new ActionError(
      `Refusing to unpack ${path.basename(file)}: ${reason}. Nothing was written; ${folder} was left as it was.`,
      `The export is not what the platform makes: inspect the file kept at ${file} (it was not uploaded), and export the tool again.`
    )
  await mkdir(path.dirname(folder), { recursive: true })
  // A disk that fills while unpacking would stall the unzip tool, waiting for an answer: know first.
  const { bavail, bsize } = await statfs(path.dirname(folder))
  const free = bavail * bsize
  if (free < opts.bytes) {
    throw new ActionError(
      `Unpacking the export needs ${formatBytes(opts.bytes)} but ${path.dirname(folder)} has ${formatBytes(free)} left: no space left on the device. Nothing was written; ${folder} was left as it was.`,
      'Free some space on the runner, or unpack onto another disk with "extractPath".'
    )
  }
  const staging = await mkdtemp(path.join(path.dirname(folder), `.${path.basename(folder)}.unpack-`))
  opts.temporary?.replace('unpack', staging)
  try {
    const { extractZip } = await import('@actions/tool-cache')
    try {
      await extractZip(file, staging)
    } catch (error) {
      throw refuse(`unpacking failed (${errorMessage(error)})`)
    }
    const after = await listTree(staging)
    for (const [name, what] of after) {
      if (what.startsWith('link:') && !linkStaysInside(staging, name, what.slice('link:'.length))) {
        throw refuse(`the link ${JSON.stringify(name)} points outside the folder`)
      }
    }
    const before = await listTree(folder)
    const changes = compareTrees(before, after)
    const changed = hasChanges(changes)
    if (changed) await swapIn(staging, folder)
    return { folder, files: [...after.values()].filter(v => v.startsWith('file:')).length, changed, changes }
  } finally {
    await rm(staging, { recursive: true, force: true })
    opts.temporary?.replace('unpack', undefined)
  }
}

function linkStaysInside(root: string, name: string, target: string): boolean {
  if (path.isAbsolute(target)) return false
  const resolved = path.resolve(root, path.dirname(name), target)
  const relative = path.relative(root, resolved)
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)
}

/** Every entry below `root` (none when it does not exist), links listed and not followed. */
async function listTree(root: string): Promise<Listing> {
  const listing: Listing = new Map()
  const walk = async (relative: string): Promise<void> => {
    let children
    try {
      children = await readdir(path.join(root, relative), { withFileTypes: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && relative === '') return
      throw error
    }
    for (const child of children) {
      const name = relative ? `${relative}/${child.name}` : child.name
      const full = path.join(root, name)
      if (child.isSymbolicLink()) listing.set(name, `link:${await readlink(full)}`)
      else if (child.isDirectory()) {
        listing.set(name, 'dir')
        await walk(name)
      } else listing.set(name, `file:${await digest(full)}`)
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
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  try {
    await rename(staging, folder)
  } catch (error) {
    if (moved) await rename(old, folder)
    throw error
  }
  if (moved) await rm(old, { recursive: true, force: true })
}
