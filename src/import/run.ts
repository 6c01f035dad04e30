/**
 * The import's story: prove the source and settle every environment variable before any
 * request; back the existing tool up; upload the definitions; send ONE import request; wait for
 * it; report. The File Upload protocol is the import client's (platform/import-client.ts), the
 * backup the export's own pipeline (backup.ts), the run's lifecycle lifecycle/run.ts.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { artifactServiceProblem } from '../artifact/upload.js'
import { Defaults, ImportInputs, ImportOutputs, Inputs } from '../constants.js'
import { ActionError, CancelledError, HttpError, NetworkError, RetriesExhaustedError, errorMessage } from '../errors.js'
import { DEFAULT_BACKOFF, describeFailure, isSafeToResend, withRetry, type RetryContext } from '../http/retry.js'
import type { PlatformHttp } from '../http/client.js'
import { describeUrl } from '../http/urls.js'
import { sleep } from '../lifecycle/cancellation.js'
import { runEntry, runnerIO, type Entry, type RunContext, type RunIO } from '../lifecycle/run.js'
import type { Secrets } from '../lifecycle/secrets.js'
import { formatBytes, logValue } from '../log-text.js'
import { connectToPlatform, UNREACHABLE_FIX } from '../platform/connection.js'
import { ImportClient, type ImportFiles, type UploadSource } from '../platform/import-client.js'
import { settleJob, type StartedJob } from '../platform/jobs.js'
import { planUpload } from '../platform/upload-plan.js'
import { importSummary, type ImportReport } from '../report/import-summary.js'
import { isNamedVariable } from '../tool-export/env-variables.js'
import { ENV_VARIABLES } from '../tool-export/zip-rules.js'
import { backUp } from './backup.js'
import { describeSource, resolveEnvVariables, unsettledError, type EnvResolution, type ExistingVariables } from './env-values.js'
import { getImportSettings, type ImportSettings } from './settings.js'
import { readSource, type RestoreSource, type SourceFile } from './source.js'

export async function run(io: RunIO = runnerIO()): Promise<void> {
  await runEntry(io, importEntry(io))
}

/** What the story's steps share. */
interface ImportContext extends RunContext<ImportSettings> {
  http: PlatformHttp
  client: ImportClient
  report: ImportReport
  /** A folder of the run's own, removed when it ends. */
  tempRoot: string
  retry: Omit<RetryContext, 'what'>
}

export function importEntry(io: RunIO): Entry<ImportSettings> {
  const report: ImportReport = {}
  return {
    readSettings(source) {
      const settings = getImportSettings(source)
      Object.assign(report, { host: settings.platform.host, toolId: settings.toolId, toolName: settings.toolName, dryRun: settings.dryRun })
      return settings
    },
    async work(run) {
      const { settings } = run
      if (settings.backupBefore && !settings.dryRun) {
        const problem = artifactServiceProblem(io.env)
        if (problem)
          throw new ActionError(
            `The backup before the import cannot be kept: ${problem.message}`,
            `${problem.fix} Or set "${ImportInputs.BackupBefore}: false".`
          )
      }
      const tempRoot = await mkdtemp(path.join(io.env.RUNNER_TEMP || os.tmpdir(), 'koreai-import-'))
      run.temporary.replace('import', tempRoot)
      const http = connectToPlatform(settings, run.signal, run.secrets, line => io.log.debug(line), io.env)
      try {
        const client = new ImportClient(http, { platform: settings.platform, toolId: settings.toolId })
        const retry = { policy: DEFAULT_BACKOFF, sleep: (ms: number) => sleep(ms, run.signal), warn: io.log.warning, debug: io.log.debug }
        await importTool({ ...run, http, client, report, tempRoot, retry })
        io.log.info(`${settings.dryRun ? 'Dry run' : 'Import'} complete in ${((Date.now() - run.startedAt) / 1000).toFixed(1)} s.`)
      } finally {
        http.dispose()
      }
    },
    describeFailure(error) {
      if (error instanceof ActionError) return error.toString()
      if (error instanceof CancelledError) {
        const left =
          report.dockStatusId && !report.status
            ? ` The import job (dock status id ${report.dockStatusId}) was left running on the platform.`
            : ''
        return `The import was cancelled (${error.signal}).${left}`
      }
      return `The import failed unexpectedly: ${errorMessage(error)}. Run the workflow again; if it persists, report it with this log.`
    },
    summary(failure, durationMs, redact) {
      return importSummary({ ...report, error: failure, durationMs }, redact)
    }
  }
}

