/**
 * The story of one run: read the inputs, start the export, wait for the job, download the file,
 * keep it as an artifact, report. Every failure ends here in exactly one `::error::`.
 */
import * as core from '@actions/core'
import { rmSync } from 'node:fs'
import { uploadExportArtifact, artifactServiceProblem } from './artifact-uploader.js'
import { sleep, watchForCancellation } from './cancellation.js'
import { Outputs } from './constants.js'
import { downloadExport } from './downloader.js'
import { extractExport } from './extractor.js'
import { ActionError, CancelledError, errorMessage } from './errors.js'
import { artifactFileName } from './file-naming.js'
import { PlatformHttp } from './http-helper.js'
import { getSettings, type Settings } from './input-helper.js'
import { waitForJob } from './job-waiter.js'
import { PlatformClient } from './platform-client.js'
import { DEFAULT_BACKOFF, withRetry } from './retry-helper.js'
import { writeSummary, type RunReport } from './summary.js'
import { describeChanges } from './tree-compare.js'
import { describeUrl, resolveDownloadUrl } from './url-helper.js'

/** A cancelled run that has not unwound by then is stopped hard (the runner allows a few seconds). */
const HARD_STOP_MS = 1500

export async function run(): Promise<void> {
  const report: RunReport = {}
  const runStartedAt = Date.now()
  let partialFile: string | undefined
  let failed = false
  const fail = (error: unknown): void => {
    if (failed) return
    failed = true
    report.error = failureMessage(error, report)
    if (report.dockStatusId && report.status === undefined) setOutput(report, 'status', Outputs.Status, 'IN_PROGRESS')
    core.setFailed(report.error)
  }
  const cancellation = watchForCancellation(signal => {
    core.info(`Received ${signal}: stopping.`)
    setTimeout(() => {
      if (partialFile) rmSync(partialFile, { force: true })
      fail(new CancelledError(signal))
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
    const platform = new PlatformClient(http, settings)
    const retry = { policy: DEFAULT_BACKOFF, sleep: (ms: number) => sleep(ms, signal), warn: core.warning }

    // 1. Start the export.
    const started = await core.group('Start the export', async () => {
      core.info(`Exporting tool ${settings.toolId} (flow ${settings.flowId}) from ${settings.platform.host}`)
      core.info(`POST ${describeUrl(platform.exportUrl)}`)
      let attempts = 0
      const answer = await withRetry(
        attempt => ((attempts = attempt), platform.startExport()),
        { ...retry, what: 'Starting the export' }
      ).catch(error => {
        throw platform.gaveUpStarting(error, attempts)
      })
      const job = answer.exportJobId ? `, export job ${answer.exportJobId}` : ''
      core.info(`Export started: dock status id ${answer.dockStatusId}${job}, status ${answer.status ?? 'not given'}`)
      if (attempts > 1) {
        // Starting an export changes nothing on the tool, so a retry is safe; but an attempt
        // whose answer was lost may have started a job of its own.
        core.info(`The start was retried: keeping dock status id ${answer.dockStatusId}; an earlier attempt may have started another export job on the platform.`)
      }
      return answer
    })
    const startedAt = Date.now()
    setOutput(report, 'dockStatusId', Outputs.DockStatusId, started.dockStatusId)
    if (started.exportJobId) setOutput(report, 'exportJobId', Outputs.ExportJobId, started.exportJobId)

    // 2. Wait for the job to end, unless the answer to the start already said how it ended.
    const ended =
      started.status && started.status !== 'IN_PROGRESS'
        ? { status: started.status, timedOut: false, downloadUrl: undefined }
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
    setOutput(report, 'status', Outputs.Status, ended.status)
    report.durationMs = Date.now() - startedAt
    assertSucceeded(ended, settings, started.dockStatusId)

    // 3. Download the file (only now: before SUCCESS it may not exist). A URL on the status
    // answer is newer than the one on the start answer, so it wins.
    const rawUrl = ended.downloadUrl ?? started.downloadUrl
    if (!rawUrl) {
      throw new ActionError(
        `The export job succeeded but the platform gave no download URL (dock status id ${started.dockStatusId}).`,
        'Download the export from the platform UI, and report this platform behaviour to Kore.ai support.'
      )
    }
    const downloadUrl = resolveDownloadUrl(settings.platform, rawUrl)
    maskUrl(rawUrl, downloadUrl)
    setOutput(report, undefined, Outputs.DownloadUrl, downloadUrl.href)
    const file = await core.group('Download the export', async () => {
      core.info(`Downloading from ${downloadUrl.origin} (the URL is masked: it may be signed)`)
      const saved = await downloadExport({
        http: http!,
        url: downloadUrl,
        folder: settings.folder,
        fallbackName: artifactFileName(settings.artifactName),
        signal,
        retry,
        onPartialFile: filePath => (partialFile = filePath)
      })
      core.info(`Saved ${saved.filePath} (${saved.size} bytes, sha256 ${saved.sha256})`)
      return saved
    })
    report.fileName = file.fileName
    setOutput(report, 'filePath', Outputs.FilePath, file.filePath)
    setOutput(report, 'sha256', Outputs.Sha256, file.sha256)
    setOutput(report, 'size', Outputs.Size, file.size)

    // 4. Unpack it, when asked, so a pull request can show what changed. Before the upload, so
    // that an archive refused here is not published either.
    if (settings.extractFolder) {
      const extractFolder = settings.extractFolder
      const unpacked = await core.group('Unpack the export', async () => {
        const result = await extractExport(file.filePath, extractFolder)
        core.info(
          result.changed
            ? `Unpacked ${result.files} files into ${result.folder}: ${describeChanges(result.changes)}.`
            : `Unpacked ${result.files} files: identical to what ${result.folder} held, left untouched.`
        )
        return result
      })
      setOutput(report, 'extractedPath', Outputs.ExtractedPath, unpacked.folder)
      setOutput(report, 'changed', Outputs.Changed, unpacked.changed)
    }

    // 5. Keep it as an artifact.
    if (settings.uploadArtifact) {
      const artifact = await core.group('Upload the artifact', () =>
        uploadExportArtifact({
          filePath: file.filePath,
          artifactName: settings.artifactName,
          retentionDays: settings.retentionDays,
          env: process.env
        })
      )
      setOutput(report, 'artifactName', Outputs.ArtifactName, artifact.name)
      core.setOutput(Outputs.ArtifactId, String(artifact.id))
      if (artifact.url) setOutput(report, 'artifactUrl', Outputs.ArtifactUrl, artifact.url)
      core.info(`Artifact ${artifact.name} (id ${artifact.id})${artifact.url ? `: ${artifact.url}` : ''}`)
    } else {
      core.info('uploadArtifact is false: the file stays on the runner only.')
    }
    core.info(`Export of tool ${settings.toolId} complete in ${((Date.now() - runStartedAt) / 1000).toFixed(1)} s.`)
  } catch (error) {
    fail(signal.aborted ? signal.reason : error)
  } finally {
    http?.dispose()
    cancellation.dispose()
    report.durationMs ??= Date.now() - runStartedAt
    await writeSummary(report).catch(error => core.warning(`Could not write the job summary: ${errorMessage(error)}`))
  }
  // Requests abandoned on cancellation may still hold sockets open: end now rather than wait.
  if (signal.aborted) process.exit(1)
}

/** Sets an output and, when it belongs there, records it in the report for the summary. */
function setOutput<K extends keyof RunReport>(report: RunReport, field: K | undefined, name: Outputs, value: NonNullable<RunReport[K]> | string): void {
  if (field) (report as Record<string, unknown>)[field] = value
  core.setOutput(name, String(value))
}

function maskUrl(raw: string, url: URL): void {
  if (raw.trim() !== url.href) core.setSecret(raw.trim())
  core.setSecret(url.href)
  // Part of a signed URL can show up on its own (a path in an error); mask the query and path too.
  if (url.search.length > 1) core.setSecret(url.search.slice(1))
  if (url.pathname.length > 1) core.setSecret(url.pathname + url.search)
}

function assertSucceeded(ended: { status: string; timedOut: boolean }, settings: Settings, dockStatusId: string): void {
  if (ended.timedOut) {
    throw new ActionError(
      `The export job did not finish within ${settings.timeoutMs / 1000} s (timeoutSeconds); it was still IN_PROGRESS (dock status id ${dockStatusId}).`,
      'Raise "timeoutSeconds", or check the job on the platform: it keeps running there.'
    )
  }
  if (ended.status === 'FAILED') {
    throw new ActionError(
      `The platform reported the export job FAILED (dock status id ${dockStatusId}).`,
      `Check tool ${settings.toolId} and flow ${settings.flowId} in the platform (is the flow deployed?), then run the workflow again.`
    )
  }
  if (ended.status !== 'SUCCESS') {
    throw new ActionError(
      `The platform reported an unexpected job status "${ended.status}" (dock status id ${dockStatusId}).`,
      'Only IN_PROGRESS, SUCCESS and FAILED are documented; check the job on the platform and report this to the action\'s maintainers.'
    )
  }
}

function failureMessage(error: unknown, report: RunReport): string {
  if (error instanceof ActionError) return error.toString()
  if (error instanceof CancelledError) {
    const left = report.dockStatusId && report.status === undefined
      ? ` The export job (dock status id ${report.dockStatusId}) was left running on the platform.`
      : ''
    return `The export was cancelled (${error.signal}).${left} No partial file was kept.`
  }
  return `The export failed unexpectedly: ${errorMessage(error)}. Run the workflow again; if it persists, report it with this log.`
}
