import { describe, expect, it } from '@jest/globals'
import { JsonSyntaxChecker, MAX_DEPTH } from '../../../src/tool-export/json-syntax.js'
import { JsonSyntaxError } from '../../../src/errors.js'

/** Checks `text` fed in pieces of `piece` bytes; true, or the error's message. */
function check(text: string | Buffer, piece = 0): true | string {
  const bytes = Buffer.from(text)
  const checker = new JsonSyntaxChecker()
  try {
    if (piece === 0) checker.push(bytes)
    else for (let at = 0; at < bytes.length; at += piece) checker.push(bytes.subarray(at, at + piece))
    checker.end()
    return true
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error
    return error.message
  }
}

const isJson = (text: string): boolean => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

describe('JsonSyntaxChecker', () => {
  const samples = [
    '{}',
    '[]',
    '0',
    '-0',
    '1.5',
    '-1.5e-3',
    '1E+5',
    '"a"',
    '"\\u00e9\\n\\/"',
    'true',
    'false',
    'null',
    ' [ true , false , null ] ',
    '{"a":{"b":[1,2,{"c":"d"}]}}',
    '[1.0e10,2]',
    '01',
    '1.',
    '.5',
    '-',
    '"\\x"',
    '{"a":1,}',
    '[1,]',
    '[1 2]',
    '{"a" 1}',
    '[}',
    '{]',
    'tru',
    'nul',
    '"a\nb"',
    '1 2',
    '[1e]',
    '[-01]',
    '[0e+]',
    '"\\uABCg"',
    '',
    '   ',
    '{,}',
    '[,1]',
    '0x1',
    '[00]',
    '{1:2}'
  ]
  it.each(samples)('agrees with JSON.parse on %j, whole and byte by byte', text => {
    for (const piece of [0, 1, 2, 3]) expect(check(text, piece) === true).toBe(isJson(text))
  })

  it('agrees with JSON.parse on random texts of JSON characters', () => {
    const alphabet = '{}[]",:0123456789-+.eEtrufalsn \\u\n'
    let seed = 42
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    for (let i = 0; i < 20_000; i++) {
      let text = ''
      for (let j = 1 + Math.floor(random() * 10); j > 0; j--) text += alphabet[Math.floor(random() * alphabet.length)]
      expect([text, check(text, 1) === true]).toEqual([text, isJson(text)])
    }
  })

  it('accepts a definition split at every possible place', () => {
    const text = JSON.stringify({ name: 'Bank "Bot"', nodes: [{ id: 1, prompt: 'é\u0001\n', t: -0.25e-7 }, null, true] }, null, 2)
    for (let piece = 1; piece <= 9; piece++) expect(check(text, piece)).toBe(true)
  })

  it('says why and where the text stops being JSON', () => {
    expect(check('{"a": 1,}')).toBe('an object key that is not a string at byte 8')
    expect(check('{"a": [1, 2}')).toBe('a closing bracket that does not match at byte 11')
    expect(check('<html>')).toBe('a character that cannot start a value at byte 0')
    expect(check('{"a": "b"')).toBe('the text ends in the middle of a value at byte 9')
    expect(check('')).toBe('an empty file at byte 0')
    expect(check('{} {}')).toBe('more text after the JSON value at byte 3')
  })

  it('finds a quote, a backslash or a control character at every place of a word, whatever the memory offset', () => {
    // Strings are scanned four bytes at a time from 4-byte boundaries of the chunk's memory.
    for (let offset = 0; offset < 8; offset++) {
      for (let at = 0; at < 12; at++) {
        for (const [inner, valid] of [
          ['"', false],
          ['\\"', true],
          ['\u0001', false],
          ['é', true]
        ] as const) {
          const content = 'abcdefghijkl'.slice(0, at) + inner + 'mnopqrst'
          const text = `["${content}"]`
          const memory = Buffer.alloc(offset + Buffer.byteLength(text))
          memory.write(text, offset)
          const checker = new JsonSyntaxChecker()
          let ok = true
          try {
            checker.push(memory.subarray(offset))
            checker.end()
          } catch {
            ok = false
          }
          expect([text, offset, ok]).toEqual([text, offset, valid])
          expect(ok).toBe(isJson(text))
        }
      }
    }
  })

  it('tolerates a UTF-8 byte order mark before the text, whatever the pieces', () => {
    const text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')])
    for (const piece of [0, 1, 2, 4]) expect(check(text, piece)).toBe(true)
  })

  it('refuses a mark that is cut short, or a second one', () => {
    expect(check(Buffer.from([0xef, 0xbb, 0x7b, 0x7d]), 1)).toBe('an incomplete byte order mark at byte 2')
    expect(check(Buffer.from([0xef, 0xbb]))).toBe('an incomplete byte order mark at byte 2')
    expect(check(Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x31]))).toBe('a character that cannot start a value at byte 3')
  })

  it('refuses nesting deeper than its fixed stack instead of growing it', () => {
    expect(check('['.repeat(MAX_DEPTH) + ']'.repeat(MAX_DEPTH))).toBe(true)
    expect(check('['.repeat(MAX_DEPTH + 1))).toBe(`nesting deeper than ${MAX_DEPTH} levels at byte ${MAX_DEPTH}`)
  })
})
