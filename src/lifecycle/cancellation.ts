/**
 * Cancellation: when a workflow is cancelled the runner sends SIGINT, then SIGTERM. Both abort
 * one AbortSignal that every wait and request in the action honours, so the run unwinds
 * through the normal error path (partial files removed, one error line) within two seconds.
 */
import { CancelledError } from '../errors.js'

/** Node's timers hold at most this (about 24.8 days): a longer delay would fire at once, with a warning. */
export const MAX_TIMER_MS = 2 ** 31 - 1

export interface Cancellation {
  readonly signal: AbortSignal
  /** Removes the signal handlers. */
  dispose(): void
}

/** Installs the handlers; `onCancel` runs once, as soon as the first signal arrives. */
export function watchForCancellation(onCancel: (signal: string) => void): Cancellation {
  const controller = new AbortController()
  const handler = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return
    controller.abort(new CancelledError(signal))
    onCancel(signal)
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    }
  }
}

/** Why `signal` aborted, as the Error it was aborted with (ours always are; a stray reason is wrapped). */
export function reasonOf(signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  return reason instanceof Error ? reason : new Error(`aborted: ${String(reason)}`)
}

/** Resolves after `ms`, or rejects with the cancellation as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(reasonOf(signal))
  return new Promise<void>((resolve, reject) => {
    // The timer is cleared on abort so that a cancelled run is not kept alive by it.
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(reasonOf(signal!))
    }
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      },
      Math.min(MAX_TIMER_MS, Math.max(0, ms))
    )
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** `promise`, or the cancellation if `signal` aborts first (the work itself is abandoned). */
export function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise
  if (signal.aborted) return Promise.reject(reasonOf(signal))
  let onAbort = (): void => undefined
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(reasonOf(signal))
    signal.addEventListener('abort', onAbort, { once: true })
  })
  // Once the race is decided the listener goes, and the losing side is never awaited.
  aborted.catch(() => undefined)
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', onAbort))
}
