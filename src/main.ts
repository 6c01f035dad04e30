/**
 * The story of one run: read the inputs, start the export, wait for the job, download the file,
 * unpack it when asked, keep it as an artifact, report. Every failure ends here in exactly one
 * `::error::`.
 */
import * as core from '@actions/core'
import { rmSync } from 'node:fs'
import { artifactServiceProblem, uploadExportArtifact } from './artifact-uploader.js'
import { sleep, watchForCancellation } from './cancellation.js'
import { Outputs } from './constants.js'
import { downloadExport, type SavedFile } from './downloader.js'
import { describeEnvPolicy } from './env-redaction.js'
import { ActionError, CancelledError, errorMessage } from './errors.js'
import type { VerifiedExport } from './export-verifier.js'
import { extractExport } from './extractor.js'
import { describeFileChange } from './file-changes.js'
import { artifactFileName } from './file-naming.js'
import { PlatformHttp } from './http-helper.js'
import { getSettings, type Settings } from './input-helper.js'
import { waitForJob, type WaitResult } from './job-waiter.js'
import { PlatformClient } from './platform-client.js'
import type { ExportAnswer } from './response-parser.js'
import { DEFAULT_BACKOFF, withRetry, type RetryContext } from './retry-helper.js'
import { writeSummary, type RunReport } from './summary.js'
import { describeChanges } from './tree-compare.js'
import { describeUrl, resolveDownloadUrl } from './url-helper.js'
import { DEFINITIONS, ENV_VARIABLES } from './zip-rules.js'

/** A cancelled run that has not unwound by then is stopped hard (the runner allows a few seconds). */
const HARD_STOP_MS = 1500

/** What every phase needs, passed down rather than kept in globals. */
interface RunContext {
  settings: Settings
  platform: PlatformClient
  http: PlatformHttp
  signal: AbortSignal
  report: RunReport
  retry: Omit<RetryContext, 'what'>
  onPartialFile: (filePath: string | undefined) => void
}

export async function run(): Promise<void> {
  const report: RunReport = {}
  const runStartedAt = Date.now()
  let partialFile: string | undefined
  const cancellation = watchForCancellation(signal => {
    core.info(`Received ${signal}: stopping.`)
    setTimeout(() => {
      if (partialFile) rmSync(partialFile, { force: true })
      fail(report, new CancelledError(signal))
      process.exit(1)
    }, HARD_STOP_MS).unref()
  })
  const signal = cancellation.signal
  let http: PlatformHttp | undefined

  try {
    const settings = getSettings({ getInput: name => core.getInput(name), setSecret: core.setSecret, env: process.env })
    report.host = settings.platform.host
    report.toolId = settings.toolId
    if (settings.uploadArtifact) {
      const problem = artifactServiceProblem(process.env)
      if (problem) throw problem
    }
    http = new PlatformHttp({ platform: settings.platform, key: settings.key, signal })
    const ctx: RunContext = {
      settings,
      platform: new PlatformClient(http, settings),
      http,
      signal,
      report,
      retry: { policy: DEFAULT_BACKOFF, sleep: ms => sleep(ms, signal), warn: core.warning },
      onPartialFile: filePath => (partialFile = filePath)
    }

    const started = await core.group('Start the export', () => startExport(ctx))
    const ended = await waitForEnd(ctx, started)
    const file = await core.group('Download and verify the export', () => download(ctx, ended.downloadUrl ?? started.downloadUrl))
    if (settings.extractFolder) await core.group('Unpack the export', () => unpack(ctx, file, settings.extractFolder!))
    if (settings.uploadArtifact) await core.group('Upload the artifact', () => upload(ctx, file))
    else core.info('uploadArtifact is false: the file stays on the runner only.')
    core.info(`Export of tool ${settings.toolId} complete in ${((Date.now() - runStartedAt) / 1000).toFixed(1)} s.`)
  } catch (error) {
    fail(report, signal.aborted ? signal.reason : error)
  } finally {
    http?.dispose()
    cancellation.dispose()
    report.durationMs = Date.now() - runStartedAt
    await writeSummary(report).catch(error => core.warning(`Could not write the job summary: ${errorMessage(error)}`))
  }
  // Requests abandoned on cancellation may still hold sockets open: end now rather than wait.
  if (signal.aborted) process.exit(1)
}

