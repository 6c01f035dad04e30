import { describe, expect, it } from '@jest/globals'
import { FAST_PHASE_MS, MIN_PAUSE_MS, nextCheckAt, pollPause } from '../../../src/platform/schedule.js'

describe('pollPause', () => {
  it('checks every second at first', () => {
    for (let t = 0; t < FAST_PHASE_MS; t += 500) expect(pollPause(t, 5000)).toBe(1000)
  })

  it('then grows with the wait, up to the configured interval', () => {
    expect(pollPause(10_000, 5000)).toBe(2500)
    expect(pollPause(16_000, 5000)).toBe(4000)
    expect(pollPause(60_000, 5000)).toBe(5000)
    expect(pollPause(600_000, 30_000)).toBe(30_000)
  })

  it('never pauses less than a second, whatever the interval', () => {
    expect(pollPause(50_000, 1000)).toBe(1000)
    expect(pollPause(50_000, 10)).toBe(MIN_PAUSE_MS)
  })
})

describe('nextCheckAt', () => {
  const base = { startedAt: 0, maxPauseMs: 5000, deadline: 600_000 }

  it('makes the first check a second after the start', () => {
    expect(nextCheckAt({ ...base, lastCheckAt: 0, now: 40 })).toBe(1040)
  })

  it('keeps a second between checks even when a check was slow to start', () => {
    expect(nextCheckAt({ ...base, lastCheckAt: 5000, now: 5100 })).toBe(6100)
    expect(nextCheckAt({ ...base, lastCheckAt: 5000, now: 5000, backoffMs: 0 })).toBeGreaterThanOrEqual(6000)
  })

  it('waits longer when a failure asked for back-off', () => {
    expect(nextCheckAt({ ...base, lastCheckAt: 2000, now: 2050, backoffMs: 4000 })).toBe(6050)
  })

  it('pulls the last check in to the deadline, and stops after it', () => {
    expect(nextCheckAt({ ...base, deadline: 30_000, lastCheckAt: 27_000, now: 27_100 })).toBe(30_000)
    expect(nextCheckAt({ ...base, deadline: 30_000, lastCheckAt: 30_000, now: 30_050 })).toBeUndefined()
  })

  it('over a minute-long job makes fewer than twice the checks of a sleep-5 loop', () => {
    let at = 0
    let checks = 0
    let last = 0
    while (at < 60_000) {
      at = nextCheckAt({ ...base, lastCheckAt: last, now: at })!
      last = at
      checks++
    }
    expect(checks).toBeLessThanOrEqual(2 * 13)
  })
})
