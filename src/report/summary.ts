/**
 * The job summary a person glances at: what was exported, how it ended, where the file is.
 * The rows are built purely from the run's report; only `writeSummary` touches @actions/core.
 */
import * as core from '@actions/core'
import { describeEnvPolicy, type EnvVariablesCopy } from '../tool-export/env-variables.js'
import type { ExportEntry } from '../tool-export/verify.js'
import { formatBytes } from '../log-text.js'
import { describeLines, type FileChange } from '../extract/file-changes.js'

/**
 * What one run learned, phase by phase. The fields named like the step's outputs hold the
 * values that were set as those outputs.
 */
export interface RunReport {
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
  downloadUrl?: string
  filePath?: string
  size?: number
  sha256?: string
  artifactName?: string
  artifactId?: number
  artifactUrl?: string
  extractedPath?: string
  changed?: boolean
  changes?: string
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
function statusCell(report: RunReport): string {
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
export function summaryRows(given: RunReport, redact: (text: string) => string = text => text): [string, string][] {
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
    ['Changed since the last run', report.changed === undefined ? undefined : report.changed ? 'yes' : 'no'],
    ['Environment variables', report.envVariables && escape(describeEnvPolicy(report.envVariables))],
    ['Error', report.error && escape(report.error)]
  ]
  return rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '')
}

/** The report with `redact` applied to every text in it. */
function redactReport(report: RunReport, redact: (text: string) => string): RunReport {
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
export function setRows(reports: RunReport[], redact: (text: string) => string = text => text): string[][] {
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

export async function writeSetSummary(
  reports: RunReport[],
  error: string | undefined,
  durationMs: number,
  redact: (text: string) => string
): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const failed = reports.filter(report => report.error !== undefined).length
  const headline =
    error && failed === 0
      ? `❌ ${escape(redact(error))}`
      : `${failed ? '❌' : '✅'} ${reports.length - failed} of ${reports.length} tools exported`
  const header = ['Tool', 'Status', 'Duration', 'Size', 'SHA-256', 'Artifact', 'Changed'].map(data => ({ data, header: true }))
  await core.summary
    .addHeading('Kore.ai tool export', 3)
    .addRaw(
      `<p>${headline} in ${(durationMs / 1000).toFixed(1)} s${reports[0]?.host ? ` from ${escape(redact(reports[0].host))}` : ''}.</p>`,
      true
    )
    .addTable([header, ...setRows(reports, redact)])
    .write()
}

/** What changed in the repository copy: one row per file, what happened to it and the lines (already escaped). */
export function changeRows(changes: FileChange[], most = 50): [string, string, string][] {
  const rows: [string, string, string][] = changes
    .slice(0, most)
    .map(change => [code(change.name), change.kind, escape(describeLines(change) ?? '')])
  if (changes.length > most) rows.push([`… and ${changes.length - most} more`, '', ''])
  return rows
}

export async function writeSummary(report: RunReport, redact: (text: string) => string): Promise<void> {
  // Outside a runner (local runs) there is no summary file: nothing to write.
  if (!process.env.GITHUB_STEP_SUMMARY) return
  core.summary
    .addHeading('Kore.ai tool export', 3)
    .addTable(summaryRows(report, redact).map(([label, value]) => [{ data: label, header: true }, value]))
  if (report.entries?.length) {
    core.summary.addHeading('What the export holds', 4).addTable([
      [
        { data: 'File', header: true },
        { data: 'Size', header: true }
      ],
      ...contentRows(report.entries)
    ])
  }
  if (report.fileChanges?.length) {
    core.summary.addHeading('What changed in the repository copy', 4).addTable([
      [
        { data: 'File', header: true },
        { data: 'Change', header: true },
        { data: 'Lines', header: true }
      ],
      ...changeRows(report.fileChanges)
    ])
  }
  await core.summary.write()
}

function code(text: string): string {
  return `<code>${escape(text)}</code>`
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)
}

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
  backup?: { artifactName: string; artifactId: number; artifactUrl?: string }
  dockStatusId?: string
  status?: string
  variables?: { name: string; source: string }[]
  durationMs?: number
  error?: string
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
    ['Duration', report.durationMs === undefined ? undefined : `${(report.durationMs / 1000).toFixed(1)} s`],
    ['Error', report.error && clean(report.error)]
  ]
  return rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '')
}

export async function writeImportSummary(report: ImportReport, redact: (text: string) => string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  core.summary
    .addHeading(report.dryRun ? 'Kore.ai tool import: the plan (dry run)' : 'Kore.ai tool import', 3)
    .addTable(importRows(report, redact).map(([label, value]) => [{ data: label, header: true }, value]))
  if (report.files?.length) {
    core.summary.addHeading(report.dryRun ? 'What would be uploaded' : 'What was uploaded', 4).addTable([
      [
        { data: 'File', header: true },
        { data: 'Size', header: true },
        { data: 'How', header: true }
      ],
      ...report.files.map(file => [code(file.name), formatBytes(file.size), escape(file.how ?? '')])
    ])
  }
  if (report.variables?.length) {
    core.summary.addHeading('Environment variables (names only)', 4).addTable([
      [
        { data: 'Variable', header: true },
        { data: 'Value from', header: true }
      ],
      ...report.variables.map(variable => [code(redact(variable.name)), escape(variable.source)])
    ])
  }
  await core.summary.write()
}
