/**
 * The deploy's inputs as one typed object, refusing bad input before any request. Host, key and
 * the timeout are read as every entry reads them (settings/inputs.ts).
 */
import { DeployInputs, Inputs } from '../constants.js'
import type { DeployAction } from '../platform/deploy-client.js'
import {
  boolean,
  idCharacterProblem,
  inputChecker,
  readConnection,
  refuseInputs,
  timeoutSeconds,
  type InputSource
} from '../settings/inputs.js'

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
