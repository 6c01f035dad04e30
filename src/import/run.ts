/**
 * The story of one restore: read the inputs and prove the source before any request; back the
 * existing tool up through the export's own path; settle every environment variable's value;
 * upload the definitions; send ONE import request; wait for it; report. Every failure ends here
 * in exactly one `::error::`.
 */
import * as core from '@actions/core'
import { openAsBlob } from 'node:fs'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { artifactServiceProblem } from '../artifact/upload.js'
import { sleep, watchForCancellation } from '../lifecycle/cancellation.js'
import { Defaults, ImportInputs, ImportOutputs, Inputs, Outputs } from '../constants.js'
import { isNamedVariable } from '../tool-export/env-variables.js'
import { ActionError, CancelledError, HttpError, NetworkError, RetriesExhaustedError, errorMessage } from '../errors.js'
import { defaultArtifactName } from '../file-naming.js'
import type { PlatformHttp } from '../http/client.js'
import { connectToPlatform } from '../platform/export-client.js'
import { ImportClient, type ImportFiles } from '../platform/import-client.js'
import type { Settings } from '../export/settings.js'
import { waitForJob } from '../platform/wait.js'
import { formatBytes, logValue } from '../log-text.js'
import { exportTool, type ToolLog } from '../export/run.js'
import { DEFAULT_BACKOFF, describeFailure, isSafeToResend, withRetry, type RetryContext } from '../http/retry.js'
import { Secrets } from '../lifecycle/secrets.js'
import { writeImportSummary, type ImportReport, type RunReport } from '../report/summary.js'
import { TemporaryPaths } from '../lifecycle/temporary-paths.js'
import { describeUrl } from '../http/urls.js'
import { ENV_VARIABLES } from '../tool-export/zip-rules.js'
import { describeSource, resolveEnvVariables, type EnvResolution, type ExistingVariables } from './env-values.js'
import { getImportSettings, type ImportSettings } from './settings.js'
import { readSource, type RestoreSource, type SourceFile } from './source.js'
import { chunkRange, planUpload } from '../platform/upload-plan.js'

const HARD_STOP_MS = 1500

interface RestoreContext {
  settings: ImportSettings
  http: PlatformHttp
  client: ImportClient
  signal: AbortSignal
  secrets: Secrets
  temporary: TemporaryPaths
  tempRoot: string
  report: ImportReport
  retry: Omit<RetryContext, 'what'>
}

export async function runImport(): Promise<void> {
  const startedAt = Date.now()
  const secrets = new Secrets(core.setSecret)
  const temporary = new TemporaryPaths()
  const report: ImportReport = {}
  const redact = (text: string): string => secrets.redact(text)
  let summary: Promise<void> | undefined
  const writeReport = (): Promise<void> =>
    (summary ??= (async () => {
      report.durationMs = Date.now() - startedAt
      await writeImportSummary(report, redact).catch((error: unknown) =>
        core.warning(`Could not write the job summary: ${errorMessage(error)}`)
      )
    })())
  const fail = (error: unknown): void => {
    if (report.error !== undefined) return
    report.error = describeImportFailure(report, error)
    core.setFailed(report.error)
  }
  const cancellation = watchForCancellation(signal => {
    core.info(`Received ${signal}: stopping.`)
    setTimeout(() => {
      temporary.removeAll()
      fail(new CancelledError(signal))
      void writeReport().then(() => process.exit(1))
    }, HARD_STOP_MS).unref()
  })
  const signal = cancellation.signal
  let http: PlatformHttp | undefined
  try {
    const settings = getImportSettings({ getInput: name => core.getInput(name), setSecret: value => secrets.add(value), env: process.env })
    Object.assign(report, { host: settings.platform.host, toolId: settings.toolId, toolName: settings.toolName, dryRun: settings.dryRun })
    if (settings.backupBefore && !settings.dryRun) {
      const problem = artifactServiceProblem(process.env)
      if (problem) throw withBackupHint(problem)
    }
    const tempRoot = await mkdtemp(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'koreai-import-'))
    temporary.replace('import', tempRoot)
    http = connectToPlatform(settings, signal, secrets, core.debug)
    const ctx: RestoreContext = {
      settings,
      http,
      client: new ImportClient(http, { platform: settings.platform, toolId: settings.toolId }),
      signal,
      secrets,
      temporary,
      tempRoot,
      report,
      retry: { policy: DEFAULT_BACKOFF, sleep: ms => sleep(ms, signal), warn: core.warning, debug: core.debug }
    }
    await restore(ctx)
    core.info(`${settings.dryRun ? 'Dry run' : 'Import'} complete in ${((Date.now() - startedAt) / 1000).toFixed(1)} s.`)
  } catch (error) {
    fail(signal.aborted ? signal.reason : error)
  } finally {
    http?.dispose()
    cancellation.dispose()
    temporary.removeAll()
    await writeReport()
  }
  if (signal.aborted) process.exit(1)
}

