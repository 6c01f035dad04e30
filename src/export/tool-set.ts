/**
 * Many tools in one step: at most `concurrency` exports in flight, each whole and on its own
 * schedule; one failing tool does not stop the others. The outputs describe the set, also when
 * it was cancelled; when all are done, one error lists every tool that was not exported.
 */
import { Outputs } from '../constants.js'
import { ActionError, CancelledError } from '../errors.js'
import { prefixedLog, type Log, type RunIO } from '../lifecycle/run.js'
import { formatBytes, logValue } from '../log-text.js'
import { exportTool, type ExportDeps, type ExportOptions, type ToolLog } from '../pipeline/export-tool.js'
import type { TemporaryPaths } from '../lifecycle/temporary-paths.js'
import { describeFileChange } from '../report/file-change.js'
import { resultEntry, type ToolRun } from './outputs.js'

/** How often a set of tools says how far it has come. */
const SET_HEARTBEAT_MS = 15_000

export interface SetDeps extends Omit<ExportDeps, 'log' | 'temporary'> {
  temporary: TemporaryPaths
  log: Log
}

export async function exportSet(
  deps: SetDeps,
  tools: ToolRun[],
  options: ExportOptions & { concurrency: number },
  describeFailure: (error: unknown) => string
): Promise<void> {
  const { signal, log } = deps
  const total = tools.length
  let next = 0
  let running = 0
  let done = 0
  log.info(`Exporting ${total} tools from ${options.platform.host}, at most ${options.concurrency} at once.`)
  const heartbeat = setInterval(
    () => log.info(`${done} of ${total} done, ${running} running, ${total - done - running} waiting`),
    SET_HEARTBEAT_MS
  )
  heartbeat.unref()
  const worker = async (): Promise<void> => {
    while (next < total && !signal.aborted) {
      const tool = tools[next++]
      const prefix = `[${tool.target.name}] `
      const toolLog: ToolLog = { ...prefixedLog(log, prefix), heartbeat: false }
      running++
      const startedAt = Date.now()
      try {
        await exportTool({ ...deps, log: toolLog, temporary: deps.temporary.scope(tool.target.name) }, tool.target, options, tool.result)
        tool.state = 'exported'
        const size = tool.result.file ? `: ${formatBytes(tool.result.file.size)}` : ''
        log.info(`${prefix}Done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s${size}.`)
      } catch (error) {
        if (signal.aborted) break
        tool.state = 'failed'
        tool.error = describeFailure(error)
        log.info(`${prefix}Failed: ${logValue(tool.error)}`)
      } finally {
        tool.durationMs = Date.now() - startedAt
        running--
        done++
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, total) }, worker))
  } finally {
    clearInterval(heartbeat)
  }
  signal.throwIfAborted()
  const failed = tools.filter(tool => tool.state === 'failed')
  log.info(`${total - failed.length} of ${total} tools exported${failed.length ? `; ${failed.length} failed` : ''}.`)
  if (failed.length) {
    throw new ActionError(
      `${failed.length} of ${total} tools failed: ${failed.map(tool => `${tool.target.name}: ${tool.error}`).join(' | ')}`,
      'Each cause above says what to do; the other tools were exported in full.'
    )
  }
}

/**
 * The set's outputs as it stands, whether it ended, failed or was cancelled: `results` with each
 * tool's state, `status`, `changed`, `changes` (each file named under its tool's folder),
 * `succeeded` and `failed`.
 */
export function setOutputs(io: Pick<RunIO, 'setOutput'>, tools: ToolRun[]): void {
  const exported = tools.filter(tool => tool.state === 'exported')
  const changes = tools.flatMap(tool =>
    (tool.result.extraction?.fileChanges ?? []).map(change => describeFileChange({ ...change, name: `${tool.target.name}/${change.name}` }))
  )
  io.setOutput(Outputs.Results, JSON.stringify(tools.map(resultEntry)))
  io.setOutput(Outputs.Status, exported.length === tools.length ? 'SUCCESS' : 'FAILED')
  io.setOutput(Outputs.Changed, String(tools.some(tool => tool.result.extraction?.changed === true)))
  io.setOutput(Outputs.Changes, changes.join('\n'))
  io.setOutput(Outputs.Succeeded, String(exported.length))
  io.setOutput(Outputs.Failed, String(tools.length - exported.length))
}

/**
 * A cancelled set's one error: every tool not exported (and at which phase), and every job left
 * running on the platform. Tools that had not ended are marked cancelled.
 */
export function describeCancelledSet(tools: ToolRun[], error: CancelledError): string {
  const where = (tool: ToolRun): string =>
    tool.state === 'failed'
      ? 'failed'
      : tool.result.phase
        ? `cancelled during ${PHASE_WORDS[tool.result.phase]}`
        : 'cancelled before it started'
  for (const tool of tools) {
    if (tool.state !== undefined) continue
    tool.state = 'cancelled'
    tool.error = `${where(tool)} (${error.signal})`
  }
  const notExported = tools.filter(tool => tool.state !== 'exported')
  const left = tools.filter(tool => tool.result.job && tool.result.job.status === undefined)
  const jobs = left.map(tool => `${tool.target.name} (dock status id ${tool.result.job!.dockStatusId})`).join(', ')
  return (
    `The export was cancelled (${error.signal}). Not exported: ${notExported.map(tool => `${tool.target.name} (${where(tool)})`).join(', ')}.` +
    `${left.length ? ` Left running on the platform: ${jobs}.` : ''} No partial file was kept.`
  )
}

const PHASE_WORDS = { start: 'the start', wait: 'the wait', download: 'the download', unpack: 'the unpack', upload: 'the upload' }
