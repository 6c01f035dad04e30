/**
 * The release after an import: deploy the tool's new in-development version. When the deploy
 * FAILED or did not end in time, roll back: import the backup taken before the import, its values
 * exactly as they were, and deploy it. The step fails either way then, since the release did not
 * land. At most one import and one deploy for the release, and one of each for the rollback: a
 * rollback that fails is reported, never retried. A deploy refused (403) or unconfirmed (the
 * connection dropped after the request went out) is not rolled back: nothing was deployed, or a
 * deploy may be running.
 */
import { Defaults, ImportInputs, ImportOutputs } from '../constants.js'
import { ActionError, CancelledError, errorMessage } from '../errors.js'
import { prefixedLog } from '../lifecycle/run.js'
import { deployTool, type DeployResult } from '../pipeline/deploy-tool.js'
import { DeployClient } from '../platform/deploy-client.js'
import type { JobRow } from '../report/import-summary.js'
import type { Backup } from './backup.js'
import type { ImportContext } from './context.js'
import { importDefinitions } from './import-job.js'
import type { ImportSource } from './source.js'

/** The backup and its files, read and verified: what a rollback imports. */
export interface KeptBackup {
  backup: Backup
  source: ImportSource
}

export async function release(ctx: ImportContext, toolId: string, kept: KeptBackup | undefined): Promise<void> {
  const { io, report } = ctx
  const deploy: DeployResult = {}
  report.deploy = deploy
  io.setOutput(ImportOutputs.RolledBack, 'false')
  const setDeployOutputs = (): void => {
    if (!deploy.dockStatusId) return
    io.setOutput(ImportOutputs.DeployDockStatusId, deploy.dockStatusId)
    io.setOutput(ImportOutputs.DeployStatus, deploy.status ?? 'IN_PROGRESS')
  }
  try {
    await deployTool(
      { http: ctx.http, signal: ctx.signal, log: io.log, secrets: ctx.secrets },
      {
        ...deployOptions(ctx, toolId),
        forbiddenAlso: `The import landed as tool ${toolId}'s new in-development version and was not deployed: deploy it from the platform, or give the key the scope and run again.`
      },
      deploy
    )
  } catch (error) {
    // The release's own deploy, as it stands, before any rollback.
    setDeployOutputs()
    await afterFailedDeploy(ctx, error, kept, toolId)
  }
  setDeployOutputs()
}

/**
 * What the release's deploy failure becomes: a rollback when the deploy FAILED or timed out and
 * there is a backup to roll back to; otherwise the failure itself, saying why nothing was rolled
 * back. Never after a cancellation.
 */
async function afterFailedDeploy(ctx: ImportContext, error: unknown, kept: KeptBackup | undefined, toolId: string): Promise<never> {
  const { settings, report } = ctx
  const deploy = report.deploy ?? {}
  const ended = deploy.status === 'FAILED' || deploy.timedOut === true
  if (error instanceof CancelledError || !ended || !(error instanceof ActionError)) throw error
  if (!settings.rollback || !kept) {
    const why = !kept ? 'there is no backup to roll back to' : `"${ImportInputs.Rollback}" is false`
    throw new ActionError(`${error.message} Not rolled back: ${why}; the tool's in-development version is the one imported.`, error.fix)
  }
  ctx.signal.throwIfAborted()
  return rollBack(ctx, toolId, kept, error)
}

async function rollBack(ctx: ImportContext, toolId: string, kept: KeptBackup, deployError: ActionError): Promise<never> {
  const { io, report } = ctx
  const { backup, source } = kept
  const rollback: { import: JobRow; deploy: JobRow; done?: boolean } = { import: {}, deploy: {} }
  report.rollback = rollback
  const log = prefixedLog(io.log, '[rollback] ')
  io.log.warning(
    `The deploy did not succeed: rolling back to the version backed up at ${backup.takenAt} (artifact ${backup.artifactName}).`
  )
  try {
    const files = [source.app, source.flow, ...(source.env ? [source.env] : [])]
    await importDefinitions(
      ctx,
      files,
      {
        log,
        failedFix: 'Import the backup artifact by hand once the cause is fixed.',
        onStarted: job => (rollback.import.dockStatusId = job.dockStatusId),
        onEnd: job => (rollback.import.status = job.status)
      },
      {}
    )
    await deployTool({ http: ctx.http, signal: ctx.signal, log, secrets: ctx.secrets }, deployOptions(ctx, toolId), rollback.deploy)
    rollback.done = true
    io.setOutput(ImportOutputs.RolledBack, 'true')
  } catch (error) {
    if (error instanceof CancelledError) throw error
    const cause = error instanceof ActionError ? error.message : errorMessage(error)
    const link = backup.artifactUrl ? `: ${backup.artifactUrl}` : ''
    throw new ActionError(
      `${deployError.message} Rolling back failed too: ${cause} The version backed up at ${backup.takenAt} is the artifact ${backup.artifactName} (id ${backup.artifactId})${link}.`,
      `Fix the causes above, then import that artifact into tool ${toolId} with "${ImportInputs.Deploy}: true" (see "Roll back after your own checks" in the import's README).`
    )
  }
  const release = report.deploy
  const racing = release?.timedOut && release.dockStatusId && (await stillRunning(ctx, toolId, release.dockStatusId))
  const caveat = racing
    ? ` But the release's own deploy (dock status id ${release.dockStatusId}) was still running when the rollback's ended: if it ends later, the tool may run the released version after all; check its deploy status on ${ctx.settings.platform.host}.`
    : ''
  throw new ActionError(
    `${deployError.message} Rolled back: the tool runs the version backed up at ${backup.takenAt} (artifact ${backup.artifactId}; the rollback's import dock status id ${rollback.import.dockStatusId}, deploy dock status id ${rollback.deploy.dockStatusId}).${caveat}`,
    `${deployError.fix} The release did not land: the step fails so that nothing after it takes it for released.`
  )
}

/**
 * Whether a deploy that timed out is still running (or cannot be told): there is no API to stop
 * it, and when it ends after the rollback's deploy it deploys the released version after all.
 */
async function stillRunning(ctx: ImportContext, toolId: string, dockStatusId: string): Promise<boolean> {
  try {
    const client = new DeployClient(ctx.http, { platform: ctx.settings.platform, toolId })
    return (await client.getStatus(dockStatusId, 'deploy')).status === 'IN_PROGRESS'
  } catch {
    return true
  }
}

function deployOptions(ctx: ImportContext, toolId: string) {
  return {
    platform: ctx.settings.platform,
    toolId,
    action: 'deploy' as const,
    timeoutMs: ctx.settings.timeoutMs,
    maxPauseMs: Defaults.pollIntervalSeconds * 1000
  }
}