async function restore(ctx: RestoreContext): Promise<void> {
  const { settings, report } = ctx
  // 1. Everything checkable before any request: the source, and whether each variable can get a value.
  const source = await core.group('Verify the source', () => verifySource(ctx))
  const before = resolveEnv(ctx, source, settings.backupBefore ? { kind: 'unknown' } : { kind: 'none' }, false)
  if (settings.dryRun) {
    writePlan(ctx, source, before)
    return
  }
  // 2. The backup, and with it the tool's current variables.
  let existing: ExistingVariables = { kind: 'none' }
  if (settings.backupBefore) existing = await core.group('Back up the tool as it is now', () => backUp(ctx))
  // 3. Every variable's value.
  const env = settings.backupBefore ? resolveEnv(ctx, source, existing, true) : before
  if (settings.toolId && env.file === 'none') {
    throw new ActionError(
      `The source has no ${ENV_VARIABLES} and there is no backup to take the tool's current one from, but an import into an existing tool needs one.`,
      `Set "${ImportInputs.BackupBefore}: true" (with "${Inputs.FlowId}") to keep the tool's current variables, or restore from a backup exported with envVariables "redact" or "keep". Nothing was imported.`
    )
  }
  // A file whose every value is the backup's own goes up as it is; else the settled values are written out.
  const unchanged = env.file === 'source' && env.variables.every(variable => variable.source === 'backup')
  const envFile = env.value === undefined ? undefined : unchanged ? source.env : await writeEnvFile(ctx, env.value)
  // 4. Uploads.
  const files = await core.group('Upload the definitions', () => uploadAll(ctx, source, envFile))
  // 5. One import request.
  const answer = await core.group('Import', () => sendImport(ctx, files))
  // 6. Wait.
  await waitForImport(ctx, answer)
  report.status = 'SUCCESS'
}

async function verifySource(ctx: RestoreContext): Promise<RestoreSource> {
  const { settings, report } = ctx
  const source = await readSource(settings.source, { tempRoot: ctx.tempRoot, temporary: ctx.temporary, signal: ctx.signal })
  report.source = { kind: source.kind, name: source.name, sha256: source.sha256, toolName: source.toolName }
  report.files = [source.app, source.flow, ...(source.env ? [source.env] : [])].map(file => ({ name: file.name, size: file.size }))
  // Clear values in the backup are secrets too: masked before anything could print one.
  if (source.envValue !== undefined) maskValues(ctx.secrets, source.envValue)
  const tool = source.toolName ? ` of tool "${logValue(source.toolName)}"` : ''
  core.info(`Verified the ${source.kind} ${logValue(source.name)}${tool} (sha256 ${source.sha256}):`)
  for (const file of [source.flow, source.app, source.env]) {
    if (file) core.info(`  ${file.name}: ${formatBytes(file.size)}`)
  }
  if (!source.env) core.info(`  no ${ENV_VARIABLES} (as the export's envVariables "omit" writes it)`)
  return source
}

