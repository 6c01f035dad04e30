import { describe, expect, it } from '@jest/globals'
import * as path from 'node:path'
import { folderKey, holdsOnSomeRunner, nameKey, sharedKeys } from '../../../src/settings/same-name.js'

describe('nameKey', () => {
  it('is one for every spelling some runner takes for the same name', () => {
    for (const name of ['Nightly', 'nightly', 'NIGHTLY', 'nightly.', 'nightly..', 'nightly ', 'Nightly. '])
      expect(nameKey(name)).toBe('nightly')
  })

  it('keeps what every runner tells apart', () => {
    expect(new Set(['nightly', 'nightly.zip', '.nightly', 'night ly', 'nightly-1'].map(nameKey)).size).toBe(5)
  })
})

describe('folderKey and holdsOnSomeRunner', () => {
  it('take folders that differ only in case or trailing dots for one', () => {
    expect(folderKey('/ws/Exports/nightly.')).toBe(folderKey('/ws/exports/NIGHTLY'))
    expect(folderKey('/ws/exports/nightly')).not.toBe(folderKey('/ws/exports/nightly.zip'))
  })

  it('see a folder hold itself and what lies below it, whatever the case', () => {
    expect(holdsOnSomeRunner('/ws/Exports', '/ws/exports/zips')).toBe(true)
    expect(holdsOnSomeRunner('/ws/exports', '/ws/Exports')).toBe(true)
    expect(holdsOnSomeRunner('/ws/exports/zips', '/ws/exports')).toBe(false)
    expect(holdsOnSomeRunner('/ws/export', '/ws/exports')).toBe(false)
    expect(holdsOnSomeRunner('/', '/ws')).toBe(true)
  })

  it('resolve before comparing', () => {
    expect(holdsOnSomeRunner('/ws/a/../b', path.join('/ws', 'B', 'c'))).toBe(true)
  })
})

describe('sharedKeys', () => {
  it('groups the items that share a key, in order, and leaves the rest', () => {
    expect(sharedKeys(['a', 'B', 'c', 'b', 'A', 'b.'], nameKey)).toEqual([
      ['a', 'A'],
      ['B', 'b', 'b.']
    ])
    expect(sharedKeys(['a', 'b'], nameKey)).toEqual([])
  })
})
