/**
 * One tool's export, whole: start the job, wait for it, download and verify the file, unpack it
 * when asked, keep it as an artifact. The export entry runs it for each tool; the import entry
 * runs it to take its backup, so that a backup is made as every export is. It returns what each
 * phase made, and fills `result` as it goes, so that a caller whose run ends midway (a failure,
 * a cancellation) still knows how far it came.
 */
import { rm } from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import type { SavedFile } from '../download/download.js'
import { fileAt, type FileIdentity } from '../download/publish.js'
import { ActionError, errorMessage } from '../errors.js'
import { artifactFileName } from '../file-naming.js'
import type { PlatformHttp } from '../http/client.js'
import { DEFAULT_BACKOFF, withRetry, type RetryContext } from '../http/retry.js'
import { describeUrl } from '../http/urls.js'
import { sleep } from '../lifecycle/cancellation.js'
import type { Log } from '../lifecycle/run.js'
import type { Secrets } from '../lifecycle/secrets.js'
import type { TrackedPaths } from '../lifecycle/temporary-paths.js'
import { logValue } from '../log-text.js'
import { ExportClient, mayStartAgain } from '../platform/export-client.js'
import { settleJob } from '../platform/jobs.js'
import { resolveDownloadUrl } from '../platform/urls.js'
import type { Phase } from '../report/export-summary.js'
import { describeEnvPolicy, type EnvPolicy, type EnvVariablesCopy } from '../tool-export/env-variables.js'
import type { ExportEntry, VerifiedExport } from '../tool-export/verify.js'
import { DEFINITIONS, ENV_VARIABLES } from '../tool-export/zip-rules.js'
import type { FileChange } from '../report/file-change.js'

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

/** How an export is made, whichever the tool. */
export interface ExportOptions {
  /** The platform's base URL. */
  platform: URL
  /** The API key: it keys the placeholders of redacted values, unless `redactionKey` is given. */
  key: string
  /** A key of its own for the placeholders, kept when the API key is rotated (`redactionKey`). */
  redactionKey?: string
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
  /** `extract: check`: compare the export with the extract folder, and write nothing there. */
  checkOnly?: boolean
}

/** How one tool's export talks to the log: groups for a single tool, a `[name]` prefix in a set. */
export interface ToolLog extends Log {
  /** Whether the wait logs a heartbeat of its own (a set has one for all its tools). */
  heartbeat: boolean
}

/** What an export needs of its run. */
export interface ExportDeps {
  http: PlatformHttp
  signal: AbortSignal
  secrets: Secrets
  /** The tool's own slots for its temporary paths. */
  temporary: TrackedPaths
  log: ToolLog
  env: NodeJS.ProcessEnv
}

/** What each phase made; filled as they run. */
export interface ExportResult {
  /** The phase running, or the last one that ran. */
  phase?: Phase
  job?: {
    dockStatusId: string
    exportJobId?: string
    /** How the job ended; undefined while it runs (or when its end was never seen). */
    status?: string
    /** Set when the wait gave up: the limit that was hit, in seconds. */
    timedOutAfterSeconds?: number
    /** Where the file was downloaded from (a secret: masked). */
    downloadUrl?: string
  }
  /** The verified file, kept under its name. */
  file?: {
    filePath: string
    fileName: string
    size: number
    sha256: string
    /** The tool's name in app_definition.json, when it has one. */
    toolName?: string
    entries: ExportEntry[]
  }
  /** With extract: the repository copy. */
  extraction?: {
    folder: string
    /** `extract: check`: compared only; `changed` then says the folder differs from the export (drift). */
    checkOnly: boolean
    changed: boolean
    fileChanges: FileChange[]
    envVariables?: EnvVariablesCopy
  }
  artifact?: { name: string; id: number; url?: string }
}

export async function exportTool(
  deps: ExportDeps,
  target: ToolTarget,
  options: ExportOptions,
  result: ExportResult = {}
): Promise<ExportResult> {
  // The file is named after its artifact; what is under that name as the run begins is the one
  // file it may replace: any other was saved there by another run meanwhile.
  const fileName = artifactFileName(target.artifactName)
  const ctx: ExportContext = {
    ...deps,
    target,
    options,
    result,
    saveAs: { fileName, earlier: await fileAt(path.join(target.folder, fileName)) },
    platform: new ExportClient(deps.http, { platform: options.platform, toolId: target.toolId, flowId: target.flowId }),
    retry: { policy: DEFAULT_BACKOFF, sleep: ms => sleep(ms, deps.signal), warn: deps.log.warning, debug: deps.log.debug }
  }
  const started = await phase(ctx, 'start', 'Start the export', () => startExport(ctx))
  // The phases after the job are loaded while it runs: nothing before the first request waits
  // for the zip reader, the extraction or the artifact client (each a chunk of its own).
  ctx.phases = loadPhases(options)
  const ended = await waitForEnd(ctx, started)
  const file = await phase(ctx, 'download', 'Download and verify the export', () => download(ctx, ended ?? started.downloadUrl))
  try {
    if (target.extractFolder) {
      const title = options.checkOnly ? 'Compare the export with extractPath' : 'Unpack the export'
      await phase(ctx, 'unpack', title, () => unpack(ctx, file, target.extractFolder!))
    }
    if (options.uploadArtifact) await phase(ctx, 'upload', 'Upload the artifact', () => upload(ctx, file))
    else deps.log.info('uploadArtifact is false: the file stays on the runner only.')
  } finally {
    // The run's own copy of what it downloaded is gone with the run; the published file stays.
    await rm(file.ownCopy, { force: true })
    ctx.temporary.replace('download', undefined)
  }
  return result
}

