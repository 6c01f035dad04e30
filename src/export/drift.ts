/**
 * The drift check's verdict (`extract: check`, issue 25): when the platform's tool differs in value
 * from the folder in git, the step fails with one error that names the folder as the user gave it,
 * the first files that differ, and what to do. Pure.
 */
import * as path from 'node:path'
import { ActionError } from '../errors.js'
import { isWithin } from '../file-naming.js'
import { describeFileChange, type FileChange } from '../report/file-change.js'

/** The platform's tool differs from git: the export went well, the step fails all the same. */
export class DriftError extends ActionError {
  constructor(message: string, fix: string) {
    super(message, fix)
    this.name = 'DriftError'
  }
}

/** One tool's comparison: its name, the folder compared with (absolute), what differs in it. */
export interface Compared {
  name: string
  folder: string
  fileChanges: FileChange[]
}

/** How many files the error names for one tool; `changes` and the summary list them all. */
const MOST_FILES = { one: 5, many: 3 }

/**
 * A folder as the user gave it: relative to the workspace, with `/`, when it lies inside it (as
 * extractPath is read); else as it is.
 */
export function folderAsGiven(folder: string, env: NodeJS.ProcessEnv): string {
  const workspace = path.resolve(env.GITHUB_WORKSPACE || process.cwd())
  if (!isWithin(workspace, folder) || path.resolve(folder) === workspace) return folder
  return path.relative(workspace, folder).split(path.sep).join('/')
}

/**
 * The one error for the tools whose folder differs from the export, or undefined when none does.
 * `many`: a set, whose error names each tool that differs, out of the tools compared.
 */
export function driftError(compared: Compared[], many: boolean, env: NodeJS.ProcessEnv): DriftError | undefined {
  const differing = compared.filter(tool => tool.fileChanges.length > 0)
  if (differing.length === 0) return undefined
  const files = (changes: FileChange[], most: number): string => {
    const named = changes.slice(0, most).map(describeFileChange).join(', ')
    const more = changes.length - most
    return more > 0 ? `${named}, and ${more} more file${more === 1 ? '' : 's'}` : named
  }
  const written = 'Nothing was written (extract: check).'
  const takeIt = 'or run with extract: true to take it into git.'
  if (!many) {
    const [tool] = differing
    return new DriftError(
      `The platform's tool differs from ${folderAsGiven(tool.folder, env)}: ${files(tool.fileChanges, MOST_FILES.one)}. ${written}`,
      `Review the change on the platform (was the tool edited outside the release flow?), ${takeIt}`
    )
  }
  const each = differing.map(
    tool => `${tool.name} differs from ${folderAsGiven(tool.folder, env)}: ${files(tool.fileChanges, MOST_FILES.many)}`
  )
  return new DriftError(
    `The platform's tools differ from git (${differing.length} of ${compared.length}): ${each.join('; ')}. ${written}`,
    `Review each change on the platform (was the tool edited outside the release flow?), ${takeIt}`
  )
}
