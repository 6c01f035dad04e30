import { describe, expect, it } from '@jest/globals'
import { idCharacterProblem, keyCharacterProblem } from '../../../src/settings/inputs.js'

describe('idCharacterProblem', () => {
  it('takes an opaque id as it is', () => {
    for (const id of ['a-3c5e8f10-1b2d', 'cf-9a8b', 'ünïcode-id', 'a:b/c?d', 'x']) expect(idCharacterProblem(id)).toBeUndefined()
  })

  it.each([
    ['a-banking assistant', 'U+0020 (SPACE) at position 10'],
    ['cf-\t1', 'U+0009 (CHARACTER TABULATION) at position 4'],
    ['cf\n-1', 'U+000A (LINE FEED) at position 3'],
    ['a-1\r', 'U+000D (CARRIAGE RETURN) at position 4'],
    ['a-\u00071', 'U+0007 at position 3'],
    ['a-\u007f', 'U+007F at position 3'],
    ['a-\u0085', 'U+0085 at position 3'],
    ['a-1\u00a0', 'U+00A0 (NO-BREAK SPACE) at position 4'],
    ['a-\u200b1', 'U+200B (ZERO WIDTH SPACE) at position 3'],
    ['\ufeffa-1', 'U+FEFF (ZERO WIDTH NO-BREAK SPACE) at position 1'],
    ['a-\u20601', 'U+2060 (WORD JOINER) at position 3'],
    ['a-\u202e1', 'U+202E at position 3'],
    ['😀 a', 'U+0020 (SPACE) at position 2']
  ])('names the first character %j cannot hold, and where it is', (id, named) => {
    expect(idCharacterProblem(id)).toBe(
      `holds the character ${named}; an id holds no space, line break, control or invisible character (copy it again from the platform)`
    )
  })
})

describe('keyCharacterProblem', () => {
  it('still names an invisible character in a key as before', () => {
    expect(keyCharacterProblem('kg-\u200bx')).toBe(
      'holds the character U+200B (ZERO WIDTH SPACE) at position 4; API keys are printable ASCII'
    )
    expect(keyCharacterProblem('kg-é')).toBe('holds the character U+00E9 at position 4; API keys are printable ASCII')
    expect(keyCharacterProblem('kg-ok')).toBeUndefined()
  })
})
