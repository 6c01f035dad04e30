/**
 * Every platform job (an export, an import, a deploy) is a dock job: one way to read its status,
 * one waiter, and one judgement of how it ended, whatever the job.
 *
 * The waiter checks on the poll schedule, logs each status change and a heartbeat, rides out
 * passing faults, and gives up at the timeout. Clock, sleep and log are injected so the loop
 * tests without real time.
 */
import { MAX_TIMER_MS, abortable } from '../lifecycle/cancellation.js'
import { ActionError, CancelledError, MalformedAnswerError, NetworkError } from '../errors.js'
import type { PlatformHttp } from '../http/client.js'
import { DEFAULT_BACKOFF, attemptsFor, describeFailure, isRetryable, retryAfterTooLong, retryDelay } from '../http/retry.js'
import { logValue } from '../log-text.js'
import { parseStatusAnswer, quoteServer, type StatusAnswer } from './answers.js'
import { fixAfter } from './connection.js'
import { nextCheckAt } from './schedule.js'
import { dockStatusUrl } from './urls.js'

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
  /** What the job is, for the words of a failure: "export" (default), "import", "deploy". */
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
      if (failures >= attemptsFor(error, MAX_CONSECUTIVE_FAILURES)) throw gaveUp(failures, error, opts.dockStatusId, opts.job)
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
    // The first answer is a change too when it says how far the job has come: a job that ends
    // within one heartbeat would otherwise never show it.
    if (answer.status !== status || (checks === 1 && progress)) {
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
    fixAfter(error)
  )
}

/** How a started job was first answered: its id, and the status and message when the answer gave them. */
export interface StartedJob {
  dockStatusId: string
  status?: string
  message?: string
}

export interface SettleOptions extends Omit<WaitOptions, 'dockStatusId' | 'job'> {
  /** What the job is: "export", "import", "deploy"… */
  job: string
  /** What to do after the job FAILED. */
  failedFix: string
  /** What to do after the wait timed out. */
  timeoutFix: string
  /** The run's secrets taken out of a text (Secrets.redact): the platform's words may quote a value back. */
  redact: (text: string) => string
  /** Runs the wait in the log's group of its own. */
  group: <T>(title: string, work: () => Promise<T>) => Promise<T>
  /** Told how the job ended (or that the wait timed out) before it is judged. */
  onEnd?: (end: WaitResult) => void
}

/**
 * Waits for a started job (unless its first answer already said how it ended) and judges the
 * end, the same for every job: SUCCESS resolves; FAILED, a timeout or a status the platform does
 * not document each throw one ActionError, quoting the platform's own words from whichever
 * answer carried them.
 */
export async function settleJob(
  getStatus: (dockStatusId: string) => Promise<StatusAnswer>,
  started: StartedJob,
  opts: SettleOptions
): Promise<WaitResult> {
  const { job, timeoutMs } = opts
  const end: WaitResult =
    started.status && started.status !== 'IN_PROGRESS'
      ? { status: started.status, timedOut: false, message: started.message }
      : await opts.group(`Wait for the ${job} job (timeout ${timeoutMs / 1000} s)`, () =>
          waitForJob(getStatus, { ...opts, dockStatusId: started.dockStatusId })
        )
  opts.onEnd?.(end)
  const id = `dock status id ${started.dockStatusId}`
  if (end.timedOut) {
    throw new ActionError(
      `The ${job} job did not finish within ${timeoutMs / 1000} s (timeoutSeconds); it was still IN_PROGRESS (${id}).`,
      opts.timeoutFix
    )
  }
  if (end.status === 'FAILED') {
    const said = end.message ? ` The platform said: "${quoteServer(end.message, opts.redact)}".` : ''
    throw new ActionError(`The platform reported the ${job} job FAILED (${id}).${said}`, opts.failedFix)
  }
  if (end.status !== 'SUCCESS') {
    throw new ActionError(
      `The platform reported an unexpected job status "${logValue(end.status)}" (${id}).`,
      "Only IN_PROGRESS, SUCCESS and FAILED are documented; check the job on the platform and report this to the action's maintainers."
    )
  }
  return end
}

/**
 * One check of a dock job (an export's or an import's): its status, refused when the answer is
 * about another job. `explain` turns a failure into what the caller tells the user.
 */
export async function readJobStatus(
  http: PlatformHttp,
  platform: URL,
  dockStatusId: string,
  explain: (error: unknown) => unknown
): Promise<StatusAnswer> {
  let answer: StatusAnswer
  try {
    answer = parseStatusAnswer(await http.requestText('GET', dockStatusUrl(platform, dockStatusId)))
  } catch (error) {
    throw explain(error)
  }
  // A cache or proxy that answers for another job must not decide this one's fate.
  if (answer.dockStatusId !== undefined && answer.dockStatusId !== dockStatusId) {
    throw new MalformedAnswerError('the answer is about another job')
  }
  return answer
}
