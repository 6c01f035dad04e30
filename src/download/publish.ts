/**
 * Gives a verified download the export's name, never over a file another run saved there
 * meanwhile; and says what a file on disk is, so a run can tell its own from another's. Kept
 * apart from the download itself: the export takes its first look before its first request,
 * when the zip reader is not loaded yet.
 */
import { createHash } from 'node:crypto'
import { constants, createReadStream } from 'node:fs'
import { copyFile, link, lstat, rename, rm } from 'node:fs/promises'
import * as path from 'node:path'
import { ActionError, errorCode } from '../errors.js'
import { logValue } from '../log-text.js'

/** A file on disk as lstat() tells it from any other, through renames; or a folder. */
export interface FileIdentity {
  dev: number
  ino: number
  size: number
  mtimeMs: number
  folder: boolean
}

/** What is at `filePath` now; undefined when nothing is. */
export async function fileAt(filePath: string): Promise<FileIdentity | undefined> {
  try {
    const found = await lstat(filePath)
    return { dev: found.dev, ino: found.ino, size: found.size, mtimeMs: found.mtimeMs, folder: found.isDirectory() }
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return undefined
    throw error
  }
}

const sameFile = (a: FileIdentity | undefined, b: FileIdentity | undefined): boolean =>
  !!a && !!b && a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs

/** Verified bytes under their temporary name, as publish() needs them. */
export interface Publishable {
  /** The temporary file that holds the bytes. */
  partial: string
  size: number
  sha256: string
}

/** Where publish() puts the file it found under the export's name while it looks at it. */
export const aside = (body: Pick<Publishable, 'partial'>): string => `${body.partial}.earlier`

/**
 * Gives the verified bytes the export's name, and returns the path they have. The file that was
 * there when the run began (yesterday's export) is replaced; a file another run saved there
 * meanwhile never is: this run's file then goes beside it, under a name of its own, unless it
 * holds these very bytes. So each run's file holds the bytes its sha256 describes, whatever other
 * runs do at the same time. Each step is atomic: a name is taken by link(), which fails when it
 * is taken already, and the earlier file is first moved aside by rename() and checked to be the
 * one that was there, since another run may have put its own in its place in between.
 */
export async function publish(
  body: Publishable,
  filePath: string,
  opts: { earlier?: FileIdentity; warning?: (line: string) => void }
): Promise<string> {
  for (let round = 0; round < 3; round++) {
    if (await takeName(body.partial, filePath)) return filePath
    const found = await fileAt(filePath)
    if (found?.folder) {
      throw new ActionError(
        `Saving the export as ${filePath} failed: a folder has that name.`,
        'Move or remove that folder, or save the export elsewhere with the input "path" (its file is named after the artifact, "artifactName").'
      )
    }
    if (!found) continue
    if (!sameFile(found, opts.earlier)) break
    const moved = await rename(filePath, aside(body)).then(
      () => true,
      (error: unknown) => {
        if (errorCode(error) === 'ENOENT') return false
        throw error
      }
    )
    if (moved && !sameFile(await fileAt(aside(body)), opts.earlier)) {
      // Another run's file, saved in the earlier one's place in between: it goes back.
      if (!(await takeName(aside(body), filePath))) await rename(aside(body), filePath)
    }
    await rm(aside(body), { force: true })
  }
  if (await holdsBytes(filePath, body)) return filePath
  const extension = path.extname(filePath)
  const beside = `${filePath.slice(0, filePath.length - extension.length)}.${body.sha256.slice(0, 12)}${extension}`
  // Named after its bytes: a file already there under that name holds them, or is not what its name says.
  if (!(await takeName(body.partial, beside)) && !(await holdsBytes(beside, body))) {
    await rm(beside, { force: true })
    await takeName(body.partial, beside)
  }
  opts.warning?.(
    `Another run saved ${logValue(filePath)} while this one ran, with other bytes: this run's file is ${logValue(beside)} instead (output filePath), so that it holds the bytes this run's sha256 describes.`
  )
  return beside
}

/**
 * Makes `name` a second name for `source`'s bytes, unless `name` is taken (false). Where the file
 * system has no hard links, a copy made with O_EXCL stands in: as sure to take no name twice,
 * though a reader could see it half-written.
 */
async function takeName(source: string, name: string): Promise<boolean> {
  try {
    await link(source, name)
    return true
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false
  }
  try {
    await copyFile(source, name, constants.COPYFILE_EXCL)
    return true
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false
    throw error
  }
}

/** Whether the file at `filePath` holds exactly the body's bytes. */
async function holdsBytes(filePath: string, body: Publishable): Promise<boolean> {
  const found = await fileAt(filePath)
  if (!found || found.folder || found.size !== body.size) return false
  const hash = createHash('sha256')
  try {
    for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer)
  } catch {
    return false
  }
  return hash.digest('hex') === body.sha256
}