async function importTool(ctx: ImportContext): Promise<void> {
  const { settings, report, io } = ctx
  // 1. Everything checkable before any request: the source, and whether each variable can get a value.
  const source = await io.log.group('Verify the source', () => verifySource(ctx))
  const before = resolveEnv(ctx, source, settings.backupBefore ? { kind: 'unknown' } : { kind: 'none' }, false)
  if (settings.dryRun) return writePlan(ctx, source, before)
  // 2. The backup, and with it the tool's current variables.
  let existing: ExistingVariables = { kind: 'none' }
  if (settings.backupBefore) {
    const backup = await io.log.group('Back up the tool as it is now', () =>
      backUp(settings, {
        http: ctx.http,
        signal: ctx.signal,
        secrets: ctx.secrets,
        temporary: ctx.temporary,
        log: io.log,
        env: io.env,
        folder: ctx.tempRoot
      })
    )
    report.backup = backup
    io.setOutput(ImportOutputs.BackupArtifactId, String(backup.artifactId))
    io.log.info(
      `Backed up tool ${logValue(settings.toolId!)} as it was: artifact ${backup.artifactName} (id ${backup.artifactId})${backup.artifactUrl ? `: ${backup.artifactUrl}` : ''}`
    )
    const kept = await readSource(backup.filePath, { tempRoot: ctx.tempRoot, temporary: ctx.temporary, signal: ctx.signal })
    if (kept.envValue !== undefined) maskValues(ctx.secrets, kept.envValue)
    existing = { kind: 'known', file: kept.envValue }
  }
  // 3. Every variable's value.
  const env = settings.backupBefore ? resolveEnv(ctx, source, existing, true) : before
  if (settings.toolId && env.file === 'none') {
    throw new ActionError(
      `The source has no ${ENV_VARIABLES} and there is no backup to take the tool's current one from, but an import into an existing tool needs one.`,
      `Set "${ImportInputs.BackupBefore}: true" (with "${Inputs.FlowId}") to keep the tool's current variables, or import an export made with envVariables "redact" or "keep". Nothing was imported.`
    )
  }
  // A file whose every value is the backup's own goes up as it is; else the settled values are written out.
  const unchanged = env.file === 'source' && env.variables.every(variable => variable.source === 'backup')
  const envFile = env.value === undefined ? undefined : unchanged ? source.env : await writeEnvFile(ctx.tempRoot, env.value)
  // 4. Uploads, 5. one import request, 6. its job.
  const files = await io.log.group('Upload the definitions', () => uploadAll(ctx, [source.app, source.flow, ...(envFile ? [envFile] : [])]))
  const started = await io.log.group('Import', () => sendImport(ctx, files))
  await settleJob(id => ctx.client.getStatus(id), started, {
    job: 'import',
    startedAt: Date.now(),
    timeoutMs: settings.timeoutMs,
    maxPauseMs: Defaults.pollIntervalSeconds * 1000,
    log: io.log,
    sleep: ms => sleep(ms, ctx.signal),
    group: io.log.group,
    failedFix:
      'Check the import on the platform (an incompatible tool version, a corrupt file, missing models or guardrails); fix the cause, then run the workflow again.' +
      (report.backup ? ` The tool as it was is in the artifact ${report.backup.artifactName}.` : ''),
    timeoutFix:
      'Check the job on the platform: it keeps running there. Do not run the import again before it ends; raise "timeoutSeconds" for next time.',
    redact: text => ctx.secrets.redact(text),
    onEnd: end => {
      report.status = end.status
      io.setOutput(ImportOutputs.Status, end.status)
    }
  })
}

async function verifySource(ctx: ImportContext): Promise<RestoreSource> {
  const { settings, report, io } = ctx
  const source = await readSource(settings.source, {
    tempRoot: ctx.tempRoot,
    // Where the source's relative path starts (as the settings read it): no link below it is followed.
    workspace: io.env.GITHUB_WORKSPACE || process.cwd(),
    temporary: ctx.temporary,
    signal: ctx.signal
  })
  report.source = { kind: source.kind, name: source.name, sha256: source.sha256, toolName: source.toolName }
  report.files = [source.app, source.flow, ...(source.env ? [source.env] : [])].map(file => ({ name: file.name, size: file.size }))
  // Clear values in the source are secrets too: masked before anything could print one.
  if (source.envValue !== undefined) maskValues(ctx.secrets, source.envValue)
  const tool = source.toolName ? ` of tool "${logValue(source.toolName)}"` : ''
  io.log.info(`Verified the ${source.kind} ${logValue(source.name)}${tool} (sha256 ${source.sha256}):`)
  for (const file of [source.flow, source.app, source.env]) {
    if (file) io.log.info(`  ${file.name}: ${formatBytes(file.size)}`)
  }
  if (!source.env) io.log.info(`  no ${ENV_VARIABLES} (as the export's envVariables "omit" writes it)`)
  return source
}

/** Settles every variable, or refuses naming each one left without a value. `final`: after the backup. */
function resolveEnv(ctx: ImportContext, source: RestoreSource, existing: ExistingVariables, final: boolean): EnvResolution {
  const { settings, report, io } = ctx
  const env = resolveEnvVariables(source.envValue, settings.envValues, existing)
  const unsettled = unsettledError(env, settings)
  if (unsettled) throw unsettled
  report.variables = env.variables.map(variable => ({ name: variable.name, source: describeSource(variable.source, !final) }))
  if (final || settings.dryRun || !settings.backupBefore) {
    if (env.file === 'existing') io.log.info(`The source has no ${ENV_VARIABLES}: the existing tool's current one is imported.`)
    for (const variable of env.variables) io.log.info(`Variable ${logValue(variable.name)}: ${describeSource(variable.source, !final)}`)
    if (env.unused.length)
      io.log.warning(
        `"${ImportInputs.EnvValues}" names variables the source does not have; not imported: ${env.unused.map(name => logValue(name)).join(', ')}.`
      )
  }
  return env
}