/** Settles every variable, or refuses naming each one left without a value. `final`: after the backup. */
function resolveEnv(ctx: RestoreContext, source: RestoreSource, existing: ExistingVariables, final: boolean): EnvResolution {
  const { settings, report } = ctx
  const env = resolveEnvVariables(source.envValue, settings.envValues, existing)
  if (env.missing.length > 0) {
    const from = settings.toolId && settings.backupBefore ? ', nor does the existing tool have them' : ''
    throw new ActionError(
      `${env.missing.length} environment variable${env.missing.length === 1 ? '' : 's'} of the source hold${env.missing.length === 1 ? 's' : ''} a redacted placeholder and no value is given for ${env.missing.length === 1 ? 'it' : 'them'}${from}: ${env.missing.map(name => logValue(name)).join(', ')}. A placeholder is never imported as a value; nothing was uploaded or imported.`,
      `Give their values in "${ImportInputs.EnvValues}" (a JSON object from a secret, such as {"NAME": "value"})${settings.toolId ? `, or import into a tool that has them with "${ImportInputs.BackupBefore}: true"` : ''}.`
    )
  }
  report.variables = env.variables.map(variable => ({ name: variable.name, source: describeSource(variable.source, !final) }))
  if (final || settings.dryRun || !settings.backupBefore) {
    if (env.file === 'existing') core.info(`The source has no ${ENV_VARIABLES}: the existing tool's current one is imported.`)
    for (const variable of env.variables) core.info(`Variable ${logValue(variable.name)}: ${describeSource(variable.source, !final)}`)
    if (env.unused.length)
      core.warning(
        `"${ImportInputs.EnvValues}" names variables the source does not have; not imported: ${env.unused.map(name => logValue(name)).join(', ')}.`
      )
  }
  return env
}

/** The plan of a dry run, in the log and the summary: nothing is sent. */
function writePlan(ctx: RestoreContext, source: RestoreSource, env: EnvResolution): void {
  const { settings, report } = ctx
  const into = settings.toolId ? `tool ${logValue(settings.toolId)} (a new version)` : `a new tool named ${logValue(settings.toolName!)}`
  core.info(
    `Dry run: would import ${source.kind} ${logValue(source.name)} (sha256 ${source.sha256}) into ${into} on ${settings.platform.host}.`
  )
  const files = [source.app, source.flow, ...(source.env || env.file === 'source' ? [source.env!] : [])]
  report.files = files.map(file => ({ name: file.name, size: file.size, how: planUpload(file.size).mode }))
  if (env.file === 'existing') report.files.push({ name: ENV_VARIABLES, size: 0, how: "the existing tool's current file" })
  for (const file of report.files) core.info(`  ${file.name}: ${formatBytes(file.size)}, ${file.how}`)
  if (settings.backupBefore) core.info('A real run would first back the tool up as it is now.')
  core.info('No write request was sent.')
}

