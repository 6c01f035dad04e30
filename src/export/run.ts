/**
 * The story of one run: read the inputs, start the export, wait for the job, download the file,
 * unpack it when asked, keep it as an artifact, report. Every failure ends here in exactly one
 * `::error::`.
 */
import * as core from '@actions/core'
import { rm } from 'node:fs/promises'
import { artifactServiceProblem, uploadExportArtifact } from '../artifact/upload.js'
import { sleep, watchForCancellation } from '../lifecycle/cancellation.js'
import { Inputs, Outputs } from '../constants.js'
import { downloadExport, type SavedFile } from '../download/download.js'
import { describeEnvPolicy } from '../tool-export/env-variables.js'
import { ActionError, CancelledError, errorMessage } from '../errors.js'
import { formatBytes, logValue } from '../log-text.js'
import type { VerifiedExport } from '../tool-export/verify.js'
import { extractExport } from '../extract/extract.js'
import { describeFileChange } from '../extract/file-changes.js'
import { artifactFileName } from '../file-naming.js'
import type { PlatformHttp } from '../http/client.js'
import { getSettings, type Settings, type ToolTarget } from './settings.js'
import { waitForJob, type WaitResult } from '../platform/wait.js'
import { PlatformClient, connectToPlatform, mayStartAgain } from '../platform/export-client.js'
import type { ExportAnswer } from '../platform/answers.js'
import { DEFAULT_BACKOFF, withRetry, type RetryContext } from '../http/retry.js'
import { Secrets } from '../lifecycle/secrets.js'
import { writeSetSummary, writeSummary, type Phase, type RunReport } from '../report/summary.js'
import { writableFolderProblem } from '../settings/folder-check.js'
import { TemporaryPaths, type TrackedPaths } from '../lifecycle/temporary-paths.js'
import { describeChanges } from '../extract/tree-compare.js'
import { resolveDownloadUrl } from '../platform/urls.js'
import { describeUrl } from '../http/urls.js'
import { DEFINITIONS, ENV_VARIABLES } from '../tool-export/zip-rules.js'

/** A cancelled run that has not unwound by then is stopped hard (the runner allows a few seconds). */
const HARD_STOP_MS = 1500
/** How often a set of tools says how far it has come. */
const SET_HEARTBEAT_MS = 15_000

/** How one tool's export talks to the log: groups for a single tool, a `[name]` prefix in a set. */
export interface ToolLog {
  info: (line: string) => void
  warning: (line: string) => void
  debug: (line: string) => void
  group: <T>(title: string, work: () => Promise<T>) => Promise<T>
  /** Whether the wait logs a heartbeat of its own (a set has one for all its tools). */
  heartbeat: boolean
}

/** What every phase of one tool's export needs, passed down rather than kept in globals. */
interface RunContext {
  settings: Settings
  target: ToolTarget
  platform: PlatformClient
  http: PlatformHttp
  signal: AbortSignal
  report: RunReport
  retry: Omit<RetryContext, 'what'>
  secrets: Secrets
  temporary: TrackedPaths
  log: ToolLog
  /** Sets a step output at once (a single tool), or only notes it for the set's `results`. */
  setOutput: (name: Outputs, value: string | number | boolean) => void
}

/** What the tools of one run share. */
export type Shared = Pick<RunContext, 'settings' | 'http' | 'signal' | 'secrets'> & { temporary: TemporaryPaths }

