/**
 * The import's story: prove the source and settle every environment variable before any
 * request; back the existing tool up; upload the definitions and send ONE import request; wait
 * for it; with `deploy`, release it (deploy, and roll back a deploy that fails); report. The
 * platform steps are import-job.ts's, the release release.ts's, the backup the export's own
 * pipeline (backup.ts), the run's lifecycle lifecycle/run.ts.
 */
import { mkdtemp } from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { artifactServiceProblem } from '../artifact/upload.js'
import { ImportInputs, ImportOutputs, Inputs } from '../constants.js'
import { ActionError, CancelledError, errorMessage } from '../errors.js'
import { DEFAULT_BACKOFF } from '../http/retry.js'
import { sleep } from '../lifecycle/cancellation.js'
import { runEntry, runnerIO, type Entry, type RunIO } from '../lifecycle/run.js'
import { formatBytes, logValue } from '../log-text.js'
import { connectToPlatform } from '../platform/connection.js'
import { ImportClient } from '../platform/import-client.js'
import { planUpload } from '../platform/upload-plan.js'
import { importSummary, type ImportReport } from '../report/import-summary.js'
import { ENV_VARIABLES } from '../tool-export/zip-rules.js'
import { backUp } from './backup.js'
import type { ImportContext } from './context.js'
import type { EnvResolution, ExistingVariables } from './env-values.js'
import { importDefinitions } from './import-job.js'
import { release, type KeptBackup } from './release.js'
import { getImportSettings, type ImportSettings } from './settings.js'
import { readSource, type ImportSource } from './source.js'
import { maskValues, resolveEnv, writeEnvFile } from './variables.js'

export async function run(io: RunIO = runnerIO()): Promise<void> {
  await runEntry(io, importEntry(io))
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
        if (problem) {
          throw new ActionError(
            `The backup before the import cannot be kept: ${problem.message}`,
            `${problem.fix} Or set "${ImportInputs.BackupBefore}: false".`
          )
        }
      }
      const tempRoot = await mkdtemp(path.join(io.env.RUNNER_TEMP || os.tmpdir(), 'koreai-import-'))
      run.temporary.replace('import', tempRoot)
      const http = connectToPlatform(run, 'import')
      try {
        const client = new ImportClient(http, { platform: settings.platform, toolId: settings.toolId })
        const retry = { policy: DEFAULT_BACKOFF, sleep: (ms: number) => sleep(ms, run.signal), warn: io.log.warning, debug: io.log.debug }
        await importTool({ ...run, http, client, report, tempRoot, retry })
        io.log.info(
          `${settings.dryRun ? 'Dry run' : settings.deploy ? 'Import and deploy' : 'Import'} complete in ${((Date.now() - run.startedAt) / 1000).toFixed(1)} s.`
        )
      } finally {
        http.dispose()
      }
    },
    describeFailure(error) {
      if (error instanceof ActionError) return error.toString()
      if (error instanceof CancelledError) return describeCancelled(report, error)
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
  const source = await io.log.group('Verify the source', () => verifySource(ctx, settings.source))
  const before = resolveEnv(ctx, source, settings.backupBefore ? { kind: 'unknown' } : { kind: 'none' }, false)
  if (settings.dryRun) return writePlan(ctx, source, before)
  if (settings.deploy && !settings.rollback)
    io.log.info(`The deploy after the import will not be rolled back if it fails: ${whyNoRollback(settings)}.`)
  // 2. The backup, and with it the tool's current variables.
  let existing: ExistingVariables = { kind: 'none' }
  let kept: KeptBackup | undefined
  if (settings.backupBefore) {
    kept = await io.log.group('Back up the tool as it is now', () => backUpTool(ctx))
    existing = { kind: 'known', file: kept.source.envValue }
  }
  // 3. Every variable's value.
  const env = settings.backupBefore ? resolveEnv(ctx, source, existing, true) : before
  if (settings.toolId && env.file === 'none') {
    throw new ActionError(
      `The source has no ${ENV_VARIABLES} and there is no backup to take the tool's current one from, but an import into an existing tool needs one.`,
      `Set "${ImportInputs.BackupBefore}: true" (with "${Inputs.FlowId}") to keep the tool's current variables, or import an export made with envVariables "redact" or "keep". Nothing was imported.`
    )
  }
  // A file whose every value is the source's own goes up as it is; else the settled values are written out.
  const unchanged = env.file === 'source' && env.variables.every(variable => variable.source === 'source')
  const envFile = env.value === undefined ? undefined : unchanged ? source.env : await writeEnvFile(ctx.tempRoot, env.value)
  const files = [source.app, source.flow, ...(envFile ? [envFile] : [])]
  report.files = files.map(file => ({ name: file.name, size: file.size, how: planUpload(file.size).mode }))
  // 4. Upload, ONE import request, its job.
  const job = await importDefinitions(ctx, files, {
    log: io.log,
    failedFix:
      'Check the import on the platform (an incompatible tool version, a corrupt file, missing models or guardrails); fix the cause, then run the workflow again.' +
      (report.backup ? ` The tool as it was is in the artifact ${report.backup.artifactName}.` : ''),
    onStarted: started => {
      report.dockStatusId = started.dockStatusId
      io.setOutput(ImportOutputs.DockStatusId, started.dockStatusId!)
      if (started.toolId) {
        report.toolId = started.toolId
        io.setOutput(ImportOutputs.ToolId, started.toolId)
      }
    },
    onEnd: ended => {
      report.status = ended.status
      io.setOutput(ImportOutputs.Status, ended.status!)
    }
  })
  // 5. The release: deploy, and roll back a deploy that fails.
  if (!settings.deploy) return
  if (!job.toolId) {
    throw new ActionError(
      "The import succeeded, but the platform's answer gave no id for the new tool, so it cannot be deployed.",
      "Deploy the new tool from the platform's UI, and report this platform behaviour to Kore.ai support."
    )
  }
  await release(ctx, job.toolId, kept)
}

