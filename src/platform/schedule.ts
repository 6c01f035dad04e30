/**
 * When to check the job's status next. Pure: a function of elapsed time only.
 *
 * Most exports finish in seconds, so the first checks come every second; after that the pause
 * grows with the wait (a quarter of the time elapsed) up to `pollIntervalSeconds`. Measured
 * against a `sleep 5` loop (npm run bench): jobs under 10 s are noticed ~0.6 s after they end
 * instead of ~2.5 s, and jobs of up to a minute no later, with fewer than twice the requests.
 */

/** Status checks are never closer together than this: the platform rate-limits them per job. */
export const MIN_PAUSE_MS = 1000
/** How long the checks stay at one a second. */
export const FAST_PHASE_MS = 8000

export function pollPause(elapsedMs: number, maxPauseMs: number): number {
  const ceiling = Math.max(MIN_PAUSE_MS, maxPauseMs)
  if (elapsedMs < FAST_PHASE_MS) return MIN_PAUSE_MS
  return Math.min(ceiling, Math.max(MIN_PAUSE_MS, Math.round(elapsedMs / 4)))
}

/**
 * The time of the next status check: the schedule's pause, stretched by any back-off a failure
 * asked for, never sooner than a second after the previous check, and pulled in to the deadline
 * so that the last check happens right at the timeout. Undefined when no check fits before it.
 */
export function nextCheckAt(opts: {
  startedAt: number
  lastCheckAt: number
  now: number
  deadline: number
  maxPauseMs: number
  backoffMs?: number
}): number | undefined {
  const pause = Math.max(pollPause(opts.now - opts.startedAt, opts.maxPauseMs), opts.backoffMs ?? 0)
  const earliest = opts.lastCheckAt + MIN_PAUSE_MS
  const at = Math.max(earliest, Math.min(opts.now + pause, opts.deadline))
  return at > opts.deadline ? undefined : at
}
