import { describe, expect, it } from '@jest/globals'
import {
  CancelledError,
  HttpError,
  HttpProtocolError,
  MalformedAnswerError,
  NetworkError,
  RetriesExhaustedError
} from '../../../src/errors.js'
import {
  attemptsFor,
  isRetryable,
  isSafeToResend,
  parseRetryAfter,
  retryAfterTooLong,
  retryDelay,
  withRetry
} from '../../../src/http/retry.js'

describe('what is retried', () => {
  it.each([408, 429, 500, 502, 503, 504])('HTTP %i is a passing fault', status => {
    expect(isRetryable(new HttpError(status))).toBe(true)
  })
  it.each([400, 401, 403, 404, 409])('HTTP %i is not', status => {
    expect(isRetryable(new HttpError(status))).toBe(false)
  })
  it('retries connection faults and unreadable answers, not other errors', () => {
    expect(isRetryable(new NetworkError('connection error ECONNRESET'))).toBe(true)
    expect(isRetryable(new MalformedAnswerError('not JSON'))).toBe(true)
    expect(isRetryable(new Error('bug'))).toBe(false)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-23T10:00:00Z')
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3000)
    expect(parseRetryAfter('1.5', now)).toBe(1500)
    expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:07 GMT', now)).toBe(7000)
    expect(parseRetryAfter('Mon, 23 Nov 2026 09:00:00 GMT', now)).toBe(0)
  })
  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
    expect(parseRetryAfter('soon', now)).toBeUndefined()
  })
})

describe('retryDelay', () => {
  const policy = { attempts: 4, baseMs: 1000, maxMs: 8000 }
  it('doubles, with jitter between half and all of the step, and is capped', () => {
    expect(retryDelay(policy, 1, new NetworkError('x'), () => 0)).toBe(500)
    expect(retryDelay(policy, 1, new NetworkError('x'), () => 1)).toBe(1000)
    expect(retryDelay(policy, 3, new NetworkError('x'), () => 1)).toBe(4000)
    expect(retryDelay(policy, 10, new NetworkError('x'), () => 1)).toBe(8000)
  })
  it('waits at least as long as the server asked', () => {
    expect(retryDelay(policy, 1, new HttpError(429, undefined, 5000), () => 0)).toBe(5000)
  })
})

describe('withRetry', () => {
  const policy = { attempts: 3, baseMs: 10, maxMs: 10 }
  const quiet = () => {
    const warnings: string[] = []
    const slept: number[] = []
    return {
      warnings,
      slept,
      ctx: {
        what: 'Starting the export',
        policy,
        warn: (l: string) => warnings.push(l),
        sleep: (ms: number) => (slept.push(ms), Promise.resolve())
      }
    }
  }

  it('retries passing faults with one warning each, then succeeds', async () => {
    const { warnings, slept, ctx } = quiet()
    let calls = 0
    const result = await withRetry(() => (++calls < 3 ? Promise.reject(new HttpError(503, 'busy')) : Promise.resolve('ok')), ctx)
    expect(result).toBe('ok')
    expect(warnings).toHaveLength(2)
    expect(warnings[0]).toMatch(/^Starting the export failed \(HTTP 503: busy\); retrying in 0\.0 s \(attempt 2 of 3\)$/)
    expect(slept).toHaveLength(2)
  })

  it('gives up after the last attempt with the last error', async () => {
    const { ctx } = quiet()
    await expect(withRetry(async () => Promise.reject(new NetworkError('connection error ECONNRESET')), ctx)).rejects.toThrow('ECONNRESET')
  })

  it('asks once more after an answer that breaks HTTP, and no more', async () => {
    const { warnings, ctx } = quiet()
    let calls = 0
    const broken = new HttpProtocolError('its headers exceed 16 KiB')
    const error = await withRetry(() => (calls++, Promise.reject(broken)), { ...ctx, policy: { ...policy, attempts: 4 } }).catch(
      (e: unknown) => e
    )
    expect(calls).toBe(2)
    expect(error).toEqual(new RetriesExhaustedError(2, broken))
    expect(warnings).toEqual([
      "Starting the export failed (the server's answer was malformed: its headers exceed 16 KiB); retrying in 0.0 s (attempt 2 of 2)"
    ])
    expect(attemptsFor(broken, 6)).toBe(2)
    expect(attemptsFor(broken, 1)).toBe(1)
    expect(attemptsFor(new NetworkError('x'), 6)).toBe(6)
  })

  it('does not retry client errors or cancellation', async () => {
    const { warnings, ctx } = quiet()
    await expect(withRetry(async () => Promise.reject(new HttpError(401)), ctx)).rejects.toThrow('HTTP 401')
    await expect(withRetry(async () => Promise.reject(new CancelledError('SIGINT')), ctx)).rejects.toBeInstanceOf(CancelledError)
    expect(warnings).toHaveLength(0)
  })
})

