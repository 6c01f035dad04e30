import { describe, expect, it } from '@jest/globals'
import { canonicalJson, prettyJson } from '../../../src/tool-export/json-layout.js'

describe('prettyJson', () => {
  it('lays a minified text out as JSON.stringify(value, null, 2) does, with a newline at the end', () => {
    const value = {
      name: 'Bot',
      nodes: [
        { id: 'start', next: ['a', 'b'] },
        { id: 'end', config: {} }
      ],
      tags: [],
      on: true,
      off: null,
      n: -1.5e3
    }
    expect(prettyJson(JSON.stringify(value))).toBe(`${JSON.stringify(value, null, 2)}\n`)
  })

  it('gives one text for every layout of the same text', () => {
    const spaced = '{\r\n\t"a" : [ 1 ,2 ] ,\n "b":{ }, "c" : [\n]\n}\n'
    expect(prettyJson(spaced)).toBe('{\n  "a": [\n    1,\n    2\n  ],\n  "b": {},\n  "c": []\n}\n')
    expect(prettyJson(prettyJson(spaced))).toBe(prettyJson(spaced))
  })

  it("keeps the export's key order, integer-like keys included, where JSON.parse would move them first", () => {
    const text = '{"name":"Bot","10":"ten","2":"two"}'
    expect(prettyJson(text)).toBe('{\n  "name": "Bot",\n  "10": "ten",\n  "2": "two"\n}\n')
    // What JSON.parse + JSON.stringify would have written instead:
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['2', '10', 'name'])
  })

  it('keeps strings, escapes and numbers exactly as written', () => {
    const text = '{"s":"a \\"quoted\\" {x: [1, 2]} \\\\","u":"\\u00e9\\/","big":12345678901234567890,"f":1.0}'
    expect(prettyJson(text)).toBe(
      '{\n  "s": "a \\"quoted\\" {x: [1, 2]} \\\\",\n  "u": "\\u00e9\\/",\n  "big": 12345678901234567890,\n  "f": 1.0\n}\n'
    )
    expect(JSON.parse(prettyJson(text))).toEqual(JSON.parse(text))
  })

  it('lays out a top-level scalar on its own line', () => {
    expect(prettyJson(' "x" ')).toBe('"x"\n')
    expect(prettyJson('42')).toBe('42\n')
  })
})

describe('canonicalJson', () => {
  it('is the same for values equal whatever their key order or escapes, and differs when a value does', () => {
    const a: unknown = JSON.parse('{"b":{"y":1,"x":[1,{"q":2,"p":3}]},"a":"\\u00e9"}')
    const b = JSON.parse('{"a":"é","b":{"x":[1,{"p":3,"q":2}],"y":1.0}}') as Record<string, unknown>
    expect(canonicalJson(a)).toBe(canonicalJson(b))
    expect(canonicalJson(a)).not.toBe(canonicalJson({ ...b, a: 'e' }))
    // Array order is part of the value.
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]))
  })
})
