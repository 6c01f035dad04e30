/**
 * The export's inputs as one typed Settings object, refusing bad input before any request. Host,
 * key and the timeout are read as every entry reads them (settings/inputs.ts).
 */
import { createHash } from 'node:crypto'
import * as os from 'node:os'
import * as path from 'node:path'
import { Defaults, Inputs } from '../constants.js'
import type { ExportOptions, ToolTarget } from '../pipeline/export-tool.js'
import { ENV_POLICIES, type EnvPolicy } from '../tool-export/env-variables.js'
import { artifactFileName, artifactNameProblem, defaultArtifactName, isWithin } from '../file-naming.js'
import { hasControlCharacters } from '../log-text.js'
import { folderKey, holdsOnSomeRunner, sharedKeys } from '../settings/same-name.js'
import { parseToolList, type ListedTool } from './tool-list.js'
import {
  MAX_TIMEOUT_SECONDS,
  boolean,
  idCharacterProblem,
  inputChecker,
  positiveNumber,
  readConnection,
  refuseInputs,
  timeoutSeconds,
  type InputSource
} from '../settings/inputs.js'

export type { ToolTarget }

/** How every tool of the step is exported (the pipeline's options), and which tools. */
export interface Settings extends ExportOptions {
  /** The tools to export: one for toolId + flowId, the list for `tools`. */
  tools: ToolTarget[]
  /** Whether `tools` was given: then the outputs and the summary cover a set. */
  many: boolean
  /** How many export jobs may be in flight at once. */
  concurrency: number
}

export function getSettings({ getInput, setSecret, env }: InputSource): Settings {
  const problems: string[] = []
  const check = inputChecker(problems)
  const text = (name: string): string => getInput(name).trim()
  const { platform, key } = readConnection({ getInput, setSecret }, problems)
  const redactionKey = readRedactionKey({ getInput, setSecret }, problems)
  const listed = toolsToExport(text(Inputs.Tools), text(Inputs.ToolId), text(Inputs.FlowId), problems)
  const concurrency = check(Inputs.Concurrency, () => {
    const raw = text(Inputs.Concurrency)
    if (!raw) return Defaults.concurrency
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_CONCURRENCY) {
      throw new Error(`must be a whole number from 1 to ${MAX_CONCURRENCY}; got "${raw}"`)
    }
    return Number(raw)
  })
  const timeout = check(Inputs.TimeoutSeconds, () => timeoutSeconds(text(Inputs.TimeoutSeconds)))
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
  const extract = check(Inputs.Extract, () => extractMode(text(Inputs.Extract)))
  const extractFolders = check(Inputs.ExtractPath, () => {
    const given = text(Inputs.ExtractPath)
    // The default is a folder the run picks, next to the export file: nothing in git to compare with.
    if (extract === 'check' && !given) throw new Error('is required with extract: check: the folder in git to compare the export with')
    // Checked on its own first, so that it is named even when "path" or "tools" is bad too.
    const chosen = extract && given ? givenUnpackFolder(given, env, Boolean(text(Inputs.Tools))) : undefined
    return (listed?.tools ?? []).map((tool, i) => {
      if (!extract || !folders || !artifactNames) return undefined
      const target = chosen
        ? many
          ? path.join(chosen, tool.name)
          : chosen
        : path.join(folders[i], artifactNames[i].replace(/\.zip$/i, ''))
      // As the most lenient runner sees folders: "Exports" holds "exports/zips" on macOS.
      if (holdsOnSomeRunner(target, folders[i])) {
        throw new Error(`must not hold the export file's folder (input "path"), since its contents are replaced; got "${given}"`)
      }
      return target
    })
  })
  const envVariables = check(Inputs.EnvVariables, () => envPolicy(text(Inputs.EnvVariables)))
  if (many) {
    const placed = listed!.tools.map((tool, i) => ({
      name: tool.name,
      artifactName: artifactNames?.[i],
      folder: folders?.[i],
      extractFolder: extractFolders?.[i]
    }))
    problems.push(...sharedByTools(placed, uploadArtifact === true))
  }

  refuseInputs(problems, 'Fix the step\'s "with:" block; see the inputs table in the README.')
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
    timeoutMs: Math.round(timeout! * 1000),
    downloadTimeoutMs: Math.round(downloadSeconds! * 1000),
    maxPauseMs: Math.round(pollSeconds! * 1000),
    uploadArtifact: uploadArtifact!,
    retentionDays,
    verifyToolExport: verifyToolExport!,
    envVariables: envVariables!,
    checkOnly: extract === 'check',
    redactionKey
  }
}

/**
 * Two or more tools of a set that would end in one artifact or one folder: the second upload
 * would fail with a 409 after every job had run, or one tool's files would replace another's.
 * Tool names differ, ignoring case, yet "nightly" and "nightly.zip" make one artifact, and
 * "nightly" and "nightly." one folder on a Windows runner (see settings/same-name.ts).
 */
