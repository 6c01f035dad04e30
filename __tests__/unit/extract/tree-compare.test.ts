import { describe, expect, it } from '@jest/globals'
import { compareTrees, describeChanges, hasChanges } from '../../../src/extract/tree-compare.js'

const listing = (entries: Record<string, string>) => new Map(Object.entries(entries))

describe('compareTrees', () => {
  it('finds added, removed and modified entries by name and content', () => {
    const before = listing({ 'a.json': 'file:1', 'b.json': 'file:2', 'c.json': 'file:3', sub: 'dir' })
    const after = listing({ 'a.json': 'file:1', 'b.json': 'file:9', 'd.json': 'file:4', sub: 'dir' })
    const changes = compareTrees(before, after)
    expect(changes).toEqual({ added: ['d.json'], removed: ['c.json'], modified: ['b.json'] })
    expect(hasChanges(changes)).toBe(true)
    expect(describeChanges(changes)).toBe('1 added (d.json), 1 changed (b.json), 1 removed (c.json)')
  })

  it('sees no change between identical trees, and everything as added into an empty folder', () => {
    const tree = listing({ 'a.json': 'file:1' })
    expect(hasChanges(compareTrees(tree, listing({ 'a.json': 'file:1' })))).toBe(false)
    expect(describeChanges(compareTrees(tree, tree))).toBe('no changes')
    expect(compareTrees(new Map(), tree).added).toEqual(['a.json'])
  })

  it('shortens long lists', () => {
    const after = listing(Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`f${i}`, 'file:x'])))
    expect(describeChanges(compareTrees(new Map(), after), 2)).toBe('7 added (f0, f1, ...)')
  })
})