/** The existing tool, exported through the export's own path, verified and kept as an artifact. */
async function backUp(ctx: RestoreContext): Promise<ExistingVariables> {
  const { settings, report } = ctx
  const toolId = settings.toolId!
  const exportSettings: Settings = {
    platform: settings.platform,
    key: settings.key,
    tools: [],
    many: false,
    concurrency: 1,
    timeoutMs: settings.timeoutMs,
    downloadTimeoutMs: Defaults.downloadTimeoutSeconds * 1000,
    maxPauseMs: Defaults.pollIntervalSeconds * 1000,
    uploadArtifact: true,
    retentionDays: undefined,
    verifyToolExport: true,
    envVariables: 'keep'
  }
  const target = {
    toolId,
    flowId: settings.flowId!,
    name: toolId,
    folder: path.join(ctx.tempRoot, 'backup'),
    // Stamped with the time it was taken: artifact names are unique within a run, and a matrix or
    // a second import of the same tool in one run must not collide with this one.
    artifactName: defaultArtifactName(`${toolId}-before-import-${new Date().toISOString().replace(/[-:.]/g, '')}`)
  }
  const exported: RunReport = {}
  const noted: Partial<Record<Outputs, string | number | boolean>> = {}
  const log: ToolLog = {
    info: line => core.info(`[backup] ${line}`),
    warning: line => core.warning(`[backup] ${line}`),
    debug: line => core.debug(`[backup] ${line}`),
    group: (_title, work) => work(),
    heartbeat: true
  }
  try {
    await exportTool(
      { settings: exportSettings, http: ctx.http, signal: ctx.signal, secrets: ctx.secrets, temporary: ctx.temporary },
      target,
      exported,
      log,
      (name, value) => {
        noted[name] = value
      }
    )
  } catch (error) {
    if (error instanceof CancelledError) throw error
    const cause = error instanceof ActionError ? error.toString() : errorMessage(error)
    throw new ActionError(
      `The backup of tool ${toolId} before the import failed, so nothing was imported: ${cause}`,
      `Fix the cause above, or set "${ImportInputs.BackupBefore}: false" to import without a backup.`
    )
  }
  const artifactId = Number(noted[Outputs.ArtifactId])
  report.backup = {
    artifactName: String(noted[Outputs.ArtifactName]),
    artifactId,
    artifactUrl: noted[Outputs.ArtifactUrl] as string | undefined
  }
  core.setOutput(ImportOutputs.BackupArtifactId, String(artifactId))
  core.info(
    `Backed up tool ${logValue(toolId)} as it was: artifact ${report.backup.artifactName} (id ${artifactId})${report.backup.artifactUrl ? `: ${report.backup.artifactUrl}` : ''}`
  )
  const backup = await readSource(String(noted[Outputs.FilePath]), { tempRoot: ctx.tempRoot, temporary: ctx.temporary, signal: ctx.signal })
  if (backup.envValue !== undefined) maskValues(ctx.secrets, backup.envValue)
  return { kind: 'known', file: backup.envValue }
}

/** The settled env_variables.json, written for the upload only readable by this user. */
async function writeEnvFile(ctx: RestoreContext, value: unknown): Promise<SourceFile> {
  const file = path.join(ctx.tempRoot, 'upload', ENV_VARIABLES)
  const text = `${JSON.stringify(value, null, 2)}\n`
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  await writeFile(file, text, { mode: 0o600 })
  return { name: ENV_VARIABLES, path: file, size: Buffer.byteLength(text) }
}

interface UploadedIds {
  app: string
  flow: string
  env?: string
}

async function uploadAll(ctx: RestoreContext, source: RestoreSource, env: SourceFile | undefined): Promise<UploadedIds> {
  const startedAt = Date.now()
  const total = source.app.size + source.flow.size + (env?.size ?? 0)
  const app = await uploadOne(ctx, source.app)
  const flow = await uploadOne(ctx, source.flow)
  const envId = env ? await uploadOne(ctx, env) : undefined
  ctx.report.files = [source.app, source.flow, ...(env ? [env] : [])].map(file => ({
    name: file.name,
    size: file.size,
    how: planUpload(file.size).mode
  }))
  core.info(`Uploaded ${formatBytes(total)} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s.`)
  return { app, flow, env: envId }
}

