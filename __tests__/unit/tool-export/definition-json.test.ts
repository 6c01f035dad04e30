import { describe, expect, it } from '@jest/globals'
import { definitionText, parseDefinition, toolNameFrom } from '../../../src/tool-export/definition-json.js'

const BOM = Buffer.from([0xef, 0xbb, 0xbf])

describe('parseDefinition', () => {
  it('reads a JSON text, with or without a byte order mark, from text or bytes', () => {
    expect(parseDefinition('{"a":1}')).toEqual({ a: 1 })
    expect(parseDefinition('\uFEFF{"a":1}')).toEqual({ a: 1 })
    expect(parseDefinition(Buffer.concat([BOM, Buffer.from('[1]')]))).toEqual([1])
    expect(parseDefinition('null')).toBeNull()
  })

  it('gives undefined for what is not JSON, a second mark included', () => {
    expect(parseDefinition('{')).toBeUndefined()
    expect(parseDefinition('')).toBeUndefined()
    expect(parseDefinition('\uFEFF\uFEFF{}')).toBeUndefined()
  })
})

describe('definitionText', () => {
  it('drops only a leading mark: the copy is written without it', () => {
    expect(definitionText(Buffer.concat([BOM, Buffer.from('{"a":"\uFEFF"}')]))).toBe('{"a":"\uFEFF"}')
    expect(definitionText('{}')).toBe('{}')
  })
})

describe('toolNameFrom', () => {
  it("is app_definition.json's top-level name, on one line", () => {
    expect(toolNameFrom({ name: 'Banking Assistant' })).toBe('Banking Assistant')
    expect(toolNameFrom({ name: 'two\nlines' })).toBe('two lines')
    expect(toolNameFrom({ name: 'x'.repeat(200) })).toHaveLength(100)
  })

  it('is undefined without a name that is a non-blank string', () => {
    for (const app of [undefined, null, [], 'Bot', { name: ' ' }, { name: 7 }, [{ name: 'Bot' }]]) expect(toolNameFrom(app)).toBeUndefined()
  })
})
