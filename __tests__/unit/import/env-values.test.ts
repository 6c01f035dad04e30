import { describe, expect, it } from '@jest/globals'
import { placeholder } from '../../../src/tool-export/env-variables.js'
import { describeSource, resolveEnvVariables, unsettledError } from '../../../src/import/env-values.js'

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
    expect(resolved.variables).toEqual([{ name: 'B', source: 'source' }])
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

describe('resolveEnvVariables: a placeholder at any depth, or damaged', () => {
  it('lists a variable whose value holds a placeholder anywhere inside it, in either layout', () => {
    const nested = { user: 'admin', hosts: [{ password: hidden('DB', 'x') }] }
    expect(resolveEnvVariables({ DB: nested, MODE: 'live' }, {}, { kind: 'none' }).missing).toEqual(['DB'])
    expect(resolveEnvVariables([{ key: 'DB', value: nested }], {}, { kind: 'none' }).missing).toEqual(['DB'])
  })

  it('takes the whole value from envValues or the existing tool over a nested placeholder', () => {
    const source = { DB: { password: hidden('DB', 'x') }, CACHE: { password: hidden('CACHE', 'y') } }
    const resolved = resolveEnvVariables(source, { DB: '{"password":"p"}' }, { kind: 'known', file: { CACHE: { password: 'q' } } })
    expect(resolved.missing).toEqual([])
    expect(resolved.value).toEqual({ DB: '{"password":"p"}', CACHE: { password: 'q' } })
  })

  it('lists damaged placeholders apart, nested too; look-alikes stay values', () => {
    const source = {
      ABRIDGED: '<redacted:hmac-sha256:3f1c…9a0e>',
      CUT: hidden('CUT', 'x').slice(0, 40),
      SPACED: ` ${hidden('SPACED', 'x')}`,
      SHOUTED: '<REDACTED:hmac-sha256:00>',
      INSIDE: { token: `Bearer ${hidden('INSIDE', 'x')}` },
      BOTH: [hidden('BOTH', 'x'), '<redacted:'],
      WHOLE: hidden('WHOLE', 'x'),
      MASKED: '***',
      PLAIN: 'REDACTED',
      TAG: '<redacted>'
    }
    const resolved = resolveEnvVariables(source, {}, { kind: 'none' })
    expect(resolved.damaged).toEqual(['ABRIDGED', 'CUT', 'SPACED', 'SHOUTED', 'INSIDE', 'BOTH'])
    expect(resolved.missing).toEqual(['WHOLE'])
    expect(resolved.variables.map(v => v.name)).toEqual(['MASKED', 'PLAIN', 'TAG'])
  })

  it('refuses damaged placeholders in a layout it cannot read', () => {
    expect(resolveEnvVariables([['<redacted:hmac']], {}, { kind: 'none' }).damaged).toHaveLength(1)
  })
})

describe('unsettledError', () => {
  const settle = (source: unknown) => resolveEnvVariables(source, {}, { kind: 'none' })

  it('is undefined when every variable has a value', () => {
    expect(unsettledError(settle({ A: 'a' }), { backupBefore: false })).toBeUndefined()
  })

  it('names the variables left without a value, and says where a value can come from', () => {
    const error = unsettledError(settle({ A: hidden('A', '1'), B: hidden('B', '2') }), { toolId: 'a-1', backupBefore: true })!
    expect(error.message).toBe(
      '2 environment variables of the source hold a redacted placeholder and no value is given for them, nor does the existing tool have them: A, B. A placeholder is never imported as a value; nothing was uploaded or imported.'
    )
    expect(error.fix).toContain('"envValues"')
    expect(error.fix).toContain('"backupBefore: true"')
  })

  it('names damaged placeholders in words of their own, beside missing values in one error', () => {
    const error = unsettledError(settle({ A: hidden('A', '1'), C: '<redacted:hmac-sha256:3f1c…9a0e>' }), { backupBefore: false })!
    expect(error.message).toContain('1 environment variable of the source holds a redacted placeholder and no value is given for it: A.')
    expect(error.message).toContain('1 environment variable of the source holds a damaged placeholder')
    expect(error.message).toContain('which no one meant as a value: C.')
    expect(error.fix).toContain('Put back the whole placeholder the export wrote')
  })

  it('quotes no value, and writes a name with a line break as one line', () => {
    const error = unsettledError(settle({ 'X\n::warning::': '<redacted:secret-ish' }), { backupBefore: false })!
    expect(error.message).not.toContain('secret-ish')
    expect(error.message).toContain('X%0A::warning::')
  })
})

describe('resolveEnvVariables: placeholders written with a redactionKey', () => {
  it('are never imported, as those keyed with the API key: the import needs neither key', () => {
    const file = [{ key: 'TOKEN', value: placeholder('TOKEN', 'secret', 'rk-0123456789abcdef') }]
    expect(resolveEnvVariables(file, {}, { kind: 'none' }).missing).toEqual(['TOKEN'])
    expect(resolveEnvVariables(file, { TOKEN: 'from-envValues' }, { kind: 'none' }).value).toEqual([
      { key: 'TOKEN', value: 'from-envValues' }
    ])
  })
})
