/**
 * How much changed in the repository copy, file by file: the lines, counted as `git diff` counts
 * them. Pure.
 */
import { diffLines } from 'diff'
import type { FileChange } from '../report/file-change.js'

/** Past this many edits, or this long, the diff gives up: a rewritten file is not worth a count. */
const MAX_EDITS = 20_000
const DIFF_TIMEOUT_MS = 2_000

/** Lines added and removed between two texts, as `git diff` would count them; undefined when it would take too long. */
export function countLineChanges(before: string, after: string): { added: number; removed: number } | undefined {
  const parts = diffLines(before, after, { maxEditLength: MAX_EDITS, timeout: DIFF_TIMEOUT_MS })
  if (!parts) return undefined
  let added = 0
  let removed = 0
  for (const part of parts) {
    if (part.added) added += part.count
    else if (part.removed) removed += part.count
  }
  return { added, removed }
}

/** The lines of a text (a last line without a newline counts). */
export function countLines(text: string): number {
  if (text === '') return 0
  let lines = 0
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines++
  return text.endsWith('\n') ? lines : lines + 1
}

/** Added, then changed, then removed; by name within each. */
export function sortChanges(changes: FileChange[]): FileChange[] {
  const order = { added: 0, changed: 1, removed: 2 }
  return [...changes].sort((a, b) => order[a.kind] - order[b.kind] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}
