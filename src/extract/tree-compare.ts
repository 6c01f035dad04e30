/** What changed between two listings of a folder. Pure. */

/** Relative path (always with `/`) -> what is there: `dir`, `file:<sha256>` or `link:<target>`. */
export type Listing = Map<string, string>

export interface TreeChanges {
  added: string[]
  removed: string[]
  modified: string[]
}

export function compareTrees(before: Listing, after: Listing): TreeChanges {
  const added = [...after.keys()].filter(name => !before.has(name)).sort()
  const removed = [...before.keys()].filter(name => !after.has(name)).sort()
  const modified = [...after.keys()].filter(name => before.has(name) && before.get(name) !== after.get(name)).sort()
  return { added, removed, modified }
}

export function hasChanges(changes: TreeChanges): boolean {
  return changes.added.length + changes.removed.length + changes.modified.length > 0
}

/** One line for the log, e.g. `1 added (a.json), 1 changed (b.json)`. */
export function describeChanges(changes: TreeChanges, most = 5): string {
  const part = (label: string, names: string[]): string | undefined => {
    if (names.length === 0) return undefined
    const shown = names.slice(0, most).join(', ')
    return `${names.length} ${label} (${shown}${names.length > most ? ', ...' : ''})`
  }
  const parts = [part('added', changes.added), part('changed', changes.modified), part('removed', changes.removed)]
  return parts.filter(Boolean).join(', ') || 'no changes'
}
