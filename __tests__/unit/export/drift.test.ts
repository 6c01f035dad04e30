import { describe, expect, it } from '@jest/globals'
import { DriftError, driftError, folderAsGiven } from '../../../src/export/drift.js'
import type { FileChange } from '../../../src/report/file-change.js'

const ENV = { GITHUB_WORKSPACE: '/work/ws' }
const changed = (name: string, added = 1, removed = 1): FileChange => ({ kind: 'changed', name, lines: { added, removed } })

describe('folderAsGiven', () => {
  it('names a folder in the workspace relative to it, as extractPath is given', () => {
    expect(folderAsGiven('/work/ws/koreai/banking', ENV)).toBe('koreai/banking')
  })

  it('keeps a folder outside the workspace, or the workspace itself, as it is', () => {
    expect(folderAsGiven('/runner/temp/koreai-tool-a-1', ENV)).toBe('/runner/temp/koreai-tool-a-1')
    expect(folderAsGiven('/work/ws', ENV)).toBe('/work/ws')
    expect(folderAsGiven('/work/ws-other/banking', ENV)).toBe('/work/ws-other/banking')
  })
})

describe('driftError', () => {
  it('is undefined when every folder equals its export', () => {
    expect(driftError([{ name: 'a-1', folder: '/work/ws/koreai/banking', fileChanges: [] }], false, ENV)).toBeUndefined()
    expect(driftError([], true, ENV)).toBeUndefined()
  })

  it('one tool: names the folder as given, the files with their lines, that nothing was written, and the fix', () => {
    const error = driftError(
      [
        {
          name: 'a-1',
          folder: '/work/ws/koreai/banking',
          fileChanges: [changed('flow_definition.json', 3, 1), { kind: 'added', name: 'notes.txt' }]
        }
      ],
      false,
      ENV
    )
    expect(error).toBeInstanceOf(DriftError)
    expect(error!.toString()).toBe(
      "The platform's tool differs from koreai/banking: changed flow_definition.json (+3 -1 lines), added notes.txt. Nothing was written (extract: check). " +
        'Review the change on the platform (was the tool edited outside the release flow?), or run with extract: true to take it into git.'
    )
  })

  it('names the first five files of one tool, and how many more there are', () => {
    const fileChanges = Array.from({ length: 7 }, (_, i) => changed(`f${i}.json`))
    const { message } = driftError([{ name: 'a-1', folder: '/work/ws/t', fileChanges }], false, ENV)!
    expect(message).toContain('changed f4.json (+1 -1 lines), and 2 more files.')
    expect(message).not.toContain('f5.json')
  })

  it('a set: names every tool that differs, each with its folder and first three files, and none that does not', () => {
    const error = driftError(
      [
        {
          name: 'banking',
          folder: '/work/ws/koreai/banking',
          fileChanges: [changed('a.json'), changed('b.json'), changed('c.json'), changed('d.json')]
        },
        { name: 'travel', folder: '/work/ws/koreai/travel', fileChanges: [] },
        {
          name: 'hr',
          folder: '/work/ws/koreai/hr',
          fileChanges: [{ kind: 'removed', name: 'env_variables.json', lines: { added: 0, removed: 6 } }]
        }
      ],
      true,
      ENV
    )!
    expect(error.message).toBe(
      "The platform's tools differ from git (2 of 3): banking differs from koreai/banking: changed a.json (+1 -1 lines), changed b.json (+1 -1 lines), changed c.json (+1 -1 lines), and 1 more file; " +
        'hr differs from koreai/hr: removed env_variables.json (+0 -6 lines). Nothing was written (extract: check).'
    )
    expect(error.fix).toBe(
      'Review each change on the platform (was the tool edited outside the release flow?), or run with extract: true to take it into git.'
    )
  })
})
