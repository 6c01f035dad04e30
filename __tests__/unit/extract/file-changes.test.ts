import { describe, expect, it } from '@jest/globals'
import { countLineChanges, countLines, sortChanges } from '../../../src/extract/file-changes.js'
import { describeFileChange } from '../../../src/report/file-change.js'

describe('countLineChanges', () => {
  it('counts the lines added and removed, as git diff would', () => {
    expect(countLineChanges('a\nb\nc\n', 'a\nB\nc\nd\n')).toEqual({ added: 2, removed: 1 })
    expect(countLineChanges('a\n', 'a\n')).toEqual({ added: 0, removed: 0 })
  })
})

describe('countLines', () => {
  it('counts a last line without a newline, and none in an empty text', () => {
    expect(countLines('')).toBe(0)
    expect(countLines('a\nb\n')).toBe(2)
    expect(countLines('a\nb')).toBe(2)
  })
})

describe('describeFileChange', () => {
  it('one line per file, with the lines when counted', () => {
    expect(describeFileChange({ kind: 'added', name: 'flow_definition.json', lines: { added: 12, removed: 0 } })).toBe(
      'added flow_definition.json (+12 -0 lines)'
    )
    expect(describeFileChange({ kind: 'changed', name: 'a/b.json', lines: { added: 1, removed: 0 } })).toBe('changed a/b.json (+1 -0 line)')
    expect(describeFileChange({ kind: 'removed', name: 'notes.txt' })).toBe('removed notes.txt')
  })
})

describe('sortChanges', () => {
  it('lists added, then changed, then removed, by name', () => {
    const sorted = sortChanges([
      { kind: 'removed', name: 'a' },
      { kind: 'changed', name: 'z' },
      { kind: 'added', name: 'y' },
      { kind: 'added', name: 'b' }
    ])
    expect(sorted.map(describeFileChange)).toEqual(['added b', 'added y', 'changed z', 'removed a'])
  })
})
