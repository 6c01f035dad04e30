/**
 * Turns the raw inputs into one typed Settings object, refusing bad input before any request.
 * Reading is injected (`getInput`, `env`, `setSecret`) so the rules test without module mocks.
 */
import { createHash } from 'node:crypto'
import * as os from 'node:os'
import * as path from 'node:path'
import { Defaults, Inputs } from '../constants.js'
import { ENV_POLICIES, type EnvPolicy } from '../extract/env-redaction.js'
import { ActionError, errorMessage } from '../errors.js'
import { artifactNameProblem, defaultArtifactName, isWithin } from '../file-naming.js'
import { hasControlCharacters } from '../log-text.js'
import { parseToolList, type ListedTool } from './tool-list.js'
import { parseHost } from '../platform/urls.js'

/** One tool to export, and where its files go. */
export interface ToolTarget {
  toolId: string
  flowId: string
  /** How the log, the summary and `results` name it: the `tools` line's name, or the tool id. */
  name: string
  /** Absolute folder the export is saved in. */
  folder: string
  artifactName: string
  /** Where to unpack the export; undefined when `extract` is false. */
  extractFolder?: string
}

export interface Settings {
  /** The platform's base URL (scheme, host, optional path prefix; no trailing slash). */
  platform: URL
  key: string
  /** The tools to export: one for toolId + flowId, the list for `tools`. */
  tools: ToolTarget[]
  /** Whether `tools` was given: then the outputs and the summary cover a set. */
  many: boolean
  /** How many export jobs may be in flight at once. */
  concurrency: number
  timeoutMs: number
  /** The whole download, retries included. */
  downloadTimeoutMs: number
  /** The longest pause between two status checks. */
  maxPauseMs: number
  uploadArtifact: boolean
  /** Undefined: the repository's own setting. */
  retentionDays?: number
  /** Whether the download must prove to be a tool export, not only a sound zip. */
  verifyToolExport: boolean
  /** What the unpacked copy holds of env_variables.json. */
  envVariables: EnvPolicy
}

/** A job's own limit on GitHub-hosted runners: no download needs a longer one. */

export interface InputSource {
  getInput: (name: string) => string
  setSecret: (value: string) => void
  env: NodeJS.ProcessEnv
}

/**
 * Reads one input with `read`; a reason it throws is noted in `problems`, named by the input, so
 * that every bad input is reported in one error.
 */
export function inputChecker(problems: string[]): <T>(name: string, read: () => T) => T | undefined {
  return <T>(name: string, read: () => T): T | undefined => {
    try {
      return read()
    } catch (error) {
      problems.push(`input "${name}" ${errorMessage(error)}`)
      return undefined
    }
  }
}

