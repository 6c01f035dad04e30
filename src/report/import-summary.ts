/**
 * The import's job summary: what was imported from where, into which tool, the backup made
 * before it, how the job ended, and where each environment variable's value came from (names
 * only, never a value). Pure: every text escaped (and redacted) here.
 */
import { formatBytes } from '../log-text.js'
import { code, escape, heading, headerRow, labelled, table } from './html.js'

/** What one import run learned: the rows of its summary. Names of variables only, never a value. */
export interface ImportReport {
  host?: string
  dryRun?: boolean
  source?: { kind: 'zip' | 'folder'; name: string; sha256: string; toolName?: string }
  files?: { name: string; size: number; how?: string }[]
  /** The tool imported into (input `toolId`), or the new tool's id once the platform gave it. */
  toolId?: string
  /** The new tool's name (input `toolName`). */
  toolName?: string
  backup?: { artifactName: string; artifactId: number; artifactUrl?: string; takenAt?: string }
  dockStatusId?: string
  status?: string
  /** With deploy: the release's deploy job. */
  deploy?: JobRow
  /** A rollback after a failed deploy: the backup's import and its deploy. */
  rollback?: { import: JobRow; deploy: JobRow; done?: boolean }
  /** A dry run's release plan, a line each. */
  plan?: string[]
  variables?: { name: string; source: string }[]
  durationMs?: number
  error?: string
}

/** A job of the run as the summary shows it. */
export interface JobRow {
  dockStatusId?: string
  status?: string
  timedOut?: boolean
}

/** One cell for a job: how it ended, and its dock status id. */
function jobCell(job: JobRow, redact: (text: string) => string): string | undefined {
  if (!job.dockStatusId && !job.status) return '❌ not started'
  const how = job.timedOut
    ? '❌ timed out, still IN_PROGRESS'
    : job.status
      ? `${job.status === 'SUCCESS' ? '✅' : '❌'} ${escape(redact(job.status))}`
      : '❌ not ended'
  return job.dockStatusId ? `${how} (dock status id ${code(redact(job.dockStatusId))})` : how
}

/** The import summary's rows, each cell escaped (and redacted) here. */
export function importRows(given: ImportReport, redact: (text: string) => string = text => text): [string, string][] {
  const clean = (text: string): string => escape(redact(text))
  const report = given
  const target = report.toolName
    ? `new tool ${clean(report.toolName)}${report.toolId ? ` (${code(redact(report.toolId))})` : ''}`
    : report.toolId && `tool ${code(redact(report.toolId))}`
  const source = report.source
  const rows: [string, string | undefined][] = [
    ['Source', source && `${source.kind} ${code(redact(source.name))}${source.toolName ? ` (tool ${clean(source.toolName)})` : ''}`],
    ['Source SHA-256', source && code(source.sha256)],
    ['Into', target ? `${target} on ${clean(report.host ?? '')}` : undefined],
    [
      'Backup before the import',
      report.backup &&
        (report.backup.artifactUrl
          ? `<a href="${escape(report.backup.artifactUrl)}">${clean(report.backup.artifactName)}</a>`
          : clean(report.backup.artifactName))
    ],
    [
      'Status',
      report.dryRun && !report.error
        ? 'dry run: nothing was sent'
        : report.error
          ? `❌ ${report.status ? clean(report.status) : 'failed'}`
          : report.status && `✅ ${clean(report.status)}`
    ],
    ['Dock status id', report.dockStatusId && code(redact(report.dockStatusId))],
    ['Then', report.plan?.map(line => escape(line)).join('<br>')],
    ['Deploy', report.deploy && jobCell(report.deploy, redact)],
    [
      'Rollback',
      report.rollback &&
        `${report.rollback.done ? '✅ the tool runs the version backed up before the import' : '❌ failed'}: import ${jobCell(report.rollback.import, redact)}, deploy ${jobCell(report.rollback.deploy, redact)}`
    ],
    ['Duration', report.durationMs === undefined ? undefined : `${(report.durationMs / 1000).toFixed(1)} s`],
    ['Error', report.error && clean(report.error)]
  ]
  return rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '')
}

/** The import's summary; the plan, for a dry run. */
export function importSummary(report: ImportReport, redact: (text: string) => string): string {
  let html =
    heading(report.dryRun ? 'Kore.ai tool import: the plan (dry run)' : 'Kore.ai tool import', 3) + labelled(importRows(report, redact))
  if (report.files?.length) {
    html +=
      heading(report.dryRun ? 'What would be uploaded' : 'What was uploaded', 4) +
      table([
        headerRow('File', 'Size', 'How'),
        ...report.files.map(file => [code(file.name), formatBytes(file.size), escape(file.how ?? '')])
      ])
  }
  if (report.variables?.length) {
    html +=
      heading('Environment variables (names only)', 4) +
      table([
        headerRow('Variable', 'Value from'),
        ...report.variables.map(variable => [code(redact(variable.name)), escape(variable.source)])
      ])
  }
  return html
}
