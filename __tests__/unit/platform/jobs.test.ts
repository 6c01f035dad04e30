import { describe, expect, it } from '@jest/globals'
import { ActionError, HttpError, HttpProtocolError, NetworkError } from '../../../src/errors.js'
import { BROKEN_ANSWER_FIX, UNREACHABLE_FIX } from '../../../src/platform/connection.js'
import { MAX_CONSECUTIVE_FAILURES, settleJob, waitForJob } from '../../../src/platform/jobs.js'
import type { StatusAnswer } from '../../../src/platform/answers.js'

/** A fake clock: sleeping moves time on; each status call takes `latency` ms. */
function harness(answers: (now: number) => StatusAnswer | Error, opts: { timeoutMs?: number; latency?: number } = {}) {
  let clock = 0
  const calls: number[] = []
  const lines: string[] = []
  const getStatus = (): Promise<StatusAnswer> => {
    calls.push(clock)
    const answer = answers(clock)
    clock += opts.latency ?? 5
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer)
  }
  const wait = () =>
    waitForJob(getStatus, {
      dockStatusId: 'ds-1',
      startedAt: 0,
      timeoutMs: opts.timeoutMs ?? 600_000,
      maxPauseMs: 5000,
      now: () => clock,
      sleep: ms => ((clock += ms), Promise.resolve()),
      log: { info: l => lines.push(`info: ${l}`), warning: l => lines.push(`warning: ${l}`) }
    })
  return { wait, calls, lines }
}

