/**
 * Turns the raw inputs into one typed Settings object, refusing bad input before any request.
 * Reading is injected (`getInput`, `env`, `setSecret`) so the rules test without module mocks.
 */
import * as os from 'node:os'
import * as path from 'node:path'
import { Defaults, Inputs } from './constants.js'
import { ENV_POLICIES, type EnvPolicy } from './env-redaction.js'
import { ActionError } from './errors.js'
import { artifactNameProblem, defaultArtifactName } from './file-naming.js'
import { parseHost } from './url-helper.js'

export interface Settings {
  /** The platform's base URL (scheme, host, optional path prefix; no trailing slash). */
  platform: URL
  key: string
  toolId: string
  flowId: string
  timeoutMs: number
  /** The longest pause between two status checks. */
  maxPauseMs: number
  /** Absolute folder the export is saved in. */
  folder: string
  artifactName: string
  uploadArtifact: boolean
  /** Undefined: the repository's own setting. */
  retentionDays?: number
  /** Whether the download must prove to be a tool export, not only a sound zip. */
  verifyToolExport: boolean
  /** Where to unpack the export; undefined when `extract` is false. */
  extractFolder?: string
  /** What the unpacked copy holds of env_variables.json. */
  envVariables: EnvPolicy
}

export interface InputSource {
  getInput: (name: string) => string
  setSecret: (value: string) => void
  env: NodeJS.ProcessEnv
}

export function getSettings({ getInput, setSecret, env }: InputSource): Settings {
  // Masked before anything else can print it, even if the rest of the input is bad.
  const key = getInput(Inputs.Key).trim()
  if (key) setSecret(key)

  const problems: string[] = []
  const check = <T>(name: string, read: () => T): T | undefined => {
    try {
      return read()
    } catch (error) {
      problems.push(`input "${name}" ${(error as Error).message}`)
      return undefined
    }
  }
  const text = (name: string): string => getInput(name).trim()
  const required = (name: string): string => {
    const value = text(name)
    if (!value) throw new Error('is required and was not given')
    return value
  }

  const platform = check(Inputs.Host, () => {
    const raw = text(Inputs.Host)
    if (!raw) throw new Error('is required and was not given')
    try {
      return parseHost(raw)
    } catch (error) {
      throw new Error(`is not usable: ${(error as Error).message}`)
    }
  })
  if (!key) problems.push(`input "${Inputs.Key}" is required and was not given (pass it from a secret)`)
  // A secret pasted with a second line cannot go into a header: say so now, not after retries.
  else if (/[\x00-\x1f\x7f]/.test(key)) problems.push(`input "${Inputs.Key}" holds a line break or another control character (check the secret holds the key alone)`)
  const toolId = check(Inputs.ToolId, () => required(Inputs.ToolId))
  const flowId = check(Inputs.FlowId, () => required(Inputs.FlowId))
  const timeoutSeconds = check(Inputs.TimeoutSeconds, () =>
    positiveNumber(text(Inputs.TimeoutSeconds), Defaults.timeoutSeconds)
  )
  const pollSeconds = check(Inputs.PollIntervalSeconds, () => {
    const value = positiveNumber(text(Inputs.PollIntervalSeconds), Defaults.pollIntervalSeconds)
    if (value < 1) throw new Error('must be at least 1: the platform rate-limits status checks')
    return value
  })
  const retentionDays = check(Inputs.RetentionDays, () => optionalPositiveInteger(text(Inputs.RetentionDays)))
  const uploadArtifact = check(Inputs.UploadArtifact, () => boolean(text(Inputs.UploadArtifact), true))
  const artifactName = check(Inputs.ArtifactName, () => {
    const name = text(Inputs.ArtifactName) || defaultArtifactName(toolId ?? '')
    const problem = artifactNameProblem(name)
    if (problem) throw new Error(`is not a valid artifact name: ${problem}`)
    return name
  })
  const folder = check(Inputs.Path, () => outputFolder(text(Inputs.Path), toolId ?? '', env))
  const verifyToolExport = check(Inputs.Verify, () => boolean(text(Inputs.Verify), true))
  const extract = check(Inputs.Extract, () => boolean(text(Inputs.Extract), false))
  const extractFolder = check(Inputs.ExtractPath, () =>
    extract && folder && artifactName ? unpackFolder(text(Inputs.ExtractPath), folder, artifactName, env) : undefined
  )
  const envVariables = check(Inputs.EnvVariables, () => envPolicy(text(Inputs.EnvVariables)))

  if (problems.length > 0) {
    throw new ActionError(
      `Invalid input: ${problems.join('; ')}.`,
      'Fix the step\'s "with:" block; see the inputs table in the README.'
    )
  }
  return {
    platform: platform!,
    key,
    toolId: toolId!,
    flowId: flowId!,
    timeoutMs: Math.round(timeoutSeconds! * 1000),
    maxPauseMs: Math.round(pollSeconds! * 1000),
    folder: folder!,
    artifactName: artifactName!,
    uploadArtifact: uploadArtifact!,
    retentionDays,
    verifyToolExport: verifyToolExport!,
    extractFolder,
    envVariables: envVariables!
  }
}

