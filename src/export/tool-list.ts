/**
 * The `tools` input: one tool a line, `<toolId> <flowId> [name]`. Pure.
 */
import { idCharacterProblem } from '../settings/inputs.js'

export interface ListedTool {
  toolId: string
  flowId: string
  /** Names the tool's file folder, artifact and unpack folder: letters, digits, `-`, `_`, `.`. */
  name: string
}

const NAME = /^[A-Za-z0-9._-]+$/

/** The tools, or every problem (each named by its line number). Blank lines and `#` lines are skipped. */
export function parseToolList(text: string): { tools: ListedTool[]; problems: string[] } {
  const tools: ListedTool[] = []
  const problems: string[] = []
  const names = new Map<string, number>()
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    const number = index + 1
    if (!line || line.startsWith('#')) return
    const fields = line.split(/\s+/)
    if (fields.length < 2 || fields.length > 3) {
      problems.push(`line ${number} has ${fields.length} field${fields.length === 1 ? '' : 's'}; expected "<toolId> <flowId> [name]"`)
      return
    }
    const [toolId, flowId, given] = fields
    // White space cannot be inside a field (it parts them), but a control or invisible character can.
    const idProblems = [
      ['tool id', toolId],
      ['flow id', flowId]
    ].flatMap(([what, id]) => {
      const problem = idCharacterProblem(id)
      return problem ? [`line ${number}: the ${what} ${problem}`] : []
    })
    if (idProblems.length) {
      problems.push(...idProblems)
      return
    }
    const name = given ?? toolId
    if (!NAME.test(name) || name === '.' || name === '..') {
      // Quoted as JSON: a control character in a name is shown escaped, never printed as it is.
      problems.push(
        given
          ? `line ${number}: the name ${JSON.stringify(given)} may hold only letters, digits, "-", "_" and "."`
          : `line ${number}: the tool id ${JSON.stringify(toolId)} cannot name files; add a name (letters, digits, "-", "_", ".") as a third field`
      )
      return
    }
    const earlier = names.get(name.toLowerCase())
    if (earlier !== undefined) {
      problems.push(`line ${number}: the name "${name}" is already used on line ${earlier} (names must differ, ignoring case)`)
      return
    }
    names.set(name.toLowerCase(), number)
    tools.push({ toolId, flowId, name })
  })
  if (tools.length === 0 && problems.length === 0) problems.push('lists no tool (only blank lines and comments)')
  return { tools, problems }
}