describe('waitForJob', () => {
  it('notices a job that ends after 3.2 s within a second, checking once a second', async () => {
    const { wait, calls, lines } = harness(now => ({ status: now >= 3200 ? 'SUCCESS' : 'IN_PROGRESS' }))
    const result = await wait()
    expect(result.status).toBe('SUCCESS')
    expect(result.timedOut).toBe(false)
    expect(calls[calls.length - 1] - 3200).toBeLessThan(1000)
    expect(calls[0]).toBe(1000)
    expect(lines).toEqual(['info: Status: SUCCESS after 4 s (4 checks)'])
  })

  it('never checks twice within a second', async () => {
    const { wait, calls } = harness(now => ({ status: now >= 45_000 ? 'FAILED' : 'IN_PROGRESS' }), { latency: 0 })
    expect((await wait()).status).toBe('FAILED')
    for (let i = 1; i < calls.length; i++) expect(calls[i] - calls[i - 1]).toBeGreaterThanOrEqual(1000)
  })

  it('logs a heartbeat with elapsed and timeout while waiting', async () => {
    const { wait, lines } = harness(now => ({ status: now >= 40_000 ? 'SUCCESS' : 'IN_PROGRESS' }))
    await wait()
    const beats = lines.filter(l => l.startsWith('info: Still IN_PROGRESS'))
    expect(beats.length).toBeGreaterThanOrEqual(2)
    expect(beats[0]).toMatch(/^info: Still IN_PROGRESS: \d+ s of 600 s elapsed, \d+ checks$/)
  })

  it('shows how far the job has come on the status and heartbeat lines, while it runs', async () => {
    const { wait, lines } = harness(now =>
      now >= 40_000 ? { status: 'SUCCESS', percentComplete: 100 } : { status: 'IN_PROGRESS', percentComplete: Math.floor(now / 500) }
    )
    await wait()
    const beats = lines.filter(l => l.startsWith('info: Still IN_PROGRESS'))
    expect(beats.length).toBeGreaterThanOrEqual(2)
    for (const beat of beats) expect(beat).toMatch(/^info: Still IN_PROGRESS \(\d+ %\): \d+ s of 600 s elapsed, \d+ checks$/)
    const percents = beats.map(beat => Number(/\((\d+) %\)/.exec(beat)![1]))
    expect(percents[1]).toBeGreaterThan(percents[0])
    expect(lines.at(-1)).toMatch(/^info: Status: SUCCESS after \d+ s \(\d+ checks\)$/)
  })

  it('times out with the last status, the last check in the final second', async () => {
    const { wait, calls } = harness(() => ({ status: 'IN_PROGRESS' }), { timeoutMs: 20_000 })
    const result = await wait()
    expect(result).toMatchObject({ status: 'IN_PROGRESS', timedOut: true })
    expect(calls[calls.length - 1]).toBeGreaterThan(19_000)
    expect(calls[calls.length - 1]).toBeLessThanOrEqual(20_000)
  })

  it('rides out failed checks with a warning each', async () => {
    let n = 0
    const { wait, lines } = harness(() => (++n <= 2 ? new HttpError(503, 'busy') : { status: 'SUCCESS', downloadUrl: 'https://h/f' }))
    const result = await wait()
    expect(result).toMatchObject({ status: 'SUCCESS', downloadUrl: 'https://h/f' })
    expect(lines.filter(l => l.startsWith('warning: Status check'))).toHaveLength(2)
    expect(lines[0]).toMatch(/^warning: Status check 1 failed \(HTTP 503: busy\); checking again in \d+\.\d s or later$/)
  })

  it('gives up after too many failures in a row, reporting the last error', async () => {
    const { wait } = harness(() => new NetworkError('connection error ECONNREFUSED'))
    const error = await wait().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ActionError)
    expect(String(error)).toContain(`failed ${MAX_CONSECUTIVE_FAILURES} times in a row; the last error: connection error ECONNREFUSED`)
    expect(String(error)).toContain('ds-1')
  })

  it('gives up after two answers in a row that break HTTP, naming the server, not the network', async () => {
    const { wait, calls } = harness(() => new HttpProtocolError('its headers exceed 16 KiB'))
    const error = await wait().catch((e: unknown) => e)
    expect(calls).toHaveLength(2)
    expect(error).toBeInstanceOf(ActionError)
    expect((error as ActionError).message).toBe(
      "Checking the export status failed 2 times in a row; the last error: the server's answer was malformed: its headers exceed 16 KiB. The job (dock status id ds-1) may still be running on the platform."
    )
    expect((error as ActionError).fix).toBe(BROKEN_ANSWER_FIX)
    const network = await harness(() => new NetworkError('connection error ECONNREFUSED'))
      .wait()
      .catch((e: unknown) => e)
    expect((network as ActionError).fix).toBe(UNREACHABLE_FIX)
  })

  it('reports the last error when the timeout comes during failures', async () => {
    let n = 0
    const { wait } = harness(() => (++n <= 2 ? { status: 'IN_PROGRESS' } : new HttpError(502)), { timeoutMs: 6000 })
    await expect(wait()).rejects.toThrow(/the last error: HTTP 502/)
  })

  it('stops at once on a client error', async () => {
    const { wait, calls } = harness(() => new HttpError(401, 'Invalid API key'))
    await expect(wait()).rejects.toThrow('HTTP 401')
    expect(calls).toHaveLength(1)
  })
})

describe('settleJob', () => {
  const secret = `pw-${'abcdefghij'.repeat(40)}`
  const settle = (message: string) =>
    settleJob(
      () => Promise.reject(new Error('not asked')),
      { dockStatusId: 'ds-9', status: 'FAILED', message },
      {
        job: 'import',
        startedAt: 0,
        timeoutMs: 1000,
        maxPauseMs: 1000,
        log: { info: () => {}, warning: () => {} },
        sleep: () => Promise.resolve(),
        group: (_title, work) => work(),
        failedFix: 'Fix it.',
        timeoutFix: 'Wait.',
        redact: text => text.split(secret).join('***')
      }
    ).then(
      () => undefined,
      (error: unknown) => error
    )

  it("quotes a FAILED job's message with the run's secrets taken out before it is cut", async () => {
    const error = await settle(`Import failed:\nDB_PASSWORD "${secret}" is not accepted`)
    expect(error).toBeInstanceOf(ActionError)
    expect((error as ActionError).message).toBe(
      'The platform reported the import job FAILED (dock status id ds-9). The platform said: "Import failed: DB_PASSWORD "***" is not accepted".'
    )
  })
})
