import { describe, expect, it } from '@jest/globals'
import { placeholder } from '../../../src/tool-export/env-variables.js'
import { describeSource, resolveEnvVariables } from '../../../src/import/env-values.js'

const KEY = 'kg-unit-key'
const hidden = (name: string, value: string): string => placeholder(name, value, KEY)

describe('resolveEnvVariables: where each value comes from', () => {
  it('takes envValues over a placeholder and over a clear value', () => {
    const source = [
      { key: 'TOKEN', value: hidden('TOKEN', 'dev-token'), secure: true },
      { key: 'REGION', value: 'eu-dev' }
    ]
    const resolved = resolveEnvVariables(source, { TOKEN: 'prod-token', REGION: 'eu-prod' }, { kind: 'none' })
    expect(resolved.value).toEqual([
      { key: 'TOKEN', value: 'prod-token', secure: true },
      { key: 'REGION', value: 'eu-prod' }
    ])
    expect(resolved.variables).toEqual([
      { name: 'TOKEN', source: 'envValues' },
      { name: 'REGION', source: 'envValues' }
    ])
    expect(resolved.missing).toEqual([])
    expect(resolved.file).toBe('source')
  })

  it("keeps an existing tool's current value over the backup's, envValues still winning", () => {
    const source = { TOKEN: hidden('TOKEN', 'old'), REGION: 'eu-backup', MODE: 'live' }
    const existing = [
      { key: 'TOKEN', value: 'current-token' },
      { key: 'REGION', value: 'eu-current' }
    ]
    const resolved = resolveEnvVariables(source, { MODE: 'test' }, { kind: 'known', file: existing })
    expect(resolved.value).toEqual({ TOKEN: 'current-token', REGION: 'eu-current', MODE: 'test' })
    expect(resolved.variables.map(v => `${v.name}:${v.source}`)).toEqual(['TOKEN:existing', 'REGION:existing', 'MODE:envValues'])
  })

  it("falls back to the backup's clear value, and lists every placeholder left without one", () => {
    const source = [
      { name: 'A', value: hidden('A', '1') },
      { name: 'B', value: 'clear' },
      { name: 'C', value: hidden('C', '3') }
    ]
    const resolved = resolveEnvVariables(source, {}, { kind: 'known', file: [{ key: 'Z', value: 'z' }] })
    expect(resolved.missing).toEqual(['A', 'C'])
    expect(resolved.variables).toEqual([{ name: 'B', source: 'backup' }])
  })

  it('in a dry run, counts on the existing tool without refusing, and says so', () => {
    const resolved = resolveEnvVariables({ A: hidden('A', '1') }, {}, { kind: 'unknown' })
    expect(resolved.missing).toEqual([])
    expect(resolved.variables).toEqual([{ name: 'A', source: 'existing' }])
    expect(describeSource('existing', true)).toContain('if the tool has one')
  })

  it("without env_variables.json in the backup: the existing tool's current file, or none for a new tool", () => {
    const current = [{ key: 'REGION', value: 'eu' }]
    const existing = resolveEnvVariables(undefined, {}, { kind: 'known', file: current })
    expect(existing.file).toBe('existing')
    expect(existing.value).toEqual(current)
    const none = resolveEnvVariables(undefined, { REGION: 'x' }, { kind: 'none' })
    expect(none.file).toBe('none')
    expect(none.value).toBeUndefined()
    expect(none.unused).toEqual(['REGION'])
  })

  it('lists names in envValues that the file does not have, and refuses placeholders in a layout it cannot read', () => {
    expect(resolveEnvVariables({ A: 'a' }, { A: 'x', NOT_THERE: 'y' }, { kind: 'none' }).unused).toEqual(['NOT_THERE'])
    const odd = resolveEnvVariables('a string', {}, { kind: 'none' })
    expect(odd.missing).toEqual([])
    const hiddenOdd = resolveEnvVariables([[hidden('$[0][0]', 'x')]], {}, { kind: 'none' })
    expect(hiddenOdd.missing).toHaveLength(1)
  })

  it('never puts a placeholder in place when it refuses, nor a value in a name', () => {
    const resolved = resolveEnvVariables([{ key: 'T', value: hidden('T', 's') }], { T: 'secret-value' }, { kind: 'none' })
    expect(JSON.stringify(resolved.variables)).not.toContain('secret-value')
  })
})