describe('a Retry-After beyond reason', () => {
  it('is obeyed up to 60 s and up to the time left', () => {
    expect(retryAfterTooLong(new HttpError(429, undefined, 60_000, '60'), 'x', Infinity)).toBeUndefined()
    expect(retryAfterTooLong(new HttpError(429, undefined, 5_000, '5'), 'x', 6_000)).toBeUndefined()
    expect(retryAfterTooLong(new HttpError(503), 'x', 0)).toBeUndefined()
  })
  it('ends the retries beyond either, quoting what the server sent', () => {
    expect(retryAfterTooLong(new HttpError(429, 'Slow', 3_600_000, '3600'), 'Starting the export', Infinity)?.message).toBe(
      'Starting the export failed (HTTP 429: Slow) and the server asked to wait before trying again (Retry-After: "3600"), longer than the 60 s the action waits at most; not retried.'
    )
    expect(retryAfterTooLong(new HttpError(503, undefined, 30_000, '30'), 'x', 9_400)?.message).toContain(
      'longer than the 9 s left before the time limit'
    )
  })
  it('reads a value beyond any timer as very long, not as nothing', () => {
    expect(parseRetryAfter('99999999999999999999999', 0)).toBeGreaterThan(2 ** 31)
    expect(parseRetryAfter('1e400', 0)).toBeUndefined()
  })
  it('stops withRetry without sleeping', async () => {
    const slept: number[] = []
    const ctx = {
      what: 'The download',
      policy: { attempts: 4, baseMs: 1, maxMs: 1 },
      warn: () => {},
      sleep: (ms: number) => (slept.push(ms), Promise.resolve())
    }
    await expect(withRetry(() => Promise.reject(new HttpError(503, undefined, 120_000, '120')), ctx)).rejects.toThrow(
      '(Retry-After: "120")'
    )
    expect(slept).toEqual([])
  })
})

describe('a request that must never arrive twice (the import)', () => {
  it('is sent again only after a 429 or a connection never made', () => {
    expect(isSafeToResend(new HttpError(429))).toBe(true)
    expect(isSafeToResend(new NetworkError('connection error ECONNREFUSED', true))).toBe(true)
    for (const error of [
      new HttpError(502),
      new HttpError(500),
      new HttpError(408),
      new NetworkError('connection error ECONNRESET'),
      new NetworkError('the connection timed out'),
      new MalformedAnswerError('x'),
      new HttpProtocolError('its headers exceed 16 KiB')
    ]) {
      expect(isSafeToResend(error)).toBe(false)
    }
  })

  it('withRetry applies the rule it is given: a 502 ends the tries at once', async () => {
    let calls = 0
    const ctx = {
      what: 'Import',
      policy: { attempts: 4, baseMs: 1, maxMs: 1 },
      sleep: async () => {},
      warn: () => {},
      retryable: isSafeToResend
    }
    await expect(
      withRetry(() => {
        calls++
        return Promise.reject(new HttpError(502))
      }, ctx)
    ).rejects.toThrow('HTTP 502')
    expect(calls).toBe(1)
    calls = 0
    await expect(withRetry(() => (++calls < 3 ? Promise.reject(new HttpError(429)) : Promise.resolve('ok')), ctx)).resolves.toBe('ok')
    expect(calls).toBe(3)
  })
})
