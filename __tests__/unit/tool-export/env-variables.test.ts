import { describe, expect, it } from '@jest/globals'
import { createHmac } from 'node:crypto'
import {
  describeEnvPolicy,
  isDamagedPlaceholder,
  isPlaceholder,
  placeholder,
  placeholderIn,
  redactEnvVariables
} from '../../../src/tool-export/env-variables.js'

const KEY = 'kg-unit-key'
const SECRET = 's3cr3t-value'

describe('placeholder', () => {
  it('is an HMAC-SHA-256 of the name and value, keyed with the API key, marked as a placeholder', () => {
    const expected = createHmac('sha256', KEY)
      .update(`TOKEN\u0000${JSON.stringify(SECRET)}`)
      .digest('hex')
    expect(placeholder('TOKEN', SECRET, KEY)).toBe(`<redacted:hmac-sha256:${expected}>`)
  })

  it('changes when the value, the name or the key changes, and holds nothing of the value', () => {
    const base = placeholder('TOKEN', SECRET, KEY)
    expect(placeholder('TOKEN', SECRET, KEY)).toBe(base)
    expect(placeholder('TOKEN', `${SECRET}!`, KEY)).not.toBe(base)
    expect(placeholder('OTHER', SECRET, KEY)).not.toBe(base)
    expect(placeholder('TOKEN', SECRET, 'kg-rotated')).not.toBe(base)
    // A number and the string of its digits are different values.
    expect(placeholder('N', 1, KEY)).not.toBe(placeholder('N', '1', KEY))
    expect(base).not.toContain(SECRET)
  })
})

describe('isPlaceholder', () => {
  it('recognises what redact writes, and nothing else', () => {
    expect(isPlaceholder(placeholder('A', 'x', KEY))).toBe(true)
    expect(isPlaceholder(placeholder('A', { nested: true }, KEY))).toBe(true)
    for (const value of [
      'x',
      '<redacted>',
      `<redacted:hmac-sha256:${'a'.repeat(63)}>`,
      `<redacted:hmac-sha256:${'A'.repeat(64)}>`,
      ` ${placeholder('A', 'x', KEY)}`,
      42,
      null,
      undefined,
      {}
    ]) {
      expect(isPlaceholder(value)).toBe(false)
    }
  })

  it('recognises a placeholder by its shape, whatever key wrote it (the API key or a redactionKey)', () => {
    const [byApiKey, byRedactionKey] = [placeholder('A', 'x', KEY), placeholder('A', 'x', 'rk-0123456789abcdef')]
    expect(byRedactionKey).not.toBe(byApiKey)
    for (const written of [byApiKey, byRedactionKey]) {
      expect(isPlaceholder(written)).toBe(true)
      expect(placeholderIn({ nested: written })).toBe('whole')
    }
  })
})

describe('isDamagedPlaceholder and placeholderIn', () => {
  it('a damaged placeholder holds the start of one, in any case, but is not a whole one', () => {
    const whole = placeholder('A', 'x', KEY)
    for (const value of ['<redacted:hmac-sha256:3f1c…9a0e>', whole.slice(0, -1), ` ${whole}`, `Bearer ${whole}`, '<REDACTED:x>'])
      expect(isDamagedPlaceholder(value)).toBe(true)
    for (const value of [whole, '***', 'REDACTED', '<redacted>', 42, null, { a: '<redacted:' }])
      expect(isDamagedPlaceholder(value)).toBe(false)
  })

  it('finds either at any depth, a damaged one first', () => {
    const whole = placeholder('A', 'x', KEY)
    expect(placeholderIn({ a: [{ b: whole }] })).toBe('whole')
    expect(placeholderIn([whole, { c: '<redacted:' }])).toBe('damaged')
    expect(placeholderIn({ a: ['***', 1, null, true] })).toBeUndefined()
    expect(placeholderIn(whole)).toBe('whole')
  })
})

