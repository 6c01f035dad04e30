/**
 * Waits for the dock job to end: checks on the poll schedule, logs each status change and a
 * heartbeat, rides out passing faults, and gives up at the timeout. Clock, sleep and log are
 * injected so the loop tests without real time.
 */
import { MAX_TIMER_MS, abortable } from '../lifecycle/cancellation.js'
import { ActionError, CancelledError, NetworkError } from '../errors.js'
import { logValue } from '../log-text.js'
import { nextCheckAt } from './schedule.js'
import type { StatusAnswer } from './answers.js'
import { DEFAULT_BACKOFF, describeFailure, isRetryable, retryAfterTooLong, retryDelay } from '../http/retry.js'

/** After this many failed checks in a row the wait gives up, whatever time is left. */
export const MAX_CONSECUTIVE_FAILURES = 6
export const HEARTBEAT_MS = 15_000
/** The least time a status check is given, even right at the deadline. */
const MIN_CHECK_BUDGET_MS = 1000

export interface WaitLog {
  info(line: string): void
  warning(line: string): void
  /** Request-level detail: each retry decision. */
  debug?(line: string): void
}

export interface WaitOptions {
  dockStatusId: string
  /** When the export was started (epoch ms): the schedule and the timeout count from here. */
  startedAt: number
  timeoutMs: number
  maxPauseMs: number
  log: WaitLog
  /** false: no heartbeat lines (a set of tools has one heartbeat for all). */
  heartbeat?: boolean
  sleep: (ms: number) => Promise<void>
  now?: () => number
  /** What the job is, for the words of a failure: "export" (default) or "import". */
  job?: string
}

export interface WaitResult {
  /** The last status seen: IN_PROGRESS when the wait timed out. */
  status: string
  timedOut: boolean
  downloadUrl?: string
  /** The platform's words on how the job ended, when it gave any. */
  message?: string
}

export async function waitForJob(getStatus: (dockStatusId: string) => Promise<StatusAnswer>, opts: WaitOptions): Promise<WaitResult> {
  const now = opts.now ?? Date.now
  const deadline = opts.startedAt + opts.timeoutMs
  const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`
  let lastCheckAt = opts.startedAt
  let lastHeartbeat = opts.startedAt
  let status = 'IN_PROGRESS'
  let checks = 0
  let failures = 0
  let backoffMs = 0
  let lastError: unknown

  for (;;) {
    const at = nextCheckAt({ startedAt: opts.startedAt, lastCheckAt, now: now(), deadline, maxPauseMs: opts.maxPauseMs, backoffMs })
    if (at === undefined) {
      if (failures > 0) throw gaveUp(failures, lastError, opts.dockStatusId, opts.job)
      return { status, timedOut: true }
    }
    await opts.sleep(at - now())
    lastCheckAt = now()
    checks++

    let answer: StatusAnswer
    try {
      // A check that hangs must not stretch the wait past the timeout.
      const budget = Math.min(MAX_TIMER_MS, Math.max(MIN_CHECK_BUDGET_MS, deadline - now()))
      answer = await abortable(getStatus(opts.dockStatusId), AbortSignal.timeout(budget)).catch(error => {
        throw error instanceof DOMException && error.name === 'TimeoutError'
          ? new NetworkError(`no answer within ${(budget / 1000).toFixed(1)} s`)
          : error
      })
    } catch (error) {
      if (error instanceof CancelledError || !isRetryable(error)) throw error
      failures++
      lastError = error
      if (failures >= MAX_CONSECUTIVE_FAILURES) throw gaveUp(failures, error, opts.dockStatusId, opts.job)
      const tooLong = retryAfterTooLong(error, `Status check ${checks}`, deadline - now())
      if (tooLong) {
        opts.log.debug?.(`Status check ${checks}: the server's Retry-After reaches past what is waited for; not checked again`)
        throw tooLong
      }
      backoffMs = retryDelay(DEFAULT_BACKOFF, failures, error)
      opts.log.debug?.(`Status check ${checks} failed (${describeFailure(error)}); next check in ${backoffMs} ms or later`)
      opts.log.warning(
        `Status check ${checks} failed (${describeFailure(error)}); checking again in ${(backoffMs / 1000).toFixed(1)} s or later`
      )
      continue
    }
    failures = 0
    backoffMs = 0
    const elapsed = now() - opts.startedAt
    // How far the job has come, when the platform says so; shown only while it runs.
    const progress = answer.status === 'IN_PROGRESS' && answer.percentComplete !== undefined ? ` (${answer.percentComplete} %)` : ''
    if (answer.status !== status) {
      status = answer.status
      opts.log.info(`Status: ${logValue(status)}${progress} after ${seconds(elapsed)} (${checks} checks)`)
      lastHeartbeat = now()
    } else if (opts.heartbeat !== false && now() - lastHeartbeat >= HEARTBEAT_MS) {
      opts.log.info(`Still ${logValue(status)}${progress}: ${seconds(elapsed)} of ${seconds(opts.timeoutMs)} elapsed, ${checks} checks`)
      lastHeartbeat = now()
    }
    if (status !== 'IN_PROGRESS') {
      return { status, timedOut: false, downloadUrl: answer.downloadUrl, message: answer.message }
    }
  }
}

function gaveUp(failures: number, error: unknown, dockStatusId: string, job = 'export'): ActionError {
  return new ActionError(
    `Checking the ${job} status failed ${failures} times in a row; the last error: ${describeFailure(error)}. ` +
      `The job (dock status id ${dockStatusId}) may still be running on the platform.`,
    'Check that the platform is reachable from the runner (proxy settings, status page), then run the workflow again.'
  )
}
