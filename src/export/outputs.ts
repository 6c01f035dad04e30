/**
 * What an export's result becomes for the user: the step's outputs (a single tool), one entry of
 * `results` (a tool of a set), and the summary's report. Pure.
 */
import { Outputs } from '../constants.js'
import type { ExportResult, ToolTarget } from '../pipeline/export-tool.js'
import type { ExportReport } from '../report/export-summary.js'
import { describeFileChange } from '../report/file-change.js'
import { folderAsGiven } from './drift.js'

/** One tool's run: its target, what its phases made, and how it ended. */
export interface ToolRun {
  target: ToolTarget
  result: ExportResult
  /** Unset while it runs (or waits to). */
  state?: 'exported' | 'failed' | 'cancelled'
  error?: string
  durationMs?: number
}

type OutputValues = Partial<Record<Outputs, string | number | boolean>>

/**
 * The outputs a single export sets, from what its phases made. A job whose end was never seen
 * was, as far as we know, still running: its status is IN_PROGRESS.
 */
export function outputsOf({ job, file, extraction, artifact }: ExportResult): OutputValues {
  const values: OutputValues = {}
  if (job) {
    values[Outputs.Status] = job.status ?? 'IN_PROGRESS'
    values[Outputs.DockStatusId] = job.dockStatusId
    if (job.exportJobId) values[Outputs.ExportJobId] = job.exportJobId
    if (job.downloadUrl) values[Outputs.DownloadUrl] = job.downloadUrl
  }
  if (file) Object.assign(values, { [Outputs.FilePath]: file.filePath, [Outputs.Sha256]: file.sha256, [Outputs.Size]: file.size })
  if (extraction) {
    // A check unpacks nothing: there is no folder the export was unpacked into.
    if (!extraction.checkOnly) values[Outputs.ExtractedPath] = extraction.folder
    values[Outputs.Changed] = extraction.changed
    values[Outputs.Changes] = extraction.fileChanges.map(describeFileChange).join('\n')
  }
  if (artifact) {
    values[Outputs.ArtifactName] = artifact.name
    values[Outputs.ArtifactId] = artifact.id
    if (artifact.url) values[Outputs.ArtifactUrl] = artifact.url
  }
  return values
}

/**
 * One tool's entry in a set's `results`: the outputs a single run would set (the download URL
 * left out: it may be signed), typed as JSON (numbers and booleans stay so), and how the tool
 * stands: exported, failed or cancelled, the phase it ended in, and its error.
 */
export function resultEntry(tool: ToolRun): Record<string, unknown> {
  const outputs = outputsOf(tool.result)
  delete outputs[Outputs.DownloadUrl]
  return {
    name: tool.target.name,
    toolId: tool.target.toolId,
    state: tool.state ?? 'cancelled',
    phase: tool.state === 'exported' ? null : (tool.result.phase ?? null),
    ...outputs,
    error: tool.error ?? null
  }
}

/** What the summary shows of one tool, filled from each phase's result; `env` places a checked folder in the workspace. */
export function reportOf(tool: ToolRun, host: string, env: NodeJS.ProcessEnv): ExportReport {
  const { job, file, extraction, artifact, phase } = tool.result
  return {
    host,
    toolId: tool.target.toolId,
    name: tool.target.name,
    durationMs: tool.durationMs,
    phase,
    cancelled: tool.state === 'cancelled' || undefined,
    error: tool.error,
    status: job && (job.status ?? 'IN_PROGRESS'),
    dockStatusId: job?.dockStatusId,
    exportJobId: job?.exportJobId,
    timedOutAfterSeconds: job?.timedOutAfterSeconds,
    fileName: file?.fileName,
    size: file?.size,
    sha256: file?.sha256,
    toolName: file?.toolName,
    entries: file?.entries,
    artifactName: artifact?.name,
    artifactUrl: artifact?.url,
    extractedPath: extraction && !extraction.checkOnly ? extraction.folder : undefined,
    comparedWith: extraction?.checkOnly ? folderAsGiven(extraction.folder, env) : undefined,
    changed: extraction?.changed,
    envVariables: extraction?.envVariables,
    fileChanges: extraction?.fileChanges
  }
}