/** 1. Start the export; retrying is safe, since starting one changes nothing on the tool. */
async function startExport({ settings, platform, report, retry }: RunContext): Promise<ExportAnswer> {
  core.info(`Exporting tool ${settings.toolId} (flow ${settings.flowId}) from ${settings.platform.host}`)
  core.info(`POST ${describeUrl(platform.exportUrl)}`)
  let attempts = 0
  const answer = await withRetry(attempt => ((attempts = attempt), platform.startExport()), {
    ...retry,
    what: 'Starting the export'
  }).catch(error => {
    throw platform.gaveUpStarting(error, attempts)
  })
  const job = answer.exportJobId ? `, export job ${answer.exportJobId}` : ''
  core.info(`Export started: dock status id ${answer.dockStatusId}${job}, status ${answer.status ?? 'not given'}`)
  if (attempts > 1) {
    // An attempt whose answer was lost may have started a job of its own.
    core.info(
      `The start was retried: keeping dock status id ${answer.dockStatusId}; an earlier attempt may have started another export job on the platform.`
    )
  }
  setOutput(report, Outputs.DockStatusId, answer.dockStatusId)
  if (answer.exportJobId) setOutput(report, Outputs.ExportJobId, answer.exportJobId)
  return answer
}

/** 2. Wait for the job to end, unless the answer to the start already said how it ended. */
async function waitForEnd({ settings, platform, report, signal }: RunContext, started: ExportAnswer): Promise<WaitResult> {
  const startedAt = Date.now()
  const ended: WaitResult =
    started.status && started.status !== 'IN_PROGRESS'
      ? { status: started.status, timedOut: false }
      : await core.group(`Wait for the export job (timeout ${settings.timeoutMs / 1000} s)`, () =>
          waitForJob(id => platform.getStatus(id), {
            dockStatusId: started.dockStatusId,
            startedAt,
            timeoutMs: settings.timeoutMs,
            maxPauseMs: settings.maxPauseMs,
            log: { info: core.info, warning: core.warning },
            sleep: ms => sleep(ms, signal)
          })
        )
  setOutput(report, Outputs.Status, ended.status)
  if (ended.timedOut) {
    throw new ActionError(
      `The export job did not finish within ${settings.timeoutMs / 1000} s (timeoutSeconds); it was still IN_PROGRESS (dock status id ${started.dockStatusId}).`,
      'Raise "timeoutSeconds", or check the job on the platform: it keeps running there.'
    )
  }
  if (ended.status === 'FAILED') {
    throw new ActionError(
      `The platform reported the export job FAILED (dock status id ${started.dockStatusId}).`,
      `Check tool ${settings.toolId} and flow ${settings.flowId} in the platform (is the flow deployed?), then run the workflow again.`
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
  const { settings, report } = ctx
  if (!rawUrl) {
    throw new ActionError(
      `The export job succeeded but the platform gave no download URL (dock status id ${report.dockStatusId}).`,
      'Download the export from the platform UI, and report this platform behaviour to Kore.ai support.'
    )
  }
  const url = resolveDownloadUrl(settings.platform, rawUrl)
  maskUrl(rawUrl, url)
  setOutput(report, Outputs.DownloadUrl, url.href)
  core.info(`Downloading from ${url.origin} (the URL is masked: it may be signed)`)
  const file = await downloadExport({
    http: ctx.http,
    url,
    folder: settings.folder,
    fallbackName: artifactFileName(settings.artifactName),
    signal: ctx.signal,
    retry: ctx.retry,
    onPartialFile: ctx.onPartialFile,
    toolChecks: settings.verifyToolExport,
    debug: core.debug
  })
  core.info(describeVerification(file.contents))
  for (const warning of file.contents.warnings) core.warning(warning)
  core.info(`Saved ${file.filePath} (${file.size} bytes, sha256 ${file.sha256})`)
  report.fileName = file.fileName
  report.toolName = file.contents.toolName
  report.entries = file.contents.entries
  setOutput(report, Outputs.FilePath, file.filePath)
  setOutput(report, Outputs.Sha256, file.sha256)
  setOutput(report, Outputs.Size, file.size)
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
async function unpack({ report, settings }: RunContext, file: SavedFile, folder: string): Promise<void> {
  const result = await extractExport(file.filePath, folder, { envPolicy: settings.envVariables, key: settings.key })
  const env = result.envVariables
  if (env) {
    report.envVariables = env
    core.info(`envVariables ${describeEnvPolicy(env)}.`)
    if (env.shape === 'unrecognised') {
      core.warning(
        `${ENV_VARIABLES} is neither a list of {"key", "value"} objects nor an object of names and values: every value in it was replaced by a placeholder. Report its layout (not its values) to the action's maintainers.`
      )
    }
  }
  core.info(
    result.changed
      ? `Unpacked ${result.files} files into ${result.folder}: ${describeChanges(result.changes)}.`
      : `Unpacked ${result.files} files: identical to what ${result.folder} held, left untouched.`
  )
  setOutput(report, Outputs.ExtractedPath, result.folder)
  setOutput(report, Outputs.Changed, result.changed)
  report.fileChanges = result.fileChanges
  setOutput(report, Outputs.Changes, result.fileChanges.map(describeFileChange).join('\n'))
}

/** 5. Keep it as an artifact. */
async function upload({ settings, report }: RunContext, file: SavedFile): Promise<void> {
  const artifact = await uploadExportArtifact({
    filePath: file.filePath,
    artifactName: settings.artifactName,
    retentionDays: settings.retentionDays,
    env: process.env
  })
  setOutput(report, Outputs.ArtifactName, artifact.name)
  setOutput(report, Outputs.ArtifactId, artifact.id)
  if (artifact.url) setOutput(report, Outputs.ArtifactUrl, artifact.url)
  core.info(`Artifact ${artifact.name} (id ${artifact.id})${artifact.url ? `: ${artifact.url}` : ''}`)
}

/** Sets a step output as soon as it is known, and keeps it for the summary. */
function setOutput(report: RunReport, name: Outputs, value: string | number | boolean): void {
  ;(report as Record<string, unknown>)[name] = value
  core.setOutput(name, String(value))
}

function maskUrl(raw: string, url: URL): void {
  if (raw.trim() !== url.href) core.setSecret(raw.trim())
  core.setSecret(url.href)
  // Part of a signed URL can show up on its own (a path in an error); mask the query and path too.
  if (url.search.length > 1) core.setSecret(url.search.slice(1))
  if (url.pathname.length > 1) core.setSecret(url.pathname + url.search)
}

/** The step's one `::error::`; later calls (a hard stop racing the normal path) do nothing. */
function fail(report: RunReport, error: unknown): void {
  if (report.error !== undefined) return
  const jobLeft = report.dockStatusId !== undefined && report.status === undefined
  if (error instanceof ActionError) report.error = error.toString()
  else if (error instanceof CancelledError) {
    const left = jobLeft ? ` The export job (dock status id ${report.dockStatusId}) was left running on the platform.` : ''
    report.error = `The export was cancelled (${error.signal}).${left} No partial file was kept.`
  } else {
    report.error = `The export failed unexpectedly: ${errorMessage(error)}. Run the workflow again; if it persists, report it with this log.`
  }
  // A job was started but its end was never seen: it was, as far as we know, still running.
  if (jobLeft) setOutput(report, Outputs.Status, 'IN_PROGRESS')
  core.setFailed(report.error)
}
