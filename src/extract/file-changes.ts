/**
 * What changed in the repository copy, file by file, for the `changes` output and the summary.
 * Pure.
 */
import { diffLines } from 'diff'

export interface FileChange {
  kind: 'added' | 'changed' | 'removed'
  /** Relative path, with `/`. */
  name: string
  /** For a JSON file: lines added and removed; undefined when not counted (not JSON, or too different to diff quickly). */
  lines?: { added: number; removed: number }
}

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

/** `+3 -1 lines`, or undefined when not counted. */
export function describeLines(change: FileChange): string | undefined {
  return change.lines && `+${change.lines.added} -${change.lines.removed} line${change.lines.added + change.lines.removed === 1 ? '' : 's'}`
}

/** One line of the `changes` output, e.g. `changed flow_definition.json (+3 -1 lines)`. */
export function describeFileChange(change: FileChange): string {
  const lines = describeLines(change)
  return `${change.kind} ${change.name}${lines ? ` (${lines})` : ''}`
}

/** Added, then changed, then removed; by name within each. */
export function sortChanges(changes: FileChange[]): FileChange[] {
  const order = { added: 0, changed: 1, removed: 2 }
  return [...changes].sort((a, b) => order[a.kind] - order[b.kind] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}
