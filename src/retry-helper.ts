/**
 * What counts as a passing fault, how long to wait before the next try, and the loop that
 * applies both. The policy is pure; sleeping and logging are injected.
 */
import { CancelledError, errorMessage } from './errors.js'
import { MalformedAnswerError } from './response-parser.js'

/** A non-2xx answer. `serverMessage` is the server's own explanation, never the raw body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly serverMessage?: string,
    readonly retryAfterMs?: number
  ) {
    super(`HTTP ${status}${serverMessage ? `: ${serverMessage}` : ''}`)
    this.name = 'HttpError'
  }
}

/** A connection that failed, was reset, timed out or ended early. The message never holds a URL. */
export class NetworkError extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'NetworkError'
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof HttpError) return isRetryableStatus(error.status)
  return error instanceof NetworkError || error instanceof MalformedAnswerError
}

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
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
export function retryDelay(
  policy: BackoffPolicy,
  failedAttempt: number,
  error: unknown,
  random: () => number = Math.random
): number {
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

export interface RetryContext {
  what: string
  policy: BackoffPolicy
  sleep: (ms: number) => Promise<void>
  warn: (line: string) => void
}

/** Runs `operation` until it succeeds, fails for good, or runs out of tries; one warning per retry. */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, ctx: RetryContext): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt)
    } catch (error) {
      if (error instanceof CancelledError || !isRetryable(error) || attempt >= ctx.policy.attempts) throw error
      const delay = retryDelay(ctx.policy, attempt, error)
      ctx.warn(
        `${ctx.what} failed (${describeFailure(error)}); retrying in ${(delay / 1000).toFixed(1)} s ` +
          `(attempt ${attempt + 1} of ${ctx.policy.attempts})`
      )
      await ctx.sleep(delay)
    }
  }
}
