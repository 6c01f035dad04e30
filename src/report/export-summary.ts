/**
 * The export's job summary, the one a person glances at: what was exported, how it ended, where
 * the file is; for a set, one row per tool. Pure: HTML from the report, every text escaped (and
 * redacted) here.
 */
import { formatBytes } from '../log-text.js'
import { describeEnvPolicy, type EnvVariablesCopy } from '../tool-export/env-variables.js'
import type { ExportEntry } from '../tool-export/verify.js'
import { describeLines, type FileChange } from './file-change.js'
import { code, escape, heading, headerRow, labelled, paragraph, table } from './html.js'

/** What the summary shows of one tool's export, filled from each phase's result. */
export interface ExportReport {
  host?: string
  toolId?: string
  /** The tool's name in a set (the `tools` line's name). */
  name?: string
  durationMs?: number
  /** The phase that was running when the run ended; with `error`, the one that failed. */
  phase?: Phase
  /** Set when the wait gave up: the limit that was hit, in seconds. */
  timedOutAfterSeconds?: number
  cancelled?: boolean
  fileName?: string
  /** From the verified export: the tool's name, when app_definition.json gives one, and its files. */
  toolName?: string
  entries?: ExportEntry[]
  error?: string
  status?: string
  dockStatusId?: string
  exportJobId?: string
  size?: number
  sha256?: string
  artifactName?: string
  artifactUrl?: string
  extractedPath?: string
  /** With extract: check: the folder compared with, as the user gave it (nothing was unpacked). */
  comparedWith?: string
  /** With extract: whether the files differ in value from what the folder held (for a check: drift). */
  changed?: boolean
  /** With extract: what the repository copy holds of env_variables.json, and what changed in it, file by file. */
  envVariables?: EnvVariablesCopy
  fileChanges?: FileChange[]
}

export type Phase = 'start' | 'wait' | 'download' | 'unpack' | 'upload'

const PHASE_NAMES: Record<Phase, string> = {
  start: 'starting the export',
  wait: 'waiting for the job',
  download: 'the download',
  unpack: 'unpacking',
  upload: 'the upload'
}

/** How the step ended, in one cell: never green unless every phase succeeded. */
function statusCell(report: ExportReport): string {
  if (report.timedOutAfterSeconds !== undefined) return `❌ timed out after ${report.timedOutAfterSeconds} s, still IN_PROGRESS`
  if (report.status && !report.error) return `${report.status === 'SUCCESS' ? '✅' : '❌'} ${escape(report.status)}`
  const ended = report.cancelled ? 'was cancelled' : 'failed'
  if (report.status === 'SUCCESS' && report.phase) return `❌ the export job succeeded; ${PHASE_NAMES[report.phase]} ${ended}`
  if (report.status) return `❌ ${escape(report.status)}`
  if (report.cancelled) return `❌ cancelled while ${report.phase === 'wait' ? 'waiting for the job' : 'starting the export'}`
  return '❌ not started'
}

/**
 * Label/value rows; a value is already escaped for HTML. `redact` replaces the run's secrets in
 * any text before it is escaped (the runner masks the log, not the summary).
 */
export function summaryRows(given: ExportReport, redact: (text: string) => string = text => text): [string, string][] {
  const report = redactReport(given, redact)
  const rows: [string, string | undefined][] = [
    ['Tool', report.toolId && (report.toolName ? `${escape(report.toolName)} (${code(report.toolId)})` : code(report.toolId))],
    ['Host', report.host && escape(report.host)],
    ['Status', statusCell(report)],
    ['Duration', report.durationMs === undefined ? undefined : `${(report.durationMs / 1000).toFixed(1)} s`],
    ['Dock status id', report.dockStatusId && code(report.dockStatusId)],
    ['Export job id', report.exportJobId && code(report.exportJobId)],
    ['File', report.fileName && code(report.fileName)],
    ['Size', report.size === undefined ? undefined : formatBytes(report.size)],
    ['SHA-256', report.sha256 && code(report.sha256)],
    [
      'Artifact',
      report.artifactName &&
        (report.artifactUrl ? `<a href="${escape(report.artifactUrl)}">${escape(report.artifactName)}</a>` : escape(report.artifactName))
    ],
    ['Unpacked to', report.extractedPath && code(report.extractedPath)],
    ['Compared with', report.comparedWith && code(report.comparedWith)],
    [
      'Changed since the last run',
      report.changed === undefined || report.comparedWith !== undefined ? undefined : report.changed ? 'yes' : 'no'
    ],
    ['Drift check', report.comparedWith === undefined ? undefined : driftCell(report)],
    ['Environment variables', report.envVariables && escape(describeEnvPolicy(report.envVariables))],
    ['Error', report.error && escape(report.error)]
  ]
  return rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '')
}