function envPolicy(raw: string): EnvPolicy {
  if (!raw) return 'redact'
  const policy = ENV_POLICIES.find(name => name === raw.toLowerCase())
  if (!policy) throw new Error(`must be ${ENV_POLICIES.slice(0, -1).join(', ')} or ${ENV_POLICIES.at(-1)}; got "${raw}"`)
  return policy
}

function positiveNumber(raw: string, fallback: number): number {
  if (!raw) return fallback
  const value = Number(raw)
  if (!/^\d*\.?\d+$/.test(raw) || !Number.isFinite(value) || value <= 0) {
    throw new Error(`must be a positive number of seconds; got "${raw}"`)
  }
  return value
}

function optionalPositiveInteger(raw: string): number | undefined {
  if (!raw) return undefined
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`must be a whole number of days, 1 or more; got "${raw}"`)
  return Number(raw)
}

function boolean(raw: string, fallback: boolean): boolean {
  if (!raw) return fallback
  if (/^true$/i.test(raw)) return true
  if (/^false$/i.test(raw)) return false
  throw new Error(`must be true or false; got "${raw}"`)
}

/**
 * Where the export is unpacked: the given folder (relative to the workspace), or a folder named
 * after the artifact next to the file. Its contents are replaced, so it must be a folder of its
 * own: not the workspace, nor one that holds the export file.
 */
function unpackFolder(raw: string, fileFolder: string, artifactName: string, env: NodeJS.ProcessEnv): string {
  const workspace = path.resolve(env.GITHUB_WORKSPACE || process.cwd())
  const target = raw ? path.resolve(workspace, raw) : path.join(fileFolder, artifactName.replace(/\.zip$/i, ''))
  const contains = (outer: string, inner: string): boolean => {
    const relative = path.relative(outer, inner)
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
  }
  if (contains(target, workspace)) throw new Error(`must be a folder of its own, not the workspace or above it; got "${raw}"`)
  if (contains(target, fileFolder)) {
    throw new Error(`must not hold the export file's folder (input "path"), since its contents are replaced; got "${raw}"`)
  }
  return target
}

/** Where the file goes: the given folder (relative to the workspace), or one under the runner's temp dir. */
function outputFolder(raw: string, toolId: string, env: NodeJS.ProcessEnv): string {
  if (raw) return path.resolve(env.GITHUB_WORKSPACE || process.cwd(), raw)
  const temp = env.RUNNER_TEMP || os.tmpdir()
  return path.join(temp, Defaults.tempFolder, toolId.replace(/[^A-Za-z0-9_-]/g, '_') || 'tool')
}
