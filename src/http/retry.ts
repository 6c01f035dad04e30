/**
 * What counts as a passing fault, how long to wait before the next try, and the loop that
 * applies both. The policy is pure; sleeping and logging are injected.
 */
import {
  ActionError,
  CancelledError,
  errorMessage,
  HttpError,
  HttpProtocolError,
  MalformedAnswerError,
  NetworkError,
  RetriesExhaustedError
} from '../errors.js'

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof HttpError) return isRetryableStatus(error.status)
  return error instanceof NetworkError || error instanceof MalformedAnswerError || error instanceof HttpProtocolError
}

/**
 * An answer that breaks HTTP is asked for once more, and no more: the library drops the
 * connection that carried it, and a proxy or load balancer having a bad moment answers the next
 * one right; but a server that answers so answers so every time, and more tries only delay the
 * error that says so.
 */
export const BROKEN_ANSWER_ATTEMPTS = 2

/** How many tries, the first included, a fault is worth where `attempts` is the rule. */
export function attemptsFor(error: unknown, attempts: number): number {
  return error instanceof HttpProtocolError ? Math.min(attempts, BROKEN_ANSWER_ATTEMPTS) : attempts
}

/**
 * Whether a request that must never reach the server twice (an import) may be sent again: only
 * when the server said it did not act on it (429), or when it never received it.
 */
export function isSafeToResend(error: unknown): boolean {
  if (error instanceof HttpError) return error.status === 429
  return error instanceof NetworkError && error.unsent
}

/** The longest wait a server's Retry-After is obeyed for; a longer one ends the retries. */
export const MAX_RETRY_AFTER_MS = 60_000

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) {
    const ms = Number(text) * 1000
    return Number.isFinite(ms) ? Math.round(ms) : Number.MAX_SAFE_INTEGER
  }
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

export interface BackoffPolicy {
  /** Total tries, the first included. */
  attempts: number
  baseMs: number
  maxMs: number
}

export const DEFAULT_BACKOFF: BackoffPolicy = { attempts: 4, baseMs: 1000, maxMs: 15000 }

/** Exponential backoff with jitter (half fixed, half random), capped; a server's Retry-After wins when longer. */
export function retryDelay(policy: BackoffPolicy, failedAttempt: number, error: unknown, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** (failedAttempt - 1))
  const jittered = Math.round(exponential / 2 + (random() * exponential) / 2)
  const serverAsked = error instanceof HttpError ? error.retryAfterMs : undefined
  return serverAsked === undefined ? jittered : Math.max(jittered, serverAsked)
}

/** A short reason for a log line: status and server message, or the network fault. */
export function describeFailure(error: unknown): string {
  if (error instanceof HttpError) return error.message
  if (error instanceof MalformedAnswerError) return `unreadable answer (${error.message})`
  return errorMessage(error)
}

/**
 * A server that asks for a wait longer than 60 s, or than the time left before the deadline, is
 * not obeyed and not asked again: the retries end with an error that quotes what it asked.
 */
export function retryAfterTooLong(error: unknown, what: string, leftMs: number): ActionError | undefined {
  if (!(error instanceof HttpError) || error.retryAfterMs === undefined) return undefined
  const limit = Math.min(MAX_RETRY_AFTER_MS, Math.max(0, leftMs))
  if (error.retryAfterMs <= limit) return undefined
  const quoted = JSON.stringify((error.retryAfterText ?? '').replace(/[^\x20-\x7e]/g, '?').slice(0, 60))
  const bound =
    limit < MAX_RETRY_AFTER_MS
      ? `the ${Math.round(limit / 1000)} s left before the time limit`
      : `the ${MAX_RETRY_AFTER_MS / 1000} s the action waits at most`
  return new ActionError(
    `${what} failed (${describeFailure(error)}) and the server asked to wait before trying again (Retry-After: ${quoted}), longer than ${bound}; not retried.`,
    'Run the workflow again later, when the server is less busy.'
  )
}

export interface RetryContext {
  /** Which faults are worth another attempt; default isRetryable. A start narrows it. */
  retryable?: (error: unknown) => boolean
  what: string
  policy: BackoffPolicy
  sleep: (ms: number) => Promise<void>
  warn: (line: string) => void
  /** Request-level detail: each retry decision (core.debug on a runner). */
  debug?: (line: string) => void
  /** Epoch ms after which no retry is waited for: a Retry-After reaching past it ends the retries. */
  deadline?: number
  now?: () => number
}

/** Runs `operation` until it succeeds, fails for good, or runs out of tries; one warning per retry. */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, ctx: RetryContext): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt)
    } catch (error) {
      const debug = ctx.debug ?? (() => {})
      if (error instanceof CancelledError) throw error
      if (!(ctx.retryable ?? isRetryable)(error)) {
        debug(`${ctx.what}: attempt ${attempt} failed (${describeFailure(error)}); not a passing fault, not retried`)
        throw error
      }
      const attempts = attemptsFor(error, ctx.policy.attempts)
      if (attempt >= attempts) {
        debug(`${ctx.what}: attempt ${attempt} failed (${describeFailure(error)}); no attempts left`)
        throw new RetriesExhaustedError(attempt, error)
      }
      const now = (ctx.now ?? Date.now)()
      const tooLong = retryAfterTooLong(error, ctx.what, (ctx.deadline ?? Infinity) - now)
      if (tooLong) {
        debug(`${ctx.what}: attempt ${attempt} failed; the server's Retry-After is beyond what is waited for, not retried`)
        throw tooLong
      }
      const delay = retryDelay(ctx.policy, attempt, error)
      debug(
        `${ctx.what}: attempt ${attempt} failed (${describeFailure(error)}); retrying after ${delay} ms${error instanceof HttpError && error.retryAfterMs !== undefined ? ` (Retry-After ${error.retryAfterMs} ms)` : ''}`
      )
      ctx.warn(
        `${ctx.what} failed (${describeFailure(error)}); retrying in ${(delay / 1000).toFixed(1)} s ` +
          `(attempt ${attempt + 1} of ${attempts})`
      )
      await ctx.sleep(delay)
    }
  }
}
