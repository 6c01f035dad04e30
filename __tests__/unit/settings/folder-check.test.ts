import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { writableFolderProblem } from '../../../src/settings/folder-check.js'

const root = mkdtempSync(path.join(os.tmpdir(), 'koreai-folders-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('writableFolderProblem', () => {
  it('accepts a folder that exists, and one still to be made under one', async () => {
    mkdirSync(path.join(root, 'there'))
    expect(await writableFolderProblem(path.join(root, 'there'))).toBeUndefined()
    expect(await writableFolderProblem(path.join(root, 'there', 'a', 'b'))).toBeUndefined()
  })

  it('names a file in the way', async () => {
    writeFileSync(path.join(root, 'file'), '')
    expect(await writableFolderProblem(path.join(root, 'file'))).toBe(`names a file, not a folder: ${path.join(root, 'file')}`)
    expect(await writableFolderProblem(path.join(root, 'file', 'sub', 'deeper'))).toBe(
      `lies inside a file, ${path.join(root, 'file')}, not a folder`
    )
  })
})