export async function run(): Promise<void> {
  const runStartedAt = Date.now()
  const secrets = new Secrets(core.setSecret)
  const temporary = new TemporaryPaths()
  /** One report per tool; the first stands for the run until the inputs are read. */
  const reports: RunReport[] = [{}]
  let many = false
  let summary: Promise<void> | undefined
  /** The summary, written once, whichever way the run ends. */
  const writeReport = (): Promise<void> =>
    (summary ??= (async () => {
      if (!many) reports[0].durationMs = Date.now() - runStartedAt
      const written = many ? writeSetSummary(reports, runError, Date.now() - runStartedAt, redact) : writeSummary(reports[0], redact)
      await written.catch((error: unknown) => core.warning(`Could not write the job summary: ${errorMessage(error)}`))
    })())
  const redact = (text: string): string => secrets.redact(text)
  let runError: string | undefined
  const failRun = (error: unknown): void => {
    if (runError !== undefined) return
    runError = many ? describeSetFailure(reports, error) : (reports[0].error = describeFailureOf(reports[0], error, output))
    core.setFailed(runError)
  }
  const cancellation = watchForCancellation(signal => {
    core.info(`Received ${signal}: stopping.`)
    // A phase that cannot be interrupted (the upload client takes no signal) is left behind.
    setTimeout(() => {
      temporary.removeAll()
      failRun(new CancelledError(signal))
      void writeReport().then(() => process.exit(1))
    }, HARD_STOP_MS).unref()
  })
  const signal = cancellation.signal
  let http: PlatformHttp | undefined

  try {
    const settings = getSettings({ getInput: name => core.getInput(name), setSecret: value => secrets.add(value), env: process.env })
    many = settings.many
    reports.splice(0, 1, ...settings.tools.map(target => ({ host: settings.platform.host, toolId: target.toolId, name: target.name })))
    if (settings.uploadArtifact) {
      const problem = artifactServiceProblem(process.env)
      if (problem) throw problem
    }
    await checkFolders(settings)
    http = connectToPlatform(settings, signal, secrets, core.debug)
    const shared: Shared = { settings, http, signal, secrets, temporary }
    if (!many) {
      const log: ToolLog = { info: core.info, warning: core.warning, debug: core.debug, group: core.group, heartbeat: true }
      await exportTool(shared, settings.tools[0], reports[0], log, (name, value) => output(reports[0], name, value))
      core.info(`Export of tool ${logValue(settings.tools[0].toolId)} complete in ${((Date.now() - runStartedAt) / 1000).toFixed(1)} s.`)
    } else {
      await exportSet(shared, reports)
    }
  } catch (error) {
    failRun(signal.aborted ? signal.reason : error)
  } finally {
    http?.dispose()
    cancellation.dispose()
    await writeReport()
  }
  // Requests abandoned on cancellation may still hold sockets open: end now rather than wait.
  if (signal.aborted) process.exit(1)
}

/**
 * One tool's export, whole: start, wait, download and verify, unpack, upload. Throws on failure.
 * The import entry's backup runs through here too, so that a backup is made as every export is.
 */
export async function exportTool(
  shared: Shared,
  target: ToolTarget,
  report: RunReport,
  log: ToolLog,
  setOutput: RunContext['setOutput']
): Promise<void> {
  const { settings, signal } = shared
  const ctx: RunContext = {
    ...shared,
    target,
    platform: new PlatformClient(shared.http, { platform: settings.platform, toolId: target.toolId, flowId: target.flowId }),
    report,
    retry: { policy: DEFAULT_BACKOFF, sleep: ms => sleep(ms, signal), warn: log.warning, debug: log.debug },
    temporary: shared.temporary.scope(target.name),
    log,
    setOutput
  }
  const started = await phase(ctx, 'start', 'Start the export', () => startExport(ctx))
  const ended = await waitForEnd(ctx, started)
  const file = await phase(ctx, 'download', 'Download and verify the export', () => download(ctx, ended.downloadUrl ?? started.downloadUrl))
  try {
    if (target.extractFolder) await phase(ctx, 'unpack', 'Unpack the export', () => unpack(ctx, file, target.extractFolder!))
    if (settings.uploadArtifact) await phase(ctx, 'upload', 'Upload the artifact', () => upload(ctx, file))
    else log.info('uploadArtifact is false: the file stays on the runner only.')
  } finally {
    // The run's own copy of what it downloaded is gone with the run; the published file stays.
    await rm(file.ownCopy, { force: true })
    ctx.temporary.replace('download', undefined)
  }
}

/**
 * Many tools in one step: at most `concurrency` exports in flight, each whole and on its own
 * schedule; one failing tool does not stop the others. The outputs describe the set; when all
 * are done, one error lists every tool that failed.
 */