/** One file with the File Upload API: one request below the limit, else a chunked session. */
async function uploadOne(ctx: RestoreContext, file: SourceFile): Promise<string> {
  const { client, retry, secrets } = ctx
  const plan = planUpload(file.size)
  const retrying = <T>(what: string, operation: () => Promise<T>): Promise<T> =>
    withRetry(operation, { ...retry, what }).catch(error => {
      throw client.gaveUp(error, what)
    })
  let answer
  if (plan.mode === 'one request') {
    answer = await retrying(`Uploading ${file.name}`, () => client.uploadFile(file.path, file.name))
    core.info(`Uploaded ${file.name} (${formatBytes(file.size)}) in one request: file id ${logValue(answer.fileId)}`)
  } else {
    const fileName = file.name
    const sessionId = await retrying(`Starting the upload session of ${fileName}`, () =>
      client.startSession({
        fileName,
        fileExtension: path.extname(fileName).slice(1) || 'json',
        fileSize: file.size,
        totalChunks: plan.totalChunks
      })
    )
    core.info(`Uploading ${fileName} (${formatBytes(file.size)}) in ${plan.totalChunks} chunks of up to ${formatBytes(plan.chunkBytes)}`)
    const blob = await openAsBlob(file.path)
    for (let chunk = 0; chunk < plan.totalChunks; chunk++) {
      const [start, end] = chunkRange(chunk, file.size, plan.chunkBytes)
      await retrying(`Uploading chunk ${chunk} of ${fileName}`, () =>
        client.uploadChunk(sessionId, chunk, blob.slice(start, end), fileName)
      )
      core.debug(`chunk ${chunk} of ${fileName}: bytes ${start}-${end - 1} sent`)
    }
    answer = await retrying(`Completing the upload of ${fileName}`, () => client.completeSession(sessionId, fileName))
    core.info(`Uploaded ${fileName} in ${plan.totalChunks} chunks: file id ${logValue(answer.fileId)}`)
  }
  if (answer.url) {
    secrets.add(answer.url)
    try {
      secrets.addUrl(new URL(answer.url))
    } catch {
      // not a URL: masked whole above
    }
  }
  return answer.fileId
}

/**
 * The one import request. Sent again only when the platform surely did not act on it (a 429, or
 * no connection made); after a 5xx, a reset or a timeout it may have started an import, and a
 * second request could import twice: the run fails saying so.
 */
async function sendImport(ctx: RestoreContext, ids: UploadedIds): Promise<{ dockStatusId: string; status?: string }> {
  const { settings, client, report } = ctx
  const files: ImportFiles = { toolDataFileId: ids.app, flowDataFileId: ids.flow }
  if (ids.env) files.envVariablesFileId = ids.env
  if (!settings.toolId) files.toolName = settings.toolName
  core.info(
    `POST ${describeUrl(client.importUrl)} (${settings.toolId ? `a new version of tool ${logValue(settings.toolId)}` : `a new tool named ${logValue(settings.toolName!)}`})`
  )
  const answer = await withRetry(() => client.startImport(files), {
    ...ctx.retry,
    retryable: isSafeToResend,
    deadline: Date.now() + settings.timeoutMs,
    what: 'Sending the import request'
  }).catch(error => {
    throw importNotConfirmed(error, settings)
  })
  report.dockStatusId = answer.dockStatusId
  core.setOutput(ImportOutputs.DockStatusId, answer.dockStatusId)
  const toolId = answer.toolId ?? settings.toolId
  if (toolId) {
    report.toolId = toolId
    core.setOutput(ImportOutputs.ToolId, toolId)
  }
  core.info(
    `Import started: dock status id ${logValue(answer.dockStatusId)}${toolId ? `, tool ${logValue(toolId)}` : ''}, status ${answer.status ? logValue(answer.status) : 'not given'}`
  )
  return answer
}

/** Why the import request was not confirmed, and whether it may have started. */
function importNotConfirmed(failure: unknown, settings: ImportSettings): unknown {
  if (failure instanceof ActionError || failure instanceof CancelledError) return failure
  const host = settings.platform.host
  // Every attempt failed with a fault that proves nothing arrived: say so with the last one.
  const error = failure instanceof RetriesExhaustedError ? failure.lastError : failure
  if (error instanceof HttpError && error.status === 429) {
    return new ActionError(
      `Sending the import request failed: ${host} answered HTTP 429 (too many requests) to every attempt. The import was not started.`,
      'Run the workflow again later, when the platform is less busy.'
    )
  }
  if (error instanceof NetworkError && error.unsent) {
    return new ActionError(
      `Sending the import request failed: no connection to ${host} (${error.message}). The import was not sent.`,
      'Check that the platform is reachable from the runner (the "host" input, proxy settings, the platform\'s status), then run the workflow again.'
    )
  }
  const where = settings.toolId ? `a new in-development version of tool ${settings.toolId}` : `a new tool named "${settings.toolName}"`
  return new ActionError(
    `Sending the import request failed (${describeFailure(error)}) after ${host} may have received it: the import may have started, so it was not sent again.`,
    `Look on ${host} for ${where} and its import job before running the workflow again: a second run could import twice.`
  )
}

