/**
 * Whether the run will be able to write into a folder, asked before the export job starts.
 */
import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import * as path from 'node:path'
import { errorCode } from '../errors.js'

/** Why files cannot be written into `folder` (made when missing), or undefined when they can. */
export async function writableFolderProblem(folder: string): Promise<string | undefined> {
  // The folder itself, or the nearest of its parents that exists: that one must take new entries.
  let existing = folder
  for (;;) {
    try {
      const info = await stat(existing)
      if (!info.isDirectory()) {
        return existing === folder ? `names a file, not a folder: ${folder}` : `lies inside a file, ${existing}, not a folder`
      }
      break
    } catch (error) {
      const code = errorCode(error)
      // ENOTDIR: a parent is a file; walking up finds which.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return `cannot be read (${code}): ${existing}`
      const parent = path.dirname(existing)
      if (parent === existing) return `has no existing parent: ${folder}`
      existing = parent
    }
  }
  try {
    await access(existing, constants.W_OK | constants.X_OK)
    return undefined
  } catch (error) {
    const code = errorCode(error)
    const why = code === 'EROFS' ? 'is on a read-only file system' : `cannot be written (${code})`
    return existing === folder ? `${why}: ${folder}` : `cannot be made: its parent ${existing} ${why}`
  }
}
