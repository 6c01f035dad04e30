import { describe, expect, it } from '@jest/globals'
import { deployRows, deploySummary } from '../../../src/report/deploy-summary.js'

const rows = (report: Parameters<typeof deployRows>[0]) => Object.fromEntries(deployRows(report))

describe('the deploy summary', () => {
  it('a deploy that succeeded: the tool, what was asked, the status, the job, the duration', () => {
    expect(
      rows({ host: 'agent-platform.kore.ai', toolId: 'a-1', action: 'deploy', dockStatusId: 'ds-1', status: 'SUCCESS', durationMs: 4200 })
    ).toEqual({
      Tool: '<code>a-1</code> on agent-platform.kore.ai',
      Asked: 'deploy its in-development version',
      Status: '✅ SUCCESS',
      'Dock status id': '<code>ds-1</code>',
      Duration: '4.2 s'
    })
    expect(deploySummary({ action: 'undeploy' }, text => text)).toMatch(/^<h3>Kore\.ai tool undeploy<\/h3>/)
  })

  it('is never green when the run failed, and says how far it came', () => {
    const status = (report: Parameters<typeof deployRows>[0]) => rows({ error: 'x', ...report }).Status
    expect(status({ dockStatusId: 'ds-1', status: 'FAILED' })).toBe('❌ FAILED')
    expect(status({ dockStatusId: 'ds-1', status: 'IN_PROGRESS', timedOut: true })).toBe('❌ still IN_PROGRESS when the wait timed out')
    expect(status({ unconfirmed: true })).toBe('❓ not confirmed: it may be running on the platform')
    expect(status({ dockStatusId: 'ds-1', cancelled: true })).toBe('❌ cancelled while the job ran (its end was not seen)')
    expect(status({})).toBe('❌ failed: nothing was started')
    // A job that said SUCCESS, and a cancellation after it, is not green either.
    expect(status({ status: 'SUCCESS', cancelled: true })).toBe('❌ the job succeeded, then the run was cancelled')
  })

  it('escapes and redacts what it did not write', () => {
    const html = deploySummary({ toolId: '<b>', error: 'key kg-secret & "more"' }, text => text.replaceAll('kg-secret', '***'))
    expect(html).toContain('<code>&#60;b&#62;</code>')
    expect(html).toContain('key *** &#38; &#34;more&#34;')
    expect(html).not.toContain('kg-secret')
  })
})