async function waitForImport(ctx: RestoreContext, started: { dockStatusId: string; status?: string }): Promise<void> {
  const { settings, client, report, signal } = ctx
  const startedAt = Date.now()
  const ended =
    started.status && started.status !== 'IN_PROGRESS'
      ? { status: started.status, timedOut: false, message: undefined as string | undefined }
      : await core.group(`Wait for the import job (timeout ${settings.timeoutMs / 1000} s)`, () =>
          waitForJob(id => client.getStatus(id), {
            dockStatusId: started.dockStatusId,
            startedAt,
            timeoutMs: settings.timeoutMs,
            maxPauseMs: Defaults.pollIntervalSeconds * 1000,
            log: { info: core.info, warning: core.warning, debug: core.debug },
            sleep: ms => sleep(ms, signal),
            job: 'import'
          })
        )
  report.status = ended.status
  core.setOutput(ImportOutputs.Status, ended.status)
  if (ended.timedOut) {
    throw new ActionError(
      `The import job did not finish within ${settings.timeoutMs / 1000} s (timeoutSeconds); it was still IN_PROGRESS (dock status id ${started.dockStatusId}).`,
      'Check the job on the platform: it keeps running there. Do not run the import again before it ends; raise "timeoutSeconds" for next time.'
    )
  }
  if (ended.status === 'FAILED') {
    const said = ended.message ? ` The platform said: "${ended.message}".` : ''
    throw new ActionError(
      `The platform reported the import FAILED (dock status id ${started.dockStatusId}).${said}`,
      'Check the import on the platform (an incompatible tool version, a corrupt file, missing models or guardrails); fix the cause, then run the workflow again.' +
        (report.backup ? ` The tool as it was is in the artifact ${report.backup.artifactName}.` : '')
    )
  }
  if (ended.status !== 'SUCCESS') {
    throw new ActionError(
      `The platform reported an unexpected job status "${ended.status}" (dock status id ${started.dockStatusId}).`,
      "Only IN_PROGRESS, SUCCESS and FAILED are documented; check the job on the platform and report this to the action's maintainers."
    )
  }
}

/** Every variable's value registered as a secret (names stay readable). */
function maskValues(secrets: Secrets, file: unknown): void {
  const add = (value: unknown): void => {
    if (typeof value === 'string') secrets.add(value)
    else if (value !== null && typeof value === 'object') for (const member of Object.values(value)) add(member)
  }
  if (Array.isArray(file) && file.every(isNamedVariable)) for (const variable of file) add(variable.value)
  else add(file)
}

function withBackupHint(problem: ActionError): ActionError {
  return new ActionError(
    `The backup before the import cannot be kept: ${problem.message}`,
    `${problem.fix} Or set "${ImportInputs.BackupBefore}: false".`
  )
}

function describeImportFailure(report: ImportReport, error: unknown): string {
  if (error instanceof ActionError) return error.toString()
  if (error instanceof CancelledError) {
    const left =
      report.dockStatusId && !report.status
        ? ` The import job (dock status id ${report.dockStatusId}) was left running on the platform.`
        : ''
    return `The import was cancelled (${error.signal}).${left}`
  }
  return `The import failed unexpectedly: ${errorMessage(error)}. Run the workflow again; if it persists, report it with this log.`
}