interface ExportContext extends ExportDeps {
  target: ToolTarget
  /** The export's file name, and what was under it as the run began. */
  saveAs: { fileName: string; earlier?: FileIdentity }
  options: ExportOptions
  result: ExportResult
  platform: ExportClient
  retry: Omit<RetryContext, 'what'>
  phases?: Phases
}

type Phases = ReturnType<typeof loadPhases>

/** Starts loading the phases after the job; each is awaited where it is used. */
function loadPhases(options: ExportOptions) {
  const loading = {
    download: import('../download/download.js'),
    extract: import('../extract/extract.js'),
    artifact: import('../artifact/upload.js').then(async module => {
      if (options.uploadArtifact) await module.loadArtifactClient()
      return module
    })
  }
  // A failure to load is met where the phase is awaited, not as an unhandled rejection now.
  for (const promise of Object.values(loading)) promise.catch(() => undefined)
  return loading
}

/**
 * Runs one phase in a log group of its own, noting which phase is running. A cancellation that
 * arrived meanwhile ends the export here, even when the phase could not be interrupted (the
 * upload client takes no signal) and finished regardless.
 */
async function phase<T>(ctx: ExportContext, name: Phase, title: string, work: () => Promise<T>): Promise<T> {
  ctx.result.phase = name
  const done = await ctx.log.group(title, work)
  ctx.signal.throwIfAborted()
  return done
}

/** 1. Start the export: it changes nothing on the tool, but each start is a job on the platform. */
async function startExport({ options, target, platform, retry, log, result }: ExportContext) {
  log.info(`Exporting tool ${logValue(target.toolId)} (flow ${logValue(target.flowId)}) from ${options.platform.host}`)
  log.info(`POST ${describeUrl(platform.exportUrl)}`)
  const answer = await withRetry(() => platform.startExport(), {
    ...retry,
    // Each start creates a job: one is sent again only when it surely created nothing.
    retryable: mayStartAgain,
    // A server's Retry-After is obeyed no further than the time the job itself is given.
    deadline: Date.now() + options.timeoutMs,
    what: 'Starting the export'
  }).catch((error: unknown) => {
    throw platform.gaveUpStarting(error)
  })
  const job = answer.exportJobId ? `, export job ${logValue(answer.exportJobId)}` : ''
  const progress = answer.status === 'IN_PROGRESS' && answer.percentComplete !== undefined ? ` (${answer.percentComplete} %)` : ''
  log.info(
    `Export started: dock status id ${logValue(answer.dockStatusId)}${job}, status ${answer.status ? logValue(answer.status) : 'not given'}${progress}`
  )
  result.job = { dockStatusId: answer.dockStatusId, exportJobId: answer.exportJobId }
  return answer
}

/**
 * 2. Wait for the job to end, unless the answer to the start already said how it ended. A URL
 * on the status answer is newer than the one on the start answer: it is the one returned.
 */
async function waitForEnd(ctx: ExportContext, started: Awaited<ReturnType<typeof startExport>>): Promise<string | undefined> {
  const { options, target, platform, signal, log, result } = ctx
  const job = result.job!
  const startedAt = Date.now()
  ctx.result.phase = 'wait'
  const end = await settleJob(id => platform.getStatus(id), started, {
    job: 'export',
    startedAt,
    timeoutMs: options.timeoutMs,
    maxPauseMs: options.maxPauseMs,
    log,
    heartbeat: log.heartbeat,
    sleep: ms => sleep(ms, signal),
    group: log.group,
    failedFix: `Check tool ${target.toolId} and flow ${target.flowId} in the platform (is the flow deployed?), then run the workflow again.`,
    timeoutFix: 'Raise "timeoutSeconds", or check the job on the platform: it keeps running there.',
    redact: text => ctx.secrets.redact(text),
    onEnd: ended => {
      job.status = ended.status
      if (ended.timedOut) job.timedOutAfterSeconds = options.timeoutMs / 1000
    }
  })
  signal.throwIfAborted()
  return end.downloadUrl
}

/**
 * 3. Download the file: only after SUCCESS, since before it the file may not exist. The file is
 * verified before it takes its name; only then is it in the result.
 */
