import { describe, expect, it } from '@jest/globals'
import { parseToolList } from '../../../src/export/tool-list.js'

describe('parseToolList', () => {
  it('reads one tool a line, skipping blanks and comments; the name defaults to the tool id', () => {
    expect(parseToolList('# tools\n\na-1 cf-1 banking-assistant\n  a-2\tcf-2  \r\n')).toEqual({
      tools: [
        { toolId: 'a-1', flowId: 'cf-1', name: 'banking-assistant' },
        { toolId: 'a-2', flowId: 'cf-2', name: 'a-2' }
      ],
      problems: []
    })
  })

  it('names every bad line by its number', () => {
    expect(parseToolList('a-1\na-2 cf-2 x y\na-3 cf-3 bad/name\nweird:id cf-4\na-5 cf-5 Banking\na-6 cf-6 banking').problems).toEqual([
      'line 1 has 1 field; expected "<toolId> <flowId> [name]"',
      'line 2 has 4 fields; expected "<toolId> <flowId> [name]"',
      'line 3: the name "bad/name" may hold only letters, digits, "-", "_" and "."',
      'line 4: the tool id "weird:id" cannot name files; add a name (letters, digits, "-", "_", ".") as a third field',
      'line 6: the name "banking" is already used on line 5 (names must differ, ignoring case)'
    ])
  })

  it('refuses a control or invisible character in an id, naming the line and where it is, never printing it', () => {
    const { tools, problems } = parseToolList('a-1 cf-1 ok\na-\u00072 cf-2 bell\na-3 cf-\u200b3\n\u001b[31m cf-4')
    expect(tools).toEqual([{ toolId: 'a-1', flowId: 'cf-1', name: 'ok' }])
    expect(problems).toEqual([
      'line 2: the tool id holds the character U+0007 at position 3; an id holds no space, line break, control or invisible character (copy it again from the platform)',
      'line 3: the flow id holds the character U+200B (ZERO WIDTH SPACE) at position 4; an id holds no space, line break, control or invisible character (copy it again from the platform)',
      'line 4: the tool id holds the character U+001B at position 1; an id holds no space, line break, control or invisible character (copy it again from the platform)'
    ])
  })

  it('quotes a bad name escaped, so a control character in it is never printed', () => {
    expect(parseToolList('a-1 cf-1 red\u001b[31m').problems).toEqual([
      'line 1: the name "red\\u001b[31m" may hold only letters, digits, "-", "_" and "."'
    ])
  })

  it('refuses a list without a tool', () => {
    expect(parseToolList('# nothing yet\n').problems).toEqual(['lists no tool (only blank lines and comments)'])
  })
})