async function verifySource(ctx: ImportContext, from: string): Promise<ImportSource> {
  const { report, io } = ctx
  const source = await readSource(from, {
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

/** The backup, kept as an artifact, and its files read back: its variables, and what a rollback imports. */
async function backUpTool(ctx: ImportContext): Promise<KeptBackup> {
  const { settings, report, io } = ctx
  const backup = await backUp(settings, {
    http: ctx.http,
    signal: ctx.signal,
    secrets: ctx.secrets,
    temporary: ctx.temporary,
    log: io.log,
    env: io.env,
    folder: ctx.tempRoot
  })
  report.backup = backup
  io.setOutput(ImportOutputs.BackupArtifactId, String(backup.artifactId))
  io.log.info(
    `Backed up tool ${logValue(settings.toolId!)} as it was: artifact ${backup.artifactName} (id ${backup.artifactId})${backup.artifactUrl ? `: ${backup.artifactUrl}` : ''}`
  )
  const source = await readSource(backup.filePath, { tempRoot: ctx.tempRoot, temporary: ctx.temporary, signal: ctx.signal })
  if (source.envValue !== undefined) maskValues(ctx.secrets, source.envValue)
  return { backup, source }
}

/** The plan of a dry run, in the log and the summary: nothing is sent. */
function writePlan(ctx: ImportContext, source: ImportSource, env: EnvResolution): void {
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
  if (settings.deploy) {
    report.plan = [
      "Then deploy the tool's new in-development version, and wait for the deploy.",
      settings.rollback
        ? 'If the deploy FAILED or did not end in time: import the backup taken before the import, as it was, deploy it, and fail the step.'
        : `If the deploy fails, it is not rolled back: ${whyNoRollback(settings)}.`
    ]
    for (const line of report.plan) io.log.info(line)
  }
  io.log.info('No write request was sent.')
}

/** Why a deploy after this import would not be rolled back. */
function whyNoRollback(settings: ImportSettings): string {
  if (settings.toolName) return 'a new tool has no earlier version'
  return settings.backupBefore ? `"${ImportInputs.Rollback}" is false` : `"${ImportInputs.BackupBefore}" is false: there is no backup`
}

/** A cancelled import: every job it leaves running on the platform, named by its dock status id. */
function describeCancelled(report: ImportReport, error: CancelledError): string {
  const running: string[] = []
  if (report.dockStatusId && !report.status) running.push(`the import job (dock status id ${report.dockStatusId})`)
  if (report.deploy?.dockStatusId && !report.deploy.status) running.push(`the deploy job (dock status id ${report.deploy.dockStatusId})`)
  const rollback = report.rollback
  if (rollback?.import.dockStatusId && !rollback.import.status)
    running.push(`the rollback's import job (dock status id ${rollback.import.dockStatusId})`)
  if (rollback?.deploy.dockStatusId && !rollback.deploy.status)
    running.push(`the rollback's deploy job (dock status id ${rollback.deploy.dockStatusId})`)
  const left = running.length ? ` Left running on the platform: ${running.join(', ')}.` : ''
  const noRollback = report.deploy && !report.rollback ? ' No rollback was started.' : ''
  return `The import was cancelled (${error.signal}).${left}${noRollback}`
}
