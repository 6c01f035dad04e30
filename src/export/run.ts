/**
 * The export's story: read the inputs, check what can be checked before any request, export the
 * tool (or each tool of a set), set the outputs, write the summary; with extract: check, fail when
 * the platform's tool differs from git (drift.ts). The pipeline of one tool is
 * pipeline/export-tool.ts; a set's scheduler is tool-set.ts; the run's lifecycle (secrets,
 * cancellation, the one error, the summary written once) is lifecycle/run.ts.
 */
import { stat } from 'node:fs/promises'
import { artifactServiceProblem } from '../artifact/upload.js'
import { Inputs } from '../constants.js'
import { ActionError, CancelledError, errorCode, errorMessage } from '../errors.js'
import { runEntry, runnerIO, type Entry, type RunContext, type RunIO } from '../lifecycle/run.js'
import { logValue } from '../log-text.js'
import { exportTool } from '../pipeline/export-tool.js'
import { connectToPlatform } from '../platform/connection.js'
import { exportSummary, setSummary } from '../report/export-summary.js'
import { writableFolderProblem } from '../settings/folder-check.js'
import { DriftError, driftError } from './drift.js'
import { outputsOf, reportOf, type ToolRun } from './outputs.js'
import { getSettings, type Settings } from './settings.js'
import { describeCancelledSet, exportSet, setOutputs } from './tool-set.js'

export async function run(io: RunIO = runnerIO()): Promise<void> {
  await runEntry(io, exportEntry(io))
}

/** The export's part of a run: one tool, or a set of them. */
export function exportEntry(io: RunIO): Entry<Settings> {
  let settings: Settings | undefined
  let tools: ToolRun[] = []
  const setSingleOutputs = (tool: ToolRun): void => {
    for (const [name, value] of Object.entries(outputsOf(tool.result))) io.setOutput(name, String(value))
  }
  return {
    readSettings(source) {
      settings = getSettings(source)
      tools = settings.tools.map(target => ({ target, result: {} }))
      return settings
    },

    async work(run) {
      await checkBeforeAnyRequest(run)
      const http = connectToPlatform(run, 'export')
      const deps = { http, signal: run.signal, secrets: run.secrets, env: io.env }
      const drift = (): DriftError | undefined =>
        run.settings.checkOnly
          ? driftError(
              tools.flatMap(({ target, result }) =>
                result.extraction
                  ? [{ name: target.name, folder: result.extraction.folder, fileChanges: result.extraction.fileChanges }]
                  : []
              ),
              run.settings.many,
              io.env
            )
          : undefined
      try {
        if (run.settings.many) {
          let failed: ActionError | undefined
          try {
            await exportSet({ ...deps, temporary: run.temporary, log: io.log }, tools, run.settings, describeToolFailure)
          } catch (error) {
            // Tools that failed do not hide the drift of the others: the one error says both.
            if (!(error instanceof ActionError) || run.signal.aborted) throw error
            failed = error
          } finally {
            setOutputs(io, tools)
          }
          const drifted = drift()
          if (failed && drifted) throw new ActionError(`${failed.message} ${drifted.message}`, `${failed.fix} ${drifted.fix}`)
          const problem = failed ?? drifted
          if (problem) throw problem
          return
        }
        const [tool] = tools
        await exportTool(
          { ...deps, temporary: run.temporary.scope(tool.target.name), log: { ...io.log, heartbeat: true } },
          tool.target,
          run.settings,
          tool.result
        )
        tool.state = 'exported'
        setSingleOutputs(tool)
        io.log.info(`Export of tool ${logValue(tool.target.toolId)} complete in ${((Date.now() - run.startedAt) / 1000).toFixed(1)} s.`)
        const drifted = drift()
        if (drifted) throw drifted
      } finally {
        http.dispose()
      }
    },

    describeFailure(error) {
      if (!settings) return describeToolFailure(error)
      if (settings.many) {
        if (!(error instanceof CancelledError)) return describeToolFailure(error)
        const message = describeCancelledSet(tools, error)
        setOutputs(io, tools)
        return message
      }
      // The tool was exported in full: only the comparison failed the step.
      if (error instanceof DriftError) return error.toString()
      const [tool] = tools
      tool.state = error instanceof CancelledError ? 'cancelled' : 'failed'
      tool.error = error instanceof CancelledError ? describeCancelledTool(tool, error) : describeToolFailure(error)
      setSingleOutputs(tool)
      return tool.error
    },

    summary(failure, durationMs, redact) {
      const host = settings?.platform.host ?? ''
      if (settings?.many)
        return setSummary(
          tools.map(tool => reportOf(tool, host, io.env)),
          failure,
          durationMs,
          redact
        )
      const report = tools[0] ? reportOf(tools[0], host, io.env) : { error: failure }
      return exportSummary({ ...report, durationMs }, redact)
    }
  }
}

/**
 * What can be checked before the export job starts: that an upload is possible here, and that
 * the folders the run writes to can be written (a file in their place, or a folder that cannot be
 * written, would otherwise fail only after the job has run).
 */
async function checkBeforeAnyRequest({ settings, io }: RunContext<Settings>): Promise<void> {
  if (settings.uploadArtifact) {
    const problem = artifactServiceProblem(io.env)
    if (problem) throw problem
  }
  const problems: [Inputs, string | undefined][] = []
  for (const target of settings.tools) {
    problems.push([Inputs.Path, await writableFolderProblem(target.folder)])
    if (target.extractFolder) {
      const problem = settings.checkOnly
        ? await comparableFolderProblem(target.extractFolder)
        : await writableFolderProblem(target.extractFolder)
      problems.push([Inputs.ExtractPath, problem])
    }
  }
  const found = problems.filter(([, problem]) => problem !== undefined)
  if (found.length === 0) return
  throw new ActionError(
    `Invalid input: ${found.map(([name, problem]) => `input "${name}" ${problem}`).join('; ')}.`,
    settings.checkOnly
      ? 'Give "extractPath" as the folder in git that extract: true writes, and "path" a folder the runner can write to. Nothing was sent to the platform.'
      : 'Choose a folder the runner can write to, or leave the input empty for the default. Nothing was sent to the platform.'
  )
}

/**
 * A check only reads the folder: it may be missing (every file is then drift), but not a file, or
 * inside one, which is a mistake in extractPath.
 */
async function comparableFolderProblem(folder: string): Promise<string | undefined> {
  try {
    return (await stat(folder)).isDirectory() ? undefined : `names a file, not a folder: ${folder}`
  } catch (error) {
    const code = errorCode(error)
    if (code === 'ENOENT') return undefined
    return code === 'ENOTDIR' ? `lies inside a file, not a folder: ${folder}` : `cannot be read (${code}): ${folder}`
  }
}

/** What a tool's failure says, for the step's one `::error::` (or a set's list). */
function describeToolFailure(error: unknown): string {
  if (error instanceof ActionError) return error.toString()
  return `The export failed unexpectedly: ${errorMessage(error)}. Run the workflow again; if it persists, report it with this log.`
}

function describeCancelledTool(tool: ToolRun, error: CancelledError): string {
  const job = tool.result.job
  const left =
    job && job.status === undefined ? ` The export job (dock status id ${job.dockStatusId}) was left running on the platform.` : ''
  return `The export was cancelled (${error.signal}).${left} No partial file was kept.`
}
