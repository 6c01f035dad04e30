import { describe, expect, it } from '@jest/globals'
import * as path from 'node:path'
import { getImportSettings } from '../../../src/import/settings.js'
import { settingsReader } from '../settings-reader.js'

const { read, refusal } = settingsReader(getImportSettings, { GITHUB_WORKSPACE: '/ws' })
const base = { host: 'https://platform.example', key: 'kg-key', source: 'backups/tool.zip' }

describe('getImportSettings', () => {
  it('reads a new tool, the source relative to the workspace, no backup', () => {
    const settings = read({ ...base, toolName: 'Restored' }).run()
    expect(settings.source).toBe(path.resolve('/ws', 'backups/tool.zip'))
    expect(settings.toolName).toBe('Restored')
    expect(settings.backupBefore).toBe(false)
    expect(settings.dryRun).toBe(false)
    expect(settings.timeoutMs).toBe(600_000)
  })

  it('backs up an existing tool by default, which needs its flowId', () => {
    expect(read({ ...base, toolId: 'a-1', flowId: 'cf-1' }).run().backupBefore).toBe(true)
    expect(refusal({ ...base, toolId: 'a-1' })).toMatch(/"flowId".*"backupBefore"/)
    expect(read({ ...base, toolId: 'a-1', backupBefore: 'false' }).run().backupBefore).toBe(false)
  })

  it('refuses toolId with toolName, and neither', () => {
    expect(refusal({ ...base, toolId: 'a-1', flowId: 'cf', toolName: 'x' })).toContain('cannot be given together')
    expect(refusal(base)).toContain('one of the inputs "toolName"')
  })

  it('reads envValues as an object of strings, masking every value, never quoting the text', () => {
    const { run, masked } = read({ ...base, toolName: 'x', envValues: '{"A":"secret-a","B":"secret-b"}' })
    expect(run().envValues).toEqual({ A: 'secret-a', B: 'secret-b' })
    expect(masked).toEqual(expect.arrayContaining(['kg-key', 'secret-a', 'secret-b']))
    expect(refusal({ ...base, toolName: 'x', envValues: '["a"]' })).toContain('JSON object')
    expect(refusal({ ...base, toolName: 'x', envValues: '{"A": 1}' })).toContain('"A"')
    const broken = refusal({ ...base, toolName: 'x', envValues: '{"A": "secret-zzz"' })
    expect(broken).toContain('not valid JSON')
    expect(broken).not.toContain('secret-zzz')
  })

  it('refuses a toolId or flowId holding a space or a control character', () => {
    const message = refusal({ ...base, toolId: 'a-banking assistant', flowId: 'cf\u00071' })
    expect(message).toContain('input "toolId" holds the character U+0020 (SPACE) at position 10')
    expect(message).toContain('input "flowId" holds the character U+0007 at position 3')
    expect(refusal({ ...base, toolName: 'Banking Assistant', flowId: 'c f' })).toContain('input "flowId" holds the character U+0020')
    expect(read({ ...base, toolName: 'Banking Assistant (restored)' }).run().toolName).toBe('Banking Assistant (restored)')
  })

  it('requires source, host and key, listing every problem at once', () => {
    const message = refusal({ toolName: 'x' })
    for (const name of ['"source"', '"host"', '"key"']) expect(message).toContain(name)
  })
})
