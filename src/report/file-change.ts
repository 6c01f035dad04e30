/**
 * What changed in a repository copy, file by file, as the `changes` output and the summary say
 * it. Pure. The extraction counts the lines; these are the words.
 */

export interface FileChange {
  kind: 'added' | 'changed' | 'removed'
  /** Relative path, with `/`. */
  name: string
  /** For a JSON file: lines added and removed; undefined when not counted (not JSON, or too different to diff quickly). */
  lines?: { added: number; removed: number }
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