function sharedByTools(
  tools: { name: string; artifactName?: string; folder?: string; extractFolder?: string }[],
  uploading: boolean
): string[] {
  const names = (group: { name: string }[]): string =>
    `${group
      .slice(0, -1)
      .map(tool => JSON.stringify(tool.name))
      .join(', ')} and ${JSON.stringify(group.at(-1)!.name)}`
  const problems: string[] = []
  // Artifact names ignore case here: the artifact service does not document its own rule, and an
  // artifact is downloaded as a file of its name, which macOS and Windows would take for one.
  const artifacts = uploading ? tools.filter(tool => tool.artifactName !== undefined) : []
  for (const group of sharedKeys(artifacts, tool => artifactFileName(tool.artifactName!).toLowerCase())) {
    problems.push(
      `input "${Inputs.Tools}" gives the tools ${names(group)} one artifact name, "${artifactFileName(group[0].artifactName!)}" (".zip" is added when missing, and case is ignored): give each a name of its own`
    )
  }
  for (const [what, folderOf] of [
    ['one folder for their files', (tool: (typeof tools)[number]) => tool.folder],
    ['one folder to unpack into', (tool: (typeof tools)[number]) => tool.extractFolder]
  ] as const) {
    for (const group of sharedKeys(
      tools.filter(tool => folderOf(tool) !== undefined),
      tool => folderKey(folderOf(tool)!)
    )) {
      problems.push(
        `input "${Inputs.Tools}" gives the tools ${names(group)} ${what}, ${folderOf(group[0])} (Windows drops a name's trailing dots and spaces, and Windows and macOS ignore case): give each a name of its own`
      )
    }
  }
  return problems
}

/** `extract`: `true` unpacks (`write`), `check` only compares, `false` neither (undefined). */
function extractMode(raw: string): 'write' | 'check' | undefined {
  if (/^check$/i.test(raw)) return 'check'
  if (!raw || /^false$/i.test(raw)) return undefined
  if (/^true$/i.test(raw)) return 'write'
  throw new Error(`must be true, false or check; got "${raw}"`)
}

/** A key shorter than this would let a reader of the repository try guesses of key and value together. */
export const MIN_REDACTION_KEY = 16

/**
 * `redactionKey`, masked as soon as it is read (before any other input is checked): it is what
 * makes a placeholder uncheckable, so it is as secret as the values. Problems go to `problems`,
 * never quoting it.
 */
function readRedactionKey({ getInput, setSecret }: Pick<InputSource, 'getInput' | 'setSecret'>, problems: string[]): string | undefined {
  const raw = getInput(Inputs.RedactionKey).trim()
  if (!raw) return undefined
  setSecret(raw)
  if (hasControlCharacters(raw)) {
    problems.push(`input "${Inputs.RedactionKey}" holds a line break or another control character (check the secret holds the key alone)`)
  } else if ([...raw].length < MIN_REDACTION_KEY) {
    problems.push(
      `input "${Inputs.RedactionKey}" is ${[...raw].length} characters long; use at least ${MIN_REDACTION_KEY} random characters (e.g. the output of openssl rand -hex 32)`
    )
  }
  return raw
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
  let usable = true
  for (const [name, value] of [
    [Inputs.ToolId, toolId],
    [Inputs.FlowId, flowId]
  ]) {
    const problem = value ? idCharacterProblem(value) : `is required and was not given (or list the tools in "${Inputs.Tools}")`
    if (problem) problems.push(`input "${name}" ${problem}`)
    usable &&= !problem
  }
  return usable ? { tools: [{ toolId, flowId, name: toolId }], many: false } : undefined
}

function optionalPositiveInteger(raw: string): number | undefined {
  if (!raw) return undefined
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`must be a whole number of days, 1 or more; got "${raw}"`)
  return Number(raw)
}

/**
 * The `extractPath` given (relative to the workspace), where the export is unpacked; with `tools`,
 * each tool into a folder of its name under it. Its contents are replaced, so it must be a folder
 * of its own, not the workspace nor above it (with `tools`, the workspace itself may hold the
 * tools' folders, each of its own). And it must be inside the workspace: unpacking is for a copy
 * that later steps (a commit, a pull request) see, and anywhere else they never would. Without
 * `extractPath`, the export is unpacked next to its file, wherever `path` is.
 */
function givenUnpackFolder(given: string, env: NodeJS.ProcessEnv, many = false): string {
  const workspace = path.resolve(env.GITHUB_WORKSPACE || process.cwd())
  const target = path.resolve(workspace, given)
  if (!many && isWithin(target, workspace)) {
    throw new Error(`must be a folder of its own, not the workspace or above it; got "${given}"`)
  }
  if (!isWithin(workspace, target)) {
    throw new Error(
      `must be a folder inside the workspace (${workspace}), where later steps (a commit, a pull request) see what is unpacked; "${given}" is ${target}, outside it`
    )
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
