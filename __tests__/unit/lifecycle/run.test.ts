import { describe, expect, it } from '@jest/globals'
import { ActionError, CancelledError } from '../../../src/errors.js'
import { HARD_STOP_MS, runEntry, type Entry } from '../../../src/lifecycle/run.js'
import { storyRun } from '../story-io.js'

/** An entry whose work is given; its failure's words and summary say what they were given. */
function entry(work: Entry<{ key: string }>['work']): Entry<{ key: string }> & { described: unknown[] } {
  const described: unknown[] = []
  return {
    described,
    readSettings: source => {
      const key = source.getInput('key')
      source.setSecret(key)
      return { key }
    },
    work,
    describeFailure: error => {
      described.push(error)
      return error instanceof Error ? error.message : String(error)
    },
    summary: (failure, _ms, redact) => `<p>${redact(failure ?? 'ok')}</p>`
  }
}

describe('runEntry', () => {
  it('masks what the settings register before the work runs, and writes the summary once, redacted', async () => {
    const s = storyRun('export', { key: 'kg-secret-value' })
    const e = entry(() => Promise.reject(new ActionError('The key kg-secret-value was refused.', '')))
    await runEntry(s.io, e)
    expect(s.secrets).toEqual(['kg-secret-value'])
    expect(s.failures).toEqual(['The key kg-secret-value was refused.'])
    expect(s.summary()).toBe('<p>The key *** was refused.</p>')
    s.dispose()
  })

  it('fails once for a cancellation, with the cancellation as the cause, and ends the process', async () => {
    const s = storyRun('export', { key: 'k' })
    const e = entry(
      ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted request'))))
    )
    const running = runEntry(s.io, e)
    s.cancel('SIGTERM')
    await running
    expect(s.failures).toHaveLength(1)
    expect(e.described).toEqual([expect.any(CancelledError)])
    expect(s.exitCode()).toBe(1)
    s.dispose()
  })

  it('stops hard when the work does not unwind after a cancellation: one failure, the summary, the exit', async () => {
    const s = storyRun('export', { key: 'k' })
    const e = entry(() => new Promise(() => undefined))
    void runEntry(s.io, e)
    await new Promise(resolve => setTimeout(resolve, 10))
    s.cancel('SIGINT')
    await new Promise(resolve => setTimeout(resolve, HARD_STOP_MS + 200))
    expect(s.failures).toEqual(['cancelled by SIGINT'])
    expect(s.summary()).toBe('<p>cancelled by SIGINT</p>')
    expect(s.exitCode()).toBe(1)
    s.dispose()
  })
})