/** The plan of a dry run, in the log and the summary: nothing is sent. */
function writePlan(ctx: ImportContext, source: RestoreSource, env: EnvResolution): void {
  const { settings, report, io } = ctx
  const into = settings.toolId ? `tool ${logValue(settings.toolId)} (a new version)` : `a new tool named ${logValue(settings.toolName!)}`
  io.log.info(
    `Dry run: would import ${source.kind} ${logValue(source.name)} (sha256 ${source.sha256}) into ${into} on ${settings.platform.host}.`
  )
  const files = [source.app, source.flow, ...(source.env || env.file === 'source' ? [source.env!] : [])]
  report.files = files.map(file => ({ name: file.name, size: file.size, how: planUpload(file.size).mode }))
  if (env.file === 'existing') report.files.push({ name: ENV_VARIABLES, size: 0, how: "the existing tool's current file" })
  for (const file of report.files) io.log.info(`  ${file.name}: ${formatBytes(file.size)}, ${file.how}`)
  if (settings.backupBefore) io.log.info('A real run would first back the tool up as it is now.')
  io.log.info('No write request was sent.')
}

/** The settled env_variables.json, written for the upload only readable by this user. */
async function writeEnvFile(tempRoot: string, value: unknown): Promise<SourceFile> {
  const file = path.join(tempRoot, 'upload', ENV_VARIABLES)
  const text = `${JSON.stringify(value, null, 2)}\n`
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  await writeFile(file, text, { mode: 0o600 })
  return { name: ENV_VARIABLES, path: file, size: Buffer.byteLength(text) }
}

/**
 * Every definition up, each with the File Upload API. Each must come back with a file id of its
 * own: one id for two files (a caching proxy, a platform fault) would import one file as both.
 */
async function uploadAll(ctx: ImportContext, files: UploadSource[]): Promise<Map<string, string>> {
  const { io, secrets } = ctx
  const startedAt = Date.now()
  const ids = new Map<string, string>()
  for (const file of files) {
    ids.set(
      file.name,
      await ctx.client.upload(file, {
        retry: ctx.retry,
        info: io.log.info,
        debug: io.log.debug,
        mask: url => maskUrl(secrets, url)
      })
    )
  }
  ctx.report.files = files.map(file => ({ name: file.name, size: file.size, how: planUpload(file.size).mode }))
  const seen = new Map<string, string>()
  for (const [name, id] of ids) {
    const first = seen.get(id)
    if (first) {
      throw new ActionError(
        `The platform gave the same file id ${logValue(id)} for ${first} and ${name}: an import would take one file for both. Nothing was imported.`,
        'Run the workflow again; if it happens again, a cache or proxy between the runner and the platform may be answering for it (check NO_PROXY and the proxy), or report it to Kore.ai support.'
      )
    }
    seen.set(id, name)
  }
  io.log.info(
    `Uploaded ${formatBytes(files.reduce((sum, file) => sum + file.size, 0))} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s.`
  )
  return ids
}

/**
 * The one import request. Sent again only when the platform surely did not act on it (a 429, or
 * no connection made); after a 5xx, a reset or a timeout it may have started an import, and a
 * second request could import twice: the run fails saying so.
 */
async function sendImport(ctx: ImportContext, ids: Map<string, string>): Promise<StartedJob> {
  const { settings, client, report, io } = ctx
  const files: ImportFiles = { toolDataFileId: ids.get('app_definition.json')!, flowDataFileId: ids.get('flow_definition.json')! }
  const envId = ids.get(ENV_VARIABLES)
  if (envId) files.envVariablesFileId = envId
  if (!settings.toolId) files.toolName = settings.toolName
  io.log.info(
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
  io.setOutput(ImportOutputs.DockStatusId, answer.dockStatusId)
  const toolId = answer.toolId ?? settings.toolId
  if (toolId) {
    report.toolId = toolId
    io.setOutput(ImportOutputs.ToolId, toolId)
  }
  io.log.info(
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
      UNREACHABLE_FIX
    )
  }
  const where = settings.toolId ? `a new in-development version of tool ${settings.toolId}` : `a new tool named "${settings.toolName}"`
  return new ActionError(
    `Sending the import request failed (${describeFailure(error)}) after ${host} may have received it: the import may have started, so it was not sent again.`,
    `Look on ${host} for ${where} and its import job before running the workflow again: a second run could import twice.`
  )
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

/** A signed URL from an answer: masked whole, and its parts when it is a URL. */
function maskUrl(secrets: Secrets, url: string): void {
  secrets.add(url)
  try {
    secrets.addUrl(new URL(url))
  } catch {
    // not a URL: masked whole above
  }
}