async function exportSet(shared: Shared, reports: RunReport[]): Promise<void> {
  const { settings, signal } = shared
  const total = settings.tools.length
  let next = 0
  let running = 0
  let done = 0
  core.info(`Exporting ${total} tools from ${settings.platform.host}, at most ${settings.concurrency} at once.`)
  const heartbeat = setInterval(
    () => core.info(`${done} of ${total} done, ${running} running, ${total - done - running} waiting`),
    SET_HEARTBEAT_MS
  )
  heartbeat.unref()
  const worker = async (): Promise<void> => {
    while (next < total && !signal.aborted) {
      const index = next++
      const target = settings.tools[index]
      const report = reports[index]
      const prefix = `[${target.name}] `
      const log: ToolLog = {
        info: line => core.info(prefix + line),
        warning: line => core.warning(prefix + line),
        debug: line => core.debug(prefix + line),
        group: (_title, work) => work(),
        heartbeat: false
      }
      running++
      const startedAt = Date.now()
      try {
        await exportTool(shared, target, report, log, (name, value) => note(report, name, value))
        core.info(`${prefix}Done in ${seconds(Date.now() - startedAt)}${report.size === undefined ? '' : `: ${formatBytes(report.size)}`}.`)
      } catch (error) {
        if (signal.aborted) break
        report.error = describeFailureOf(report, error, note)
        core.info(`${prefix}Failed: ${logValue(report.error)}`)
      } finally {
        report.durationMs = Date.now() - startedAt
        running--
        done++
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(settings.concurrency, total) }, worker))
  } finally {
    clearInterval(heartbeat)
  }
  signal.throwIfAborted()
  const failed = reports.filter(report => report.error !== undefined)
  core.setOutput(Outputs.Results, JSON.stringify(reports.map(resultOf)))
  core.setOutput(Outputs.Status, failed.length ? 'FAILED' : 'SUCCESS')
  core.setOutput(Outputs.Changed, String(reports.some(report => report.changed === true)))
  core.setOutput(Outputs.Succeeded, String(total - failed.length))
  core.setOutput(Outputs.Failed, String(failed.length))
  core.info(`${total - failed.length} of ${total} tools exported${failed.length ? `; ${failed.length} failed` : ''}.`)
  if (failed.length) {
    throw new ActionError(
      `${failed.length} of ${total} tools failed: ${failed.map(report => `${report.name}: ${report.error}`).join(' | ')}`,
      'Each cause above says what to do; the other tools were exported in full.'
    )
  }
}

/** One tool's entry in the `results` output: its outputs, as a single run sets them, and its name and error. */
function resultOf(report: RunReport): Record<string, unknown> {
  const fields = [
    Outputs.Status,
    Outputs.DockStatusId,
    Outputs.ExportJobId,
    Outputs.FilePath,
    Outputs.Sha256,
    Outputs.Size,
    Outputs.ArtifactName,
    Outputs.ArtifactId,
    Outputs.ArtifactUrl,
    Outputs.ExtractedPath,
    Outputs.Changed,
    Outputs.Changes
  ]
  const result: Record<string, unknown> = { name: report.name, toolId: report.toolId }
  const noted = report as Record<string, unknown>
  for (const field of fields) if (noted[field] !== undefined) result[field] = noted[field]
  result.error = report.error ?? null
  return result
}

/**
 * Runs one phase in a log group of its own, noting in the report which phase is running. A
 * cancellation that arrived meanwhile ends the run here, even when the phase could not be
 * interrupted (the upload client takes no signal) and finished regardless.
 */
async function phase<T>(
  ctx: Pick<RunContext, 'report' | 'signal' | 'log'>,
  name: Phase,
  title: string,
  work: () => Promise<T>
): Promise<T> {
  ctx.report.phase = name
  const result = await ctx.log.group(title, work)
  ctx.signal.throwIfAborted()
  return result
}

/**
 * The folders the run writes to, checked before the export job starts: a file in their place, or
 * a folder that cannot be written, would otherwise fail only after the job has run.
 */
async function checkFolders(settings: Settings): Promise<void> {
  const problems: [Inputs, string | undefined][] = []
  for (const target of settings.tools) {
    problems.push([Inputs.Path, await writableFolderProblem(target.folder)])
    if (target.extractFolder) problems.push([Inputs.ExtractPath, await writableFolderProblem(target.extractFolder)])
  }
  problems.splice(0, problems.length, ...problems.filter(([, problem]) => problem !== undefined))
  if (problems.length === 0) return
  throw new ActionError(
    `Invalid input: ${problems.map(([name, problem]) => `input "${name}" ${problem}`).join('; ')}.`,
    'Choose a folder the runner can write to, or leave the input empty for the default. Nothing was sent to the platform.'
  )
}

/** 1. Start the export: it changes nothing on the tool, but each start is a job on the platform. */
async function startExport({ settings, target, platform, retry, log, setOutput }: RunContext): Promise<ExportAnswer> {
  log.info(`Exporting tool ${logValue(target.toolId)} (flow ${logValue(target.flowId)}) from ${settings.platform.host}`)
  log.info(`POST ${describeUrl(platform.exportUrl)}`)
  const answer = await withRetry(() => platform.startExport(), {
    ...retry,
    // Each start creates a job: one is sent again only when it surely created nothing.
    retryable: mayStartAgain,
    // A server's Retry-After is obeyed no further than the time the job itself is given.
    deadline: Date.now() + settings.timeoutMs,
    what: 'Starting the export'
  }).catch((error: unknown) => {
    throw platform.gaveUpStarting(error)
  })
  const job = answer.exportJobId ? `, export job ${logValue(answer.exportJobId)}` : ''
  log.info(
    `Export started: dock status id ${logValue(answer.dockStatusId)}${job}, status ${answer.status ? logValue(answer.status) : 'not given'}`
  )
  setOutput(Outputs.DockStatusId, answer.dockStatusId)
  if (answer.exportJobId) setOutput(Outputs.ExportJobId, answer.exportJobId)
  return answer
}