export function getSettings({ getInput, setSecret, env }: InputSource): Settings {
  const problems: string[] = []
  const check = inputChecker(problems)
  const text = (name: string): string => getInput(name).trim()
  const { platform, key } = readConnection({ getInput, setSecret }, problems)
  const listed = toolsToExport(text(Inputs.Tools), text(Inputs.ToolId), text(Inputs.FlowId), problems)
  const concurrency = check(Inputs.Concurrency, () => {
    const raw = text(Inputs.Concurrency)
    if (!raw) return Defaults.concurrency
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_CONCURRENCY) {
      throw new Error(`must be a whole number from 1 to ${MAX_CONCURRENCY}; got "${raw}"`)
    }
    return Number(raw)
  })
  const timeoutSeconds = check(Inputs.TimeoutSeconds, () => {
    const value = positiveNumber(text(Inputs.TimeoutSeconds), Defaults.timeoutSeconds)
    // At least one status check a second after the start; at most a job's own limit.
    if (value < 1 || value > MAX_TIMEOUT_SECONDS) {
      throw new Error(`must be from 1 to ${MAX_TIMEOUT_SECONDS} seconds (6 hours, a job's own limit); got "${text(Inputs.TimeoutSeconds)}"`)
    }
    return value
  })
  const downloadSeconds = check(Inputs.DownloadTimeoutSeconds, () => {
    const value = positiveNumber(text(Inputs.DownloadTimeoutSeconds), Defaults.downloadTimeoutSeconds)
    if (value > MAX_TIMEOUT_SECONDS)
      throw new Error(`must be at most ${MAX_TIMEOUT_SECONDS} (6 hours, a job's own limit); got "${text(Inputs.DownloadTimeoutSeconds)}"`)
    return value
  })
  const pollSeconds = check(Inputs.PollIntervalSeconds, () => {
    const value = positiveNumber(text(Inputs.PollIntervalSeconds), Defaults.pollIntervalSeconds)
    if (value < 1) throw new Error('must be at least 1: the platform rate-limits status checks')
    return value
  })
  const retentionDays = check(Inputs.RetentionDays, () => optionalPositiveInteger(text(Inputs.RetentionDays)))
  const uploadArtifact = check(Inputs.UploadArtifact, () => boolean(text(Inputs.UploadArtifact), true))
  const many = listed?.many ?? false
  // With `tools`, artifactName is the prefix of each tool's artifact name.
  const artifactNames = check(Inputs.ArtifactName, () =>
    // Without a usable tool, the name given is still checked on its own.
    (listed?.tools ?? [{ toolId: '', flowId: '', name: '' }]).map(tool => {
      const given = text(Inputs.ArtifactName)
      const name = many ? `${given || Defaults.artifactPrefix}${tool.name}` : given || defaultArtifactName(tool.toolId)
      const problem = artifactNameProblem(name)
      if (problem) throw new Error(`is not a valid artifact name${many ? ` prefix (for ${tool.name})` : ''}: ${problem}`)
      return name
    })
  )
  const folders = check(Inputs.Path, () =>
    (listed?.tools ?? []).map(tool => {
      const base = outputFolder(text(Inputs.Path), tool.toolId, env)
      // Each tool of a set keeps its files in a folder of its own, so that names never collide.
      return many ? (text(Inputs.Path) ? path.join(base, tool.name) : path.join(path.dirname(base), tool.name)) : base
    })
  )
  const verifyToolExport = check(Inputs.Verify, () => boolean(text(Inputs.Verify), true))
  const extract = check(Inputs.Extract, () => boolean(text(Inputs.Extract), false))
  const extractFolders = check(Inputs.ExtractPath, () =>
    (listed?.tools ?? []).map((tool, i) => {
      if (!extract || !folders || !artifactNames) return undefined
      const given = text(Inputs.ExtractPath)
      if (!many) return unpackFolder(given, folders[i], artifactNames[i], env)
      return given
        ? unpackFolder(path.join(given, tool.name), folders[i], artifactNames[i], env)
        : unpackFolder('', folders[i], artifactNames[i], env)
    })
  )
  const envVariables = check(Inputs.EnvVariables, () => envPolicy(text(Inputs.EnvVariables)))

  if (problems.length > 0) {
    throw new ActionError(`Invalid input: ${problems.join('; ')}.`, 'Fix the step\'s "with:" block; see the inputs table in the README.')
  }
  return {
    platform: platform!,
    key,
    tools: listed!.tools.map((tool, i) => ({
      ...tool,
      folder: folders![i],
      artifactName: artifactNames![i],
      extractFolder: extractFolders![i]
    })),
    many,
    concurrency: concurrency!,
    timeoutMs: Math.round(timeoutSeconds! * 1000),
    downloadTimeoutMs: Math.round(downloadSeconds! * 1000),
    maxPauseMs: Math.round(pollSeconds! * 1000),
    uploadArtifact: uploadArtifact!,
    retentionDays,
    verifyToolExport: verifyToolExport!,
    envVariables: envVariables!
  }
}

/**
 * `host` and `key`, as every entry point reads them: the key masked before anything else can
 * print it, even if the rest of the input is bad. Problems are added to `problems`.
 */
export function readConnection(
  { getInput, setSecret }: Pick<InputSource, 'getInput' | 'setSecret'>,
  problems: string[]
): { platform?: URL; key: string } {
  const key = getInput(Inputs.Key).trim()
  if (key) setSecret(key)
  let platform: URL | undefined
  const raw = getInput(Inputs.Host).trim()
  if (!raw) problems.push(`input "${Inputs.Host}" is required and was not given`)
  else {
    try {
      platform = parseHost(raw)
    } catch (error) {
      problems.push(`input "${Inputs.Host}" is not usable: ${(error as Error).message}`)
    }
  }
  if (!key) problems.push(`input "${Inputs.Key}" is required and was not given (pass it from a secret)`)
  // A secret pasted with a second line, or from a web page with an invisible character in it,
  // cannot go into a header: say so now, not after retries.
  else if (hasControlCharacters(key))
    problems.push(`input "${Inputs.Key}" holds a line break or another control character (check the secret holds the key alone)`)
  else {
    const odd = keyCharacterProblem(key)
    if (odd) problems.push(`input "${Inputs.Key}" ${odd} (paste the key again into the secret, as plain text)`)
  }
  return { platform, key }
}

