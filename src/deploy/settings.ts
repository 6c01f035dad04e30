/**
 * The deploy's inputs as one typed object, refusing bad input before any request. Host, key and
 * the timeout are read as every entry reads them (settings/inputs.ts).
 */
import { DeployInputs, Inputs } from '../constants.js'
import type { DeployAction } from '../platform/deploy-client.js'
import { boolean, inputChecker, readConnection, refuseInputs, timeoutSeconds, type InputSource } from '../settings/inputs.js'

export interface DeploySettings {
  platform: URL
  key: string
  toolId: string
  /** deploy: the tool's in-development version; undeploy: the tool. */
  action: DeployAction
  timeoutMs: number
}

export function getDeploySettings({ getInput, setSecret }: InputSource): DeploySettings {
  const problems: string[] = []
  const text = (name: string): string => getInput(name).trim()
  const check = inputChecker(problems)
  const { platform, key } = readConnection({ getInput, setSecret }, problems)
  const toolId = text(Inputs.ToolId)
  if (!toolId) problems.push(`input "${Inputs.ToolId}" is required and was not given (the tool to deploy, "a-…")`)
  else {
    const odd = idCharacterProblem(toolId)
    if (odd) problems.push(`input "${Inputs.ToolId}" ${odd}`)
  }
  const undeploy = check(DeployInputs.Undeploy, () => boolean(text(DeployInputs.Undeploy), false))
  const timeout = check(Inputs.TimeoutSeconds, () => timeoutSeconds(text(Inputs.TimeoutSeconds)))
  refuseInputs(problems, 'Fix the step\'s "with:" block; see deploy/README.md. Nothing was sent to the platform.')
  return {
    platform: platform!,
    key,
    toolId,
    action: undeploy ? 'undeploy' : 'deploy',
    timeoutMs: Math.round(timeout! * 1000)
  }
}

/** White space, control characters and invisible format characters (zero-width space, BOM). */
const NOT_IN_AN_ID = /[\s\p{Cc}\p{Cf}]/u

const CHARACTER_NAMES: Record<string, string> = {
  ' ': 'SPACE',
  '\t': 'CHARACTER TABULATION',
  '\n': 'LINE FEED',
  '\r': 'CARRIAGE RETURN',
  '\u00a0': 'NO-BREAK SPACE',
  '\u200b': 'ZERO WIDTH SPACE',
  '\u2060': 'WORD JOINER',
  '\ufeff': 'ZERO WIDTH NO-BREAK SPACE'
}

/**
 * Names the first character a tool id cannot hold, with its position; undefined when none. Ids
 * are opaque, so only what is surely a copy mistake is refused: a space, a line break, a control
 * or an invisible character, which the platform would answer with a bare 404.
 * (The shared rule, settings/inputs.ts idCharacterProblem, replaces this once it is on main.)
 */
export function idCharacterProblem(id: string): string | undefined {
  const characters = [...id]
  const at = characters.findIndex(c => NOT_IN_AN_ID.test(c))
  if (at < 0) return undefined
  const c = characters[at]
  const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
  const name = CHARACTER_NAMES[c] ? `${code} (${CHARACTER_NAMES[c]})` : code
  return `holds the character ${name} at position ${at + 1}; an id holds no space, line break, control or invisible character (copy it again from the platform)`
}