describe('redactEnvVariables', () => {
  it('an array of {key, value}: keeps every name and other field, replaces each value', () => {
    const parsed = [
      { key: 'REGION', value: 'eu', isSecured: false },
      { key: 'TOKEN', value: SECRET, isSecured: true, description: 'the CRM token' }
    ]
    const result = redactEnvVariables(parsed, KEY)
    expect(result.shape).toBe('array')
    expect(result.redacted).toBe(2)
    expect(result.value).toEqual([
      { key: 'REGION', value: placeholder('REGION', 'eu', KEY), isSecured: false },
      { key: 'TOKEN', value: placeholder('TOKEN', SECRET, KEY), isSecured: true, description: 'the CRM token' }
    ])
    expect(JSON.stringify(result.value)).not.toContain(SECRET)
    // The input is not changed in place.
    expect(parsed[1].value).toBe(SECRET)
  })

  it('an array of {name, value} is the same shape', () => {
    const result = redactEnvVariables([{ name: 'REGION', value: 'eu' }], KEY)
    expect(result).toEqual({ shape: 'array', redacted: 1, value: [{ name: 'REGION', value: placeholder('REGION', 'eu', KEY) }] })
  })

  it('a plain object of names: keeps the names, replaces each value, objects included', () => {
    const result = redactEnvVariables({ REGION: 'eu', TOKEN: { value: SECRET, secure: true } }, KEY)
    expect(result.shape).toBe('object')
    expect(result.redacted).toBe(2)
    expect(result.value).toEqual({
      REGION: placeholder('REGION', 'eu', KEY),
      TOKEN: placeholder('TOKEN', { value: SECRET, secure: true }, KEY)
    })
    expect(JSON.stringify(result.value)).not.toContain(SECRET)
  })

  it('an empty list or object has nothing to redact', () => {
    expect(redactEnvVariables([], KEY)).toEqual({ shape: 'array', redacted: 0, value: [] })
    expect(redactEnvVariables({}, KEY)).toEqual({ shape: 'object', redacted: 0, value: {} })
  })

  it('anything else: every value in the file replaced, the structure kept', () => {
    const parsed = [
      { key: 'REGION', value: 'eu' },
      { id: 7, secret: SECRET, more: [SECRET, true, null] }
    ]
    const result = redactEnvVariables(parsed, KEY)
    expect(result.shape).toBe('unrecognised')
    expect(result.redacted).toBe(7)
    const text = JSON.stringify(result.value)
    for (const clear of [SECRET, '"eu"', ':7', 'true', 'null']) expect(text).not.toContain(clear)
    expect(result.value).toEqual([
      { key: placeholder('$[0].key', 'REGION', KEY), value: placeholder('$[0].value', 'eu', KEY) },
      {
        id: placeholder('$[1].id', 7, KEY),
        secret: placeholder('$[1].secret', SECRET, KEY),
        more: [placeholder('$[1].more[0]', SECRET, KEY), placeholder('$[1].more[1]', true, KEY), placeholder('$[1].more[2]', null, KEY)]
      }
    ])
    expect(redactEnvVariables(SECRET, KEY)).toEqual({ shape: 'unrecognised', redacted: 1, value: placeholder('$', SECRET, KEY) })
  })

  it('keeps a name "__proto__" as a name, not as the object\'s prototype', () => {
    const result = redactEnvVariables(JSON.parse('{"__proto__":"x"}'), KEY)
    expect(Object.keys(result.value as object)).toEqual(['__proto__'])
  })
})

describe('describeEnvPolicy', () => {
  it('says what was done, never a value', () => {
    expect(describeEnvPolicy({ policy: 'redact', shape: 'array', redacted: 1 })).toBe('redact: 1 value replaced by a placeholder')
    expect(describeEnvPolicy({ policy: 'redact', shape: 'object', redacted: 3 })).toBe('redact: 3 values replaced by placeholders')
    expect(describeEnvPolicy({ policy: 'redact', shape: 'unrecognised', redacted: 2 })).toBe(
      'redact: 2 values replaced by placeholders (a layout not recognised: every value in the file)'
    )
    expect(describeEnvPolicy({ policy: 'keep' })).toBe('keep: env_variables.json written with its values')
    expect(describeEnvPolicy({ policy: 'omit' })).toBe('omit: env_variables.json left out of the repository copy')
  })
})