/** 2. Wait for the job to end, unless the answer to the start already said how it ended. */
async function waitForEnd(ctx: RunContext, started: ExportAnswer): Promise<WaitResult> {
  const { settings, target, platform, report, signal, log, setOutput } = ctx
  const startedAt = Date.now()
  const ended: WaitResult =
    started.status && started.status !== 'IN_PROGRESS'
      ? { status: started.status, timedOut: false }
      : await phase(ctx, 'wait', `Wait for the export job (timeout ${settings.timeoutMs / 1000} s)`, () =>
          waitForJob(id => platform.getStatus(id), {
            dockStatusId: started.dockStatusId,
            startedAt,
            timeoutMs: settings.timeoutMs,
            maxPauseMs: settings.maxPauseMs,
            log,
            heartbeat: log.heartbeat,
            sleep: ms => sleep(ms, signal)
          })
        )
  setOutput(Outputs.Status, ended.status)
  if (ended.timedOut) {
    report.timedOutAfterSeconds = settings.timeoutMs / 1000
    throw new ActionError(
      `The export job did not finish within ${settings.timeoutMs / 1000} s (timeoutSeconds); it was still IN_PROGRESS (dock status id ${started.dockStatusId}).`,
      'Raise "timeoutSeconds", or check the job on the platform: it keeps running there.'
    )
  }
  if (ended.status === 'FAILED') {
    throw new ActionError(
      `The platform reported the export job FAILED (dock status id ${started.dockStatusId}).`,
      `Check tool ${target.toolId} and flow ${target.flowId} in the platform (is the flow deployed?), then run the workflow again.`
    )
  }
  if (ended.status !== 'SUCCESS') {
    throw new ActionError(
      `The platform reported an unexpected job status "${ended.status}" (dock status id ${started.dockStatusId}).`,
      "Only IN_PROGRESS, SUCCESS and FAILED are documented; check the job on the platform and report this to the action's maintainers."
    )
  }
  return ended
}

/**
 * 3. Download the file: only after SUCCESS, since before it the file may not exist. A URL on
 * the status answer is newer than the one on the start answer, so the caller prefers it. The
 * file is verified before it takes its name; only then are the file's outputs set.
 */
