/**
 * The import's inputs as one typed object, refusing bad input before any request. Host, key and
 * the timeout are read as every entry reads them (settings/inputs.ts).
 */
import * as path from 'node:path'
import { ImportInputs, Inputs } from '../constants.js'
import {
  boolean,
  idCharacterProblem,
  inputChecker,
  readConnection,
  refuseInputs,
  timeoutSeconds,
  type InputSource
} from '../settings/inputs.js'

export interface ImportSettings {
  platform: URL
  key: string
  /** The export to import: an absolute path to a zip or a folder. */
  source: string
  /** Import as a new version of this tool; undefined: a new tool named `toolName`. */
  toolId?: string
  toolName?: string
  /** The existing tool's call flow id, for the backup. */
  flowId?: string
  /** Export the existing tool before the import (always false for a new tool). */
  backupBefore: boolean
  /** Values by variable name; each one registered as a secret when read. */
  envValues: Record<string, string>
  /** Importing into an existing tool: whose clear values win, the tool's current ones or the source's. */
  envConflict: EnvConflict
  dryRun: boolean
  /** Each wait's limit: the backup's export, the import, the deploy, and the rollback's. */
  timeoutMs: number
  /** Deploy the tool after the import. */
  deploy: boolean
  /** After a deploy that FAILED or did not end in time, import the backup and deploy it. */
  rollback: boolean
}

export const ENV_CONFLICTS = ['keep', 'backup'] as const
/** `keep`: the existing tool's current values win over the source's clear ones; `backup`: the source's win. */
export type EnvConflict = (typeof ENV_CONFLICTS)[number]

export function getImportSettings({ getInput, setSecret, env }: InputSource): ImportSettings {
  const problems: string[] = []
  const text = (name: string): string => getInput(name).trim()
  const check = inputChecker(problems)
  const { platform, key } = readConnection({ getInput, setSecret }, problems)
  // The values are secrets: masked before anything could print one, even when the rest is bad.
  const envValues = check(ImportInputs.EnvValues, () => parseEnvValues(getInput(ImportInputs.EnvValues), setSecret))
  const sourceText = text(ImportInputs.Source)
  if (!sourceText)
    problems.push(`input "${ImportInputs.Source}" is required and was not given (a tool-export zip, or a folder as "extract" writes it)`)
  const toolId = text(Inputs.ToolId) || undefined
  const toolName = text(ImportInputs.ToolName) || undefined
  const flowId = text(Inputs.FlowId) || undefined
  for (const [name, id] of [
    [Inputs.ToolId, toolId],
    [Inputs.FlowId, flowId]
  ]) {
    const problem = id === undefined ? undefined : idCharacterProblem(id)
    if (problem) problems.push(`input "${name}" ${problem}`)
  }
  if (toolId && toolName) {
    problems.push(
      `inputs "${Inputs.ToolId}" and "${ImportInputs.ToolName}" cannot be given together: "${ImportInputs.ToolName}" creates a new tool, "${Inputs.ToolId}" imports a new version of an existing one`
    )
  } else if (!toolId && !toolName) {
    problems.push(
      `one of the inputs "${ImportInputs.ToolName}" (a new tool) and "${Inputs.ToolId}" (a new version of an existing tool) is required`
    )
  }
  const backupGiven = check(ImportInputs.BackupBefore, () => boolean(text(ImportInputs.BackupBefore), true))
  const dryRun = check(ImportInputs.DryRun, () => boolean(text(ImportInputs.DryRun), false))
  if (toolId && backupGiven && !flowId) {
    problems.push(
      `input "${Inputs.FlowId}" is required with "${Inputs.ToolId}" while "${ImportInputs.BackupBefore}" is true: the backup exports the tool through its call flow (give "${Inputs.FlowId}", or set "${ImportInputs.BackupBefore}: false" to import without a backup)`
    )
  }
  const timeout = check(Inputs.TimeoutSeconds, () => timeoutSeconds(text(Inputs.TimeoutSeconds)))
  const envConflict = check(ImportInputs.EnvConflict, () => {
    const raw = text(ImportInputs.EnvConflict).toLowerCase() || 'keep'
    const known = ENV_CONFLICTS.find(name => name === raw)
    if (!known) throw new Error(`must be keep or backup; got "${text(ImportInputs.EnvConflict)}"`)
    return known
  })
  const deploy = check(ImportInputs.Deploy, () => boolean(text(ImportInputs.Deploy), false))
  const rollbackGiven = check(ImportInputs.Rollback, () =>
    text(ImportInputs.Rollback) ? boolean(text(ImportInputs.Rollback), true) : undefined
  )
  const backupBefore = toolId !== undefined && backupGiven === true
  if (rollbackGiven === true && deploy === false) {
    problems.push(
      `input "${ImportInputs.Rollback}" rolls back a deploy that failed, and "${ImportInputs.Deploy}" is false (set "${ImportInputs.Deploy}: true", or leave "${ImportInputs.Rollback}" out)`
    )
  } else if (rollbackGiven === true && !backupBefore && (toolName || backupGiven === false)) {
    problems.push(
      toolName
        ? `input "${ImportInputs.Rollback}" is true, but a new tool (input "${ImportInputs.ToolName}") has no earlier version to roll back to (leave "${ImportInputs.Rollback}" out)`
        : `input "${ImportInputs.Rollback}" is true, but "${ImportInputs.BackupBefore}" is false: there would be no backup to roll back to (set "${ImportInputs.BackupBefore}: true" with "${Inputs.FlowId}")`
    )
  }
  refuseInputs(
    problems,
    'Fix the step\'s "with:" block; see "What is refused, and why" in import/README.md. Nothing was sent to the platform.'
  )
  return {
    platform: platform!,
    key,
    source: path.resolve(env.GITHUB_WORKSPACE || process.cwd(), sourceText),
    toolId,
    toolName,
    flowId,
    backupBefore,
    envValues: envValues!,
    envConflict: envConflict!,
    dryRun: dryRun!,
    timeoutMs: Math.round(timeout! * 1000),
    deploy: deploy!,
    // By default a deploy rolls back when there is a backup to roll back to.
    rollback: deploy! && backupBefore && rollbackGiven !== false
  }
}

/** `{"NAME": "value"}`: a JSON object of strings; each value masked as soon as it is read. */
export function parseEnvValues(raw: string, setSecret: (value: string) => void): Record<string, string> {
  if (!raw.trim()) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    // The text may hold secrets: it is never quoted.
    throw new Error('is not valid JSON: give an object such as {"REGION": "eu"} (from a secret)')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error('must be a JSON object of names and values, such as {"REGION": "eu"}')
  const values: Record<string, string> = {}
  const notStrings: string[] = []
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') notStrings.push(name)
    else {
      if (value.trim()) setSecret(value)
      values[name] = value
    }
  }
  if (notStrings.length)
    throw new Error(`must map each name to a string; not a string: ${notStrings.map(name => JSON.stringify(name)).join(', ')}`)
  return values
}
