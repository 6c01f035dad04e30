/**
 * The deploy's story: read the inputs, refusing bad ones before any request; start the deploy of
 * the tool's in-development version (or its undeploy) once, and wait for the job; set the
 * outputs; write the summary. Starting and waiting are pipeline/deploy-tool.ts's (the import
 * deploys through it too), the run's lifecycle lifecycle/run.ts's.
 */
import { Defaults, DeployOutputs } from '../constants.js'
import { ActionError, CancelledError, errorMessage } from '../errors.js'
import { runEntry, runnerIO, type Entry, type RunIO } from '../lifecycle/run.js'
import { deployTool, type DeployResult } from '../pipeline/deploy-tool.js'
import { connectToPlatform } from '../platform/connection.js'
import { deploySummary } from '../report/deploy-summary.js'
import { getDeploySettings, type DeploySettings } from './settings.js'

export async function run(io: RunIO = runnerIO()): Promise<void> {
  await runEntry(io, deployEntry(io))
}

export function deployEntry(io: RunIO): Entry<DeploySettings> {
  let settings: DeploySettings | undefined
  const result: DeployResult = {}
  /** Whether the start request may have gone out: a cancellation after it may leave a job running. */
  let sent = false
  let cancelled = false
  // As far as the run came: a job whose end was never seen was, as far as we know, still running.
  const setOutputs = (): void => {
    if (!settings) return
    io.setOutput(DeployOutputs.ToolId, settings.toolId)
    if (!result.dockStatusId) return
    io.setOutput(DeployOutputs.DockStatusId, result.dockStatusId)
    io.setOutput(DeployOutputs.Status, result.status ?? 'IN_PROGRESS')
  }
  return {
    readSettings(source) {
      settings = getDeploySettings(source)
      return settings
    },

    async work(run) {
      const { action, toolId, platform, timeoutMs } = run.settings
      const verb = action === 'deploy' ? 'Deploy' : 'Undeploy'
      const http = connectToPlatform(run, 'deploy')
      try {
        sent = true
        await deployTool(
          { http, signal: run.signal, log: io.log, secrets: run.secrets },
          {
            platform,
            toolId,
            action,
            timeoutMs,
            maxPauseMs: Defaults.pollIntervalSeconds * 1000,
            forbiddenAlso:
              action === 'deploy'
                ? 'Nothing was deployed: the tool runs what it ran before.'
                : 'Nothing was undeployed: the tool stays as it was.'
          },
          result
        )
        setOutputs()
        io.log.info(`${verb} complete in ${((Date.now() - run.startedAt) / 1000).toFixed(1)} s.`)
      } finally {
        http.dispose()
      }
    },

    describeFailure(error) {
      setOutputs()
      const action = settings?.action ?? 'deploy'
      if (error instanceof ActionError) return error.toString()
      if (error instanceof CancelledError) {
        cancelled = true
        return `The ${action} was cancelled (${error.signal}).${settings ? leftBehind(settings, result, sent) : ''}`
      }
      return `The ${action} failed unexpectedly: ${errorMessage(error)}. Run the workflow again; if it persists, report it with this log.`
    },

    summary(failure, durationMs, redact) {
      const target = settings && { host: settings.platform.host, toolId: settings.toolId, action: settings.action }
      return deploySummary({ ...target, ...result, cancelled, durationMs, error: failure }, redact)
    }
  }
}

/** What a cancelled run may have left on the platform, and where to look. */
function leftBehind({ action, toolId, platform }: DeploySettings, result: DeployResult, sent: boolean): string {
  const check = `check tool ${toolId}'s deploy status on ${platform.host} before running the workflow again.`
  if (result.dockStatusId && !result.status)
    return ` The ${action} job (dock status id ${result.dockStatusId}) was left running on the platform: ${check}`
  if (!result.dockStatusId && sent) return ` Its request may have reached the platform, and a ${action} may have started: ${check}`
  return ''
}
