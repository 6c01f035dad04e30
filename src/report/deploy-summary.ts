/**
 * The deploy's job summary: which tool, what was asked (its in-development version deployed, or
 * the tool undeployed), how the job ended, and the error. Pure: every text escaped (and
 * redacted) here.
 */
import { code, escape, heading, labelled } from './html.js'

/** What one deploy run learned: the rows of its summary. */
export interface DeployReport {
  host?: string
  toolId?: string
  action?: 'deploy' | 'undeploy'
  /** Set once the platform started the job. */
  dockStatusId?: string
  /** How the job ended; undefined while it ran (or when its end was never seen). */
  status?: string
  timedOut?: boolean
  /** The start failed after the platform may have received it. */
  unconfirmed?: boolean
  cancelled?: boolean
  durationMs?: number
  error?: string
}

/** How the run ended, in a few words: never green unless the job said SUCCESS and nothing failed. */
function statusCell(report: DeployReport, clean: (text: string) => string): string {
  if (!report.error) return report.status ? `✅ ${clean(report.status)}` : ''
  if (report.timedOut) return '❌ still IN_PROGRESS when the wait timed out'
  if (report.status === 'SUCCESS') return `❌ the job succeeded, then the run ${report.cancelled ? 'was cancelled' : 'failed'}`
  if (report.status) return `❌ ${clean(report.status)}`
  if (report.unconfirmed) return '❓ not confirmed: it may be running on the platform'
  if (report.dockStatusId) return `❌ ${report.cancelled ? 'cancelled' : 'failed'} while the job ran (its end was not seen)`
  return `❌ ${report.cancelled ? 'cancelled' : 'failed'}: nothing was started`
}

/** The deploy summary's rows, each cell escaped (and redacted) here. */
export function deployRows(report: DeployReport, redact: (text: string) => string = text => text): [string, string][] {
  const clean = (text: string): string => escape(redact(text))
  const rows: [string, string | undefined][] = [
    ['Tool', report.toolId && `${code(redact(report.toolId))}${report.host ? ` on ${clean(report.host)}` : ''}`],
    ['Asked', report.action && (report.action === 'deploy' ? 'deploy its in-development version' : 'undeploy it')],
    ['Status', statusCell(report, clean)],
    ['Dock status id', report.dockStatusId && code(redact(report.dockStatusId))],
    ['Duration', report.durationMs === undefined ? undefined : `${(report.durationMs / 1000).toFixed(1)} s`],
    ['Error', report.error && clean(report.error)]
  ]
  return rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '')
}

export function deploySummary(report: DeployReport, redact: (text: string) => string): string {
  return heading(report.action === 'undeploy' ? 'Kore.ai tool undeploy' : 'Kore.ai tool deploy', 3) + labelled(deployRows(report, redact))
}
