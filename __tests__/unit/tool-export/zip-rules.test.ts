import { describe, expect, it } from '@jest/globals'
import { compressionProblem, entryNameProblem } from '../../../src/tool-export/zip-rules.js'

describe('entryNameProblem', () => {
  it.each(['flow_definition.json', 'sub/dir/file.json', 'a..b.json', '...json'])('accepts %j', name => {
    expect(entryNameProblem(name)).toBeUndefined()
  })
  it.each([
    ['../evil.json', /climbs out/],
    ['sub/../../evil.json', /climbs out/],
    ['sub\\..\\evil.json', /climbs out/],
    ['/etc/passwd', /absolute/],
    ['\\windows\\x', /absolute/],
    ['C:/x.json', /absolute/],
    ['bad\u0001name', /control/],
    ['bad\nname', /control/]
  ])('refuses %j', (name, reason) => {
    expect(entryNameProblem(name)).toMatch(reason)
  })
})

describe('compressionProblem', () => {
  it('reads stored and deflate', () => {
    expect(compressionProblem(0)).toBeUndefined()
    expect(compressionProblem(8)).toBeUndefined()
  })
  it('names any other method', () => {
    expect(compressionProblem(12)).toBe('is compressed with bzip2 (method 12), which the action does not read (only stored and deflate)')
    expect(compressionProblem(9)).toMatch(/^is compressed with Deflate64 \(method 9\)/)
    expect(compressionProblem(77)).toMatch(/^is compressed with method 77,/)
  })
})