/** What a check found, in one cell. */
function driftCell(report: ExportReport): string | undefined {
  if (report.changed === undefined) return undefined
  if (!report.changed) return '✅ no drift: the export equals the folder in value; nothing was written'
  const count = report.fileChanges?.length ?? 0
  return `❌ drift: ${count} file${count === 1 ? ' differs' : 's differ'} from the folder; nothing was written`
}

/** The report with `redact` applied to every text in it. */
function redactReport(report: ExportReport, redact: (text: string) => string): ExportReport {
  return Object.fromEntries(Object.entries(report).map(([name, value]) => [name, typeof value === 'string' ? redact(value) : value]))
}

/** What the verified export holds: one row per file, its name and size (already escaped). */
export function contentRows(entries: ExportEntry[], most = 20): [string, string][] {
  const rows: [string, string][] = entries.slice(0, most).map(entry => [code(entry.name), formatBytes(entry.size)])
  if (entries.length > most) rows.push([`… and ${entries.length - most} more`, ''])
  return rows
}

/**
 * A set's table: one row per tool, failures first, each cell escaped (and redacted) here.
 */
export function setRows(reports: ExportReport[], redact: (text: string) => string = text => text): string[][] {
  const ordered = [...reports].sort((a, b) => Number(b.error !== undefined) - Number(a.error !== undefined))
  return ordered.map(given => {
    const report = redactReport(given, redact)
    return [
      report.toolName ? `${escape(report.name ?? '')} (${escape(report.toolName)})` : escape(report.name ?? ''),
      report.error ? `${statusCell(report)}: ${escape(report.error)}` : statusCell(report),
      report.durationMs === undefined ? '' : `${(report.durationMs / 1000).toFixed(1)} s`,
      report.size === undefined ? '' : formatBytes(report.size),
      report.sha256 ? code(report.sha256.slice(0, 12)) : '',
      report.artifactName
        ? report.artifactUrl
          ? `<a href="${escape(report.artifactUrl)}">${escape(report.artifactName)}</a>`
          : escape(report.artifactName)
        : '',
      report.changed === undefined ? '' : report.changed ? 'yes' : 'no'
    ]
  })
}

/** A set's summary: a headline, then one row per tool. */
export function setSummary(
  reports: ExportReport[],
  error: string | undefined,
  durationMs: number,
  redact: (text: string) => string
): string {
  const failed = reports.filter(report => report.error !== undefined).length
  const headline =
    error && failed === 0
      ? `❌ ${escape(redact(error))}`
      : `${failed ? '❌' : '✅'} ${reports.length - failed} of ${reports.length} tools exported`
  const from = reports[0]?.host ? ` from ${escape(redact(reports[0].host))}` : ''
  const compared = reports.filter(report => report.comparedWith !== undefined && report.changed !== undefined)
  const checked = reports.some(report => report.comparedWith !== undefined)
  const check = checked
    ? paragraph(
        `Compared with git (extract: check): ${compared.filter(report => report.changed).length} of ${compared.length} tools differ; nothing was written.`
      )
    : ''
  return (
    heading('Kore.ai tool export', 3) +
    paragraph(`${headline} in ${(durationMs / 1000).toFixed(1)} s${from}.`) +
    check +
    table([
      headerRow('Tool', 'Status', 'Duration', 'Size', 'SHA-256', 'Artifact', checked ? 'Differs from git' : 'Changed'),
      ...setRows(reports, redact)
    ])
  )
}

/** What changed in the repository copy: one row per file, what happened to it and the lines (already escaped). */
export function changeRows(changes: FileChange[], most = 50): [string, string, string][] {
  const rows: [string, string, string][] = changes
    .slice(0, most)
    .map(change => [code(change.name), change.kind, escape(describeLines(change) ?? '')])
  if (changes.length > most) rows.push([`… and ${changes.length - most} more`, '', ''])
  return rows
}

/** One tool's summary: how it ended, what the export holds, what changed in the repository copy. */
export function exportSummary(report: ExportReport, redact: (text: string) => string): string {
  let html = heading('Kore.ai tool export', 3) + labelled(summaryRows(report, redact))
  if (report.entries?.length) {
    html += heading('What the export holds', 4) + table([headerRow('File', 'Size'), ...contentRows(report.entries)])
  }
  if (report.fileChanges?.length) {
    const title = report.comparedWith === undefined ? 'What changed in the repository copy' : 'What differs from the repository copy'
    html += heading(title, 4) + table([headerRow('File', 'Change', 'Lines'), ...changeRows(report.fileChanges)])
  }
  return html
}