async function download(ctx: ExportContext, rawUrl: string | undefined): Promise<SavedFile> {
  const { options, target, log, result } = ctx
  const job = result.job!
  if (!rawUrl) {
    throw new ActionError(
      `The export job succeeded but the platform gave no download URL (dock status id ${job.dockStatusId}).`,
      'Download the export from the platform UI, and report this platform behaviour to Kore.ai support.'
    )
  }
  let url: URL
  try {
    url = resolveDownloadUrl(options.platform, rawUrl)
  } catch (error) {
    throw new ActionError(
      `The export job succeeded but the platform's answer is unusable: its download URL ${errorMessage(error)} (dock status id ${job.dockStatusId}).`,
      'Download the export from the platform UI, and report this platform behaviour to Kore.ai support.'
    )
  }
  // Masked before anything could print it: a signed URL is a credential.
  ctx.secrets.addUrl(url)
  ctx.secrets.add(rawUrl)
  job.downloadUrl = url.href
  log.info(`Downloading from ${url.origin} (the URL is masked: it may be signed)`)
  const { downloadExport } = await ctx.phases!.download
  const file = await downloadExport({
    http: ctx.http,
    url,
    platform: options.platform,
    folder: target.folder,
    ...ctx.saveAs,
    warning: log.warning,
    signal: ctx.signal,
    retry: ctx.retry,
    onPartialFile: filePath => ctx.temporary.replace('download', filePath),
    toolChecks: options.verifyToolExport,
    debug: log.debug,
    limitMs: options.downloadTimeoutMs,
    progress: log.info
  })
  log.info(describeVerification(file.contents))
  for (const warning of file.contents.warnings) log.warning(warning)
  log.info(`Saved ${logValue(file.filePath)} (${file.size} bytes, sha256 ${file.sha256})`)
  result.file = {
    filePath: file.filePath,
    fileName: file.fileName,
    size: file.size,
    sha256: file.sha256,
    toolName: file.contents.toolName,
    entries: file.contents.entries
  }
  return file
}

/** One line on what was proved of the file before it was kept. */
function describeVerification(contents: VerifiedExport): string {
  const files = `${contents.entries.length} file${contents.entries.length === 1 ? '' : 's'}`
  if (!contents.toolChecked) {
    return `Verified the zip: ${files}, every size and CRC-32 as recorded (verify is false: not checked to be a tool export).`
  }
  const definitions = DEFINITIONS.filter(name => contents.entries.some(entry => entry.name === name))
  const tool = contents.toolName ? ` of tool "${contents.toolName}"` : ''
  const json = definitions.length > 1 ? `${definitions.slice(0, -1).join(', ')} and ${definitions.at(-1)} are` : `${definitions[0]} is`
  return `Verified the export${tool}: a zip of ${files}, every size and CRC-32 as recorded; ${json} valid JSON.`
}

/**
 * 4. Unpack it, so a pull request can show what changed (or, with extract: check, only compare
 * it with the folder); before the upload, so a refused archive is not published.
 */
async function unpack({ options, temporary, log, result, phases, env }: ExportContext, file: SavedFile, folder: string): Promise<void> {
  const { extractExport, describeChanges } = await phases!.extract
  const bytes = file.contents.entries.reduce((sum, entry) => sum + entry.size, 0)
  const checkOnly = options.checkOnly === true
  const extraction = await extractExport(file.ownCopy, folder, {
    envPolicy: options.envVariables,
    key: options.redactionKey ?? options.key,
    bytes,
    temporary,
    keptAt: file.filePath,
    check: checkOnly ? { tempRoot: env.RUNNER_TEMP || os.tmpdir() } : undefined
  })
  const envCopy = extraction.envVariables
  if (envCopy) {
    log.info(`envVariables ${describeEnvPolicy(envCopy)}.`)
    if (envCopy.shape === 'unrecognised') {
      log.warning(
        `${ENV_VARIABLES} is neither a list of {"key", "value"} objects nor an object of names and values: every value in it was replaced by a placeholder. Report its layout (not its values) to the action's maintainers.`
      )
    }
  }
  if (checkOnly) {
    const found = extraction.changed ? describeChanges(extraction.changes) : 'identical in value'
    log.info(`Compared ${extraction.files} files with ${logValue(extraction.folder)}: ${found}. Nothing was written (extract: check).`)
  } else {
    log.info(
      extraction.changed
        ? `Unpacked ${extraction.files} files into ${logValue(extraction.folder)}: ${describeChanges(extraction.changes)}.`
        : `Unpacked ${extraction.files} files: identical to what ${logValue(extraction.folder)} held, left untouched.`
    )
  }
  result.extraction = {
    folder: extraction.folder,
    checkOnly,
    changed: extraction.changed,
    fileChanges: extraction.fileChanges,
    envVariables: envCopy
  }
}

/** 5. Keep it as an artifact. */
async function upload({ options, target, temporary, log, result, env, phases }: ExportContext, file: SavedFile): Promise<void> {
  const { uploadExportArtifact } = await phases!.artifact
  const artifact = await uploadExportArtifact({
    filePath: file.ownCopy,
    artifactName: target.artifactName,
    retentionDays: options.retentionDays,
    env,
    temporary
  })
  result.artifact = artifact
  log.info(`Artifact ${artifact.name} (id ${artifact.id})${artifact.url ? `: ${artifact.url}` : ''}`)
}