async function download(ctx: RunContext, rawUrl: string | undefined): Promise<SavedFile> {
  const { settings, target, report, log, setOutput } = ctx
  if (!rawUrl) {
    throw new ActionError(
      `The export job succeeded but the platform gave no download URL (dock status id ${report.dockStatusId}).`,
      'Download the export from the platform UI, and report this platform behaviour to Kore.ai support.'
    )
  }
  let url: URL
  try {
    url = resolveDownloadUrl(settings.platform, rawUrl)
  } catch (error) {
    throw new ActionError(
      `The export job succeeded but the platform's answer is unusable: its download URL ${errorMessage(error)} (dock status id ${report.dockStatusId}).`,
      'Download the export from the platform UI, and report this platform behaviour to Kore.ai support.'
    )
  }
  // Masked before anything could print it: a signed URL is a credential.
  ctx.secrets.addUrl(url)
  ctx.secrets.add(rawUrl)
  setOutput(Outputs.DownloadUrl, url.href)
  log.info(`Downloading from ${url.origin} (the URL is masked: it may be signed)`)
  const file = await downloadExport({
    http: ctx.http,
    url,
    platform: settings.platform,
    folder: target.folder,
    fallbackName: artifactFileName(target.artifactName),
    signal: ctx.signal,
    retry: ctx.retry,
    onPartialFile: filePath => ctx.temporary.replace('download', filePath),
    toolChecks: settings.verifyToolExport,
    debug: log.debug,
    limitMs: settings.downloadTimeoutMs,
    progress: log.info
  })
  log.info(describeVerification(file.contents))
  for (const warning of file.contents.warnings) log.warning(warning)
  log.info(`Saved ${logValue(file.filePath)} (${file.size} bytes, sha256 ${file.sha256})`)
  report.fileName = file.fileName
  report.toolName = file.contents.toolName
  report.entries = file.contents.entries
  setOutput(Outputs.FilePath, file.filePath)
  setOutput(Outputs.Sha256, file.sha256)
  setOutput(Outputs.Size, file.size)
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

/** 4. Unpack it, so a pull request can show what changed; before the upload, so a refused archive is not published. */
async function unpack({ report, settings, temporary, log, setOutput }: RunContext, file: SavedFile, folder: string): Promise<void> {
  const bytes = file.contents.entries.reduce((sum, entry) => sum + entry.size, 0)
  const result = await extractExport(file.ownCopy, folder, {
    envPolicy: settings.envVariables,
    key: settings.key,
    bytes,
    temporary,
    keptAt: file.filePath
  })
  const env = result.envVariables
  if (env) {
    report.envVariables = env
    log.info(`envVariables ${describeEnvPolicy(env)}.`)
    if (env.shape === 'unrecognised') {
      log.warning(
        `${ENV_VARIABLES} is neither a list of {"key", "value"} objects nor an object of names and values: every value in it was replaced by a placeholder. Report its layout (not its values) to the action's maintainers.`
      )
    }
  }
  log.info(
    result.changed
      ? `Unpacked ${result.files} files into ${logValue(result.folder)}: ${describeChanges(result.changes)}.`
      : `Unpacked ${result.files} files: identical to what ${logValue(result.folder)} held, left untouched.`
  )
  setOutput(Outputs.ExtractedPath, result.folder)
  setOutput(Outputs.Changed, result.changed)
  report.fileChanges = result.fileChanges
  setOutput(Outputs.Changes, result.fileChanges.map(describeFileChange).join('\n'))
}

/** 5. Keep it as an artifact. */
async function upload({ settings, target, temporary, log, setOutput }: RunContext, file: SavedFile): Promise<void> {
  const artifact = await uploadExportArtifact({
    filePath: file.ownCopy,
    artifactName: target.artifactName,
    retentionDays: settings.retentionDays,
    env: process.env,
    temporary
  })
  setOutput(Outputs.ArtifactName, artifact.name)
  setOutput(Outputs.ArtifactId, artifact.id)
  if (artifact.url) setOutput(Outputs.ArtifactUrl, artifact.url)
  log.info(`Artifact ${artifact.name} (id ${artifact.id})${artifact.url ? `: ${artifact.url}` : ''}`)
}

/** Notes an output in the tool's report (for the summary and a set's `results`). */
function note(report: RunReport, name: Outputs, value: string | number | boolean): void {
  ;(report as Record<string, unknown>)[name] = value
}

/** Sets a step output as soon as it is known, and keeps it for the summary. */
function output(report: RunReport, name: Outputs, value: string | number | boolean): void {
  note(report, name, value)
  core.setOutput(name, String(value))
}

/**
 * What a tool's failure says, for the step's one `::error::` (or a set's list). A job whose end
 * was never seen was, as far as we know, still running: its status becomes IN_PROGRESS.
 */
function describeFailureOf(
  report: RunReport,
  error: unknown,
  setOutput: (report: RunReport, name: Outputs, value: string) => void
): string {
  const jobLeft = report.dockStatusId !== undefined && report.status === undefined
  if (jobLeft) setOutput(report, Outputs.Status, 'IN_PROGRESS')
  if (error instanceof ActionError) return error.toString()
  if (error instanceof CancelledError) {
    report.cancelled = true
    const left = jobLeft ? ` The export job (dock status id ${report.dockStatusId}) was left running on the platform.` : ''
    return `The export was cancelled (${error.signal}).${left} No partial file was kept.`
  }
  return `The export failed unexpectedly: ${errorMessage(error)}. Run the workflow again; if it persists, report it with this log.`
}

/** A set's one `::error::`: the failures listed, or the cancellation with every job left running. */
function describeSetFailure(reports: RunReport[], error: unknown): string {
  if (!(error instanceof CancelledError)) return error instanceof ActionError ? error.toString() : describeFailureOf({}, error, note)
  const left = reports.filter(report => report.dockStatusId !== undefined && report.status === undefined)
  for (const report of left) {
    report.cancelled = true
    note(report, Outputs.Status, 'IN_PROGRESS')
  }
  const jobs = left.map(report => `${report.name} (dock status id ${report.dockStatusId})`).join(', ')
  return `The export was cancelled (${error.signal}).${left.length ? ` Left running on the platform: ${jobs}.` : ''} No partial file was kept.`
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}
