/**
 * Names and folders as the most lenient runner tells them apart, so that a step that works on
 * Linux does not overwrite itself on another runner: macOS and Windows ignore case, and Windows
 * drops a name's trailing dots and spaces (`Nightly`, `nightly` and `nightly.` are one folder
 * there). Pure: paths are compared as text, never looked up on disk.
 */
import * as path from 'node:path'

/** One key for every spelling of a file or folder name that some runner takes for the same. */
export function nameKey(name: string): string {
  return name.replace(/[. ]+$/, '').toLowerCase()
}

/** An absolute folder as one key: each of its names by nameKey. */
export function folderKey(folder: string): string {
  return folderKeys(folder).join('/')
}

/** Whether `inner` is `outer` itself, or lies below it, on some runner. */
export function holdsOnSomeRunner(outer: string, inner: string): boolean {
  const [above, below] = [folderKeys(outer), folderKeys(inner)]
  return above.length <= below.length && above.every((key, i) => key === below[i])
}

function folderKeys(folder: string): string[] {
  return path
    .resolve(folder)
    .split(/[\\/]+/)
    .filter(Boolean)
    .map(nameKey)
}

/** The groups of two or more items that share a key, in the order they first appear. */
export function sharedKeys<T>(items: T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    groups.set(k, [...(groups.get(k) ?? []), item])
  }
  return [...groups.values()].filter(group => group.length > 1)
}