function envPolicy(raw: string): EnvPolicy {
  if (!raw) return 'redact'
  const policy = ENV_POLICIES.find(name => name === raw.toLowerCase())
  if (!policy) throw new Error(`must be ${ENV_POLICIES.slice(0, -1).join(', ')} or ${ENV_POLICIES.at(-1)}; got "${raw}"`)
  return policy
}

/** More export jobs at once than this would only meet the platform's rate limits. */
export const MAX_CONCURRENCY = 20

/** `tools`, or toolId + flowId: never both, never neither. Problems are added to `problems`. */
function toolsToExport(tools: string, toolId = '', flowId = '', problems: string[]): { tools: ListedTool[]; many: boolean } | undefined {
  if (tools) {
    if (toolId || flowId) {
      problems.push(
        `input "${Inputs.Tools}" cannot be given together with "${toolId ? Inputs.ToolId : Inputs.FlowId}": give either the list or one tool`
      )
      return undefined
    }
    const listed = parseToolList(tools)
    problems.push(...listed.problems.map(problem => `input "${Inputs.Tools}" ${problem}`))
    return listed.problems.length ? undefined : { tools: listed.tools, many: true }
  }
  for (const [name, value] of [
    [Inputs.ToolId, toolId],
    [Inputs.FlowId, flowId]
  ]) {
    if (!value) problems.push(`input "${name}" is required and was not given (or list the tools in "${Inputs.Tools}")`)
  }
  return toolId && flowId ? { tools: [{ toolId, flowId, name: toolId }], many: false } : undefined
}

/** A GitHub-hosted job runs at most six hours. */
export const MAX_TIMEOUT_SECONDS = 6 * 60 * 60

/** Names the first character of a key that is not printable ASCII, with its position; undefined when none. */
export function keyCharacterProblem(key: string): string | undefined {
  const at = [...key].findIndex(c => c < '!' || c > '~')
  if (at < 0) return undefined
  const c = [...key][at]
  const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
  const name = INVISIBLE_NAMES[c] ? ` (${INVISIBLE_NAMES[c]})` : ''
  return `holds the character ${code}${name} at position ${at + 1}; API keys are printable ASCII`
}

const INVISIBLE_NAMES: Record<string, string> = {
  '\u00a0': 'NO-BREAK SPACE',
  '\u200b': 'ZERO WIDTH SPACE',
  '\u200c': 'ZERO WIDTH NON-JOINER',
  '\u200d': 'ZERO WIDTH JOINER',
  '\u2060': 'WORD JOINER',
  '\ufeff': 'ZERO WIDTH NO-BREAK SPACE',
  ' ': 'SPACE'
}

export function positiveNumber(raw: string, fallback: number): number {
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

export function boolean(raw: string, fallback: boolean): boolean {
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
  if (isWithin(target, workspace)) throw new Error(`must be a folder of its own, not the workspace or above it; got "${raw}"`)
  if (isWithin(target, fileFolder)) {
    throw new Error(`must not hold the export file's folder (input "path"), since its contents are replaced; got "${raw}"`)
  }
  return target
}

/** Where the file goes: the given folder (relative to the workspace), or one under the runner's temp dir. */
function outputFolder(raw: string, toolId: string, env: NodeJS.ProcessEnv): string {
  if (raw) return path.resolve(env.GITHUB_WORKSPACE || process.cwd(), raw)
  const temp = env.RUNNER_TEMP || os.tmpdir()
  return path.join(temp, Defaults.tempFolder, folderNameFor(toolId))
}

/**
 * A folder name for an id: safe characters only, and short enough for any file system (255
 * bytes a name); a long id keeps its start and gains a hash of the whole, so it stays unique.
 */
export function folderNameFor(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9_-]/g, '_') || 'tool'
  if (safe.length <= 64) return safe
  return `${safe.slice(0, 48)}-${createHash('sha256').update(id).digest('hex').slice(0, 12)}`
}
