/**
 * Deploys a tool's in-development version (or undeploys the tool) and waits for the job: the
 * deploy entry runs it, and the import runs it after an import (and again for a rollback). The
 * start is sent again only when the platform surely did not act on it; `result` is filled as it
 * goes, so a caller whose deploy failed knows how: refused, unconfirmed, FAILED or timed out.
 */
import { ActionError, CancelledError, HttpError, NetworkError, RetriesExhaustedError } from '../errors.js'
import type { PlatformHttp } from '../http/client.js'
import { DEFAULT_BACKOFF, describeFailure, isSafeToResend, withRetry } from '../http/retry.js'
import { describeUrl } from '../http/urls.js'
import { sleep } from '../lifecycle/cancellation.js'
import type { Log } from '../lifecycle/run.js'
import type { Secrets } from '../lifecycle/secrets.js'
import { logValue } from '../log-text.js'
import { UNREACHABLE_FIX } from '../platform/connection.js'
import { DeployClient, type DeployAction } from '../platform/deploy-client.js'
import { settleJob } from '../platform/jobs.js'

export interface DeployOptions {
  platform: URL
  toolId: string
  action: DeployAction
  timeoutMs: number
  maxPauseMs: number
  /** Said after the scope advice of a 403 (what the refusal leaves behind). */
  forbiddenAlso?: string
}

export interface DeployDeps {
  http: PlatformHttp
  signal: AbortSignal
  log: Log
  /** The platform's words are quoted with the run's secrets taken out. */
  secrets: Secrets
}

/** How the deploy went; filled as it goes. */
export interface DeployResult {
  /** Set once the platform started the job. */
  dockStatusId?: string
  /** How the job ended; undefined while it runs (or when its end was never seen). */
  status?: string
  timedOut?: boolean
  /** The start failed after the platform may have received it: a job may be running. */
  unconfirmed?: boolean
}

export async function deployTool(deps: DeployDeps, options: DeployOptions, result: DeployResult = {}): Promise<DeployResult> {
  const { log, signal } = deps
  const { action, toolId, platform } = options
  const client = new DeployClient(deps.http, { platform, toolId, forbiddenAlso: options.forbiddenAlso })
  const what = action === 'deploy' ? `tool ${logValue(toolId)}'s in-development version` : `tool ${logValue(toolId)}`
  const verb = action === 'deploy' ? 'Deploy' : 'Undeploy'
  const answer = await log.group(`${verb} the tool`, async () => {
    log.info(`POST ${describeUrl(client.url(action))} (${action} ${what})`)
    const started = await withRetry(() => client.start(action), {
      policy: DEFAULT_BACKOFF,
      sleep: ms => sleep(ms, signal),
      warn: log.warning,
      debug: log.debug,
      retryable: isSafeToResend,
      deadline: Date.now() + options.timeoutMs,
      what: `Starting the ${action}`
    }).catch((error: unknown) => {
      throw notConfirmed(error, options, result)
    })
    result.dockStatusId = started.dockStatusId
    log.info(
      `${verb} started: dock status id ${logValue(started.dockStatusId)}, status ${started.status ? logValue(started.status) : 'not given'}`
    )
    return started
  })
  await settleJob(id => client.getStatus(id, action), answer, {
    job: action,
    startedAt: Date.now(),
    timeoutMs: options.timeoutMs,
    maxPauseMs: options.maxPauseMs,
    log,
    sleep: ms => sleep(ms, signal),
    group: log.group,
    redact: text => deps.secrets.redact(text),
    failedFix:
      action === 'deploy'
        ? 'Fix what the platform reports (a deploy needs a flow without errors or warnings), then deploy again.'
        : 'Check the tool on the platform, then run again.',
    timeoutFix: `Check the ${action} on the platform: it keeps running there. Raise "timeoutSeconds" for next time.`,
    onEnd: end => {
      result.status = end.status
      result.timedOut = end.timedOut
    }
  })
  return result
}

/** Why the start was not confirmed, and whether the platform may have acted on it. */
function notConfirmed(failure: unknown, { action, toolId, platform }: DeployOptions, result: DeployResult): unknown {
  if (failure instanceof ActionError || failure instanceof CancelledError) return failure
  const host = platform.host
  // Every attempt failed with a fault that proves nothing arrived: say so with the last one.
  const error = failure instanceof RetriesExhaustedError ? failure.lastError : failure
  if (error instanceof HttpError && error.status === 429) {
    return new ActionError(
      `Starting the ${action} failed: ${host} answered HTTP 429 (too many requests) to every attempt. The ${action} was not started.`,
      'Run the workflow again later, when the platform is less busy.'
    )
  }
  if (error instanceof NetworkError && error.unsent) {
    return new ActionError(
      `Starting the ${action} failed: no connection to ${host} (${error.message}). The ${action} was not sent.`,
      UNREACHABLE_FIX
    )
  }
  result.unconfirmed = true
  return new ActionError(
    `Starting the ${action} failed (${describeFailure(error)}) after ${host} may have received it: a ${action} of tool ${toolId} may be running, so it was not sent again.`,
    `Check the tool's state on ${host} (its versions and deploy status) before running the workflow again.`
  )
}
