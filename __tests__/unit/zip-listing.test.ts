import { describe, expect, it } from '@jest/globals'
import { makeZip } from '../../sim/zip.mjs'
import { BadArchiveError, centralDirectoryLocation, entryProblem, isSymlink, parseCentralDirectory, type ZipEntry } from '../../src/zip-listing.js'

function list(zip: Buffer): ZipEntry[] {
  const { offset, size, count } = centralDirectoryLocation(zip, 0)
  return parseCentralDirectory(zip.subarray(offset, offset + size), count)
}

describe('reading a zip listing', () => {
  it('lists the entries of an export, with their Unix modes', () => {
    const zip = makeZip([
      { name: 'flow_definition.json', data: '{}' },
      { name: 'sub/ü.json', data: '[]' },
      { name: 'link', symlinkTo: 'flow_definition.json' }
    ])
    const entries = list(zip)
    expect(entries.map(e => e.name)).toEqual(['flow_definition.json', 'sub/ü.json', 'link'])
    expect(entries.map(isSymlink)).toEqual([false, false, true])
  })

  it('finds the directory from a tail that starts mid-file', () => {
    const zip = makeZip([{ name: 'a.json', data: 'x'.repeat(5000) }])
    const tailOffset = 4000
    const { offset, count } = centralDirectoryLocation(zip.subarray(tailOffset), tailOffset)
    expect(parseCentralDirectory(zip.subarray(offset), count)[0].name).toBe('a.json')
  })

  it('refuses what is not a zip', () => {
    expect(() => centralDirectoryLocation(Buffer.from('<html>not a zip</html>'), 0)).toThrow(BadArchiveError)
    const zip = makeZip([{ name: 'a', data: 'b' }])
    const { offset, size } = centralDirectoryLocation(zip, 0)
    expect(() => parseCentralDirectory(zip.subarray(offset, offset + size - 10), 2)).toThrow(/damaged/)
  })
})

describe('entryProblem', () => {
  it.each(['flow_definition.json', 'sub/dir/file.json', 'a..b.json', '...json'])('accepts %j', name => {
    expect(entryProblem({ name })).toBeUndefined()
  })
  it.each([
    ['../evil.json', /climbs out/],
    ['sub/../../evil.json', /climbs out/],
    ['sub\\..\\evil.json', /climbs out/],
    ['/etc/passwd', /absolute/],
    ['\\windows\\x', /absolute/],
    ['C:/x.json', /absolute/],
    ['bad\u0001name', /control/]
  ])('refuses %j', (name, reason) => {
    expect(entryProblem({ name })).toMatch(reason)
  })
})
