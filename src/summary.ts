/**
 * The job summary a person glances at: what was exported, how it ended, where the file is.
 * The rows are built purely from the run's report; only `writeSummary` touches @actions/core.
 */
import * as core from '@actions/core'
import { describeEnvPolicy, type EnvVariablesCopy } from './env-redaction.js'
import type { ExportEntry } from './export-verifier.js'
import { describeLines, type FileChange } from './file-changes.js'

/**
 * What one run learned, phase by phase. The fields named like the step's outputs hold the
 * values that were set as those outputs.
 */
export interface RunReport {
  host?: string
  toolId?: string
  durationMs?: number
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

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]} (${bytes} bytes)`
}

/** Label/value rows; a value is already escaped for HTML. */
export function summaryRows(report: RunReport): [string, string][] {
  const rows: [string, string | undefined][] = [
    ['Tool', report.toolId && (report.toolName ? `${escape(report.toolName)} (${code(report.toolId)})` : code(report.toolId))],
    ['Host', report.host && escape(report.host)],
    ['Status', report.status ? `${report.status === 'SUCCESS' ? '✅' : '❌'} ${escape(report.status)}` : '❌ not started'],
    ['Duration', report.durationMs === undefined ? undefined : `${(report.durationMs / 1000).toFixed(1)} s`],
    ['Dock status id', report.dockStatusId && code(report.dockStatusId)],
    ['Export job id', report.exportJobId && code(report.exportJobId)],
    ['File', report.fileName && code(report.fileName)],
    ['Size', report.size === undefined ? undefined : formatBytes(report.size)],
    ['SHA-256', report.sha256 && code(report.sha256)],
    [
      'Artifact',
      report.artifactName &&
        (report.artifactUrl
          ? `<a href="${escape(report.artifactUrl)}">${escape(report.artifactName)}</a>`
          : escape(report.artifactName))
    ],
    ['Unpacked to', report.extractedPath && code(report.extractedPath)],
    ['Changed since the last run', report.changed === undefined ? undefined : report.changed ? 'yes' : 'no'],
    ['Environment variables', report.envVariables && escape(describeEnvPolicy(report.envVariables))],
    ['Error', report.error && escape(report.error)]
  ]
  return rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '')
}

/** What the verified export holds: one row per file, its name and size (already escaped). */
export function contentRows(entries: ExportEntry[], most = 20): [string, string][] {
  const rows: [string, string][] = entries.slice(0, most).map(entry => [code(entry.name), formatBytes(entry.size)])
  if (entries.length > most) rows.push([`… and ${entries.length - most} more`, ''])
  return rows
}

/** What changed in the repository copy: one row per file, what happened to it and the lines (already escaped). */
export function changeRows(changes: FileChange[], most = 50): [string, string, string][] {
  const rows: [string, string, string][] = changes
    .slice(0, most)
    .map(change => [code(change.name), change.kind, escape(describeLines(change) ?? '')])
  if (changes.length > most) rows.push([`… and ${changes.length - most} more`, '', ''])
  return rows
}

export async function writeSummary(report: RunReport): Promise<void> {
  // Outside a runner (local runs) there is no summary file: nothing to write.
  if (!process.env.GITHUB_STEP_SUMMARY) return
  core.summary
    .addHeading('Kore.ai tool export', 3)
    .addTable(summaryRows(report).map(([label, value]) => [{ data: label, header: true }, value]))
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
