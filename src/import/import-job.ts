/**
 * The import's platform steps: every definition up with the File Upload API (each with a file id
 * of its own), ONE import request, its job waited for. The release runs them once; a rollback
 * runs them again with the backup's files.
 */
import { Defaults } from '../constants.js'
import { ActionError, CancelledError, HttpError, NetworkError, RetriesExhaustedError } from '../errors.js'
import { describeFailure, isSafeToResend, withRetry } from '../http/retry.js'
import { describeUrl } from '../http/urls.js'
import { sleep } from '../lifecycle/cancellation.js'
import type { Log } from '../lifecycle/run.js'
import type { Secrets } from '../lifecycle/secrets.js'
import { formatBytes, logValue } from '../log-text.js'
import { UNREACHABLE_FIX } from '../platform/connection.js'
import type { ImportFiles, UploadSource } from '../platform/import-client.js'
import { settleJob } from '../platform/jobs.js'
import { ENV_VARIABLES } from '../tool-export/zip-rules.js'
import type { ImportContext } from './context.js'

/** How one import went; filled as it goes. */
export interface ImportJob {
  dockStatusId?: string
  /** The tool imported into: the existing one, or the new tool's id from the answer. */
  toolId?: string
  status?: string
}

export interface ImportJobOptions {
  log: Log
  /** Told once the platform started the job (the outputs of the release's import). */
  onStarted?: (job: ImportJob) => void
  /** Told how the job ended (or that the wait timed out), before it is judged. */
  onEnd?: (job: ImportJob) => void
  /** What to do when the job FAILED. */
  failedFix: string
}

export async function importDefinitions(
  ctx: ImportContext,
  files: UploadSource[],
  options: ImportJobOptions,
  job: ImportJob = {}
): Promise<ImportJob> {
  const { settings, client } = ctx
  const { log } = options
  const ids = await log.group('Upload the definitions', () => uploadAll(ctx, files, log))
  const started = await log.group('Import', () => sendImport(ctx, ids, log))
  Object.assign(job, { dockStatusId: started.dockStatusId, toolId: started.toolId ?? settings.toolId })
  options.onStarted?.(job)
  log.info(
    `Import started: dock status id ${logValue(started.dockStatusId)}${job.toolId ? `, tool ${logValue(job.toolId)}` : ''}, status ${started.status ? logValue(started.status) : 'not given'}`
  )
  await settleJob(id => client.getStatus(id), started, {
    job: 'import',
    startedAt: Date.now(),
    timeoutMs: settings.timeoutMs,
    maxPauseMs: Defaults.pollIntervalSeconds * 1000,
    log,
    sleep: ms => sleep(ms, ctx.signal),
    group: log.group,
    redact: text => ctx.secrets.redact(text),
    failedFix: options.failedFix,
    timeoutFix:
      'Check the job on the platform: it keeps running there. Do not run the import again before it ends; raise "timeoutSeconds" for next time.',
    onEnd: end => {
      job.status = end.status
      options.onEnd?.(job)
    }
  })
  return job
}

/**
 * Every definition up, each with the File Upload API. Each must come back with a file id of its
 * own: one id for two files (a caching proxy, a platform fault) would import one file as both.
 */
async function uploadAll(ctx: ImportContext, files: UploadSource[], log: Log): Promise<Map<string, string>> {
  const startedAt = Date.now()
  const ids = new Map<string, string>()
  for (const file of files) {
    const id = await ctx.client.upload(file, { retry: ctx.retry, info: log.info, debug: log.debug, mask: url => maskUrl(ctx.secrets, url) })
    const first = [...ids].find(([, other]) => other === id)?.[0]
    if (first) {
      throw new ActionError(
        `The platform gave the same file id ${logValue(id)} for ${first} and ${file.name}: an import would take one file for both. Nothing was imported.`,
        'Run the workflow again; if it happens again, a cache or proxy between the runner and the platform may be answering for it (check NO_PROXY and the proxy), or report it to Kore.ai support.'
      )
    }
    ids.set(file.name, id)
  }
  log.info(`Uploaded ${formatBytes(files.reduce((sum, file) => sum + file.size, 0))} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s.`)
  return ids
}

/**
 * The one import request. Sent again only when the platform surely did not act on it (a 429, or
 * no connection made); after a 5xx, a reset or a timeout it may have started an import, and a
 * second request could import twice: the run fails saying so.
 */
async function sendImport(ctx: ImportContext, ids: Map<string, string>, log: Log) {
  const { settings, client } = ctx
  const files: ImportFiles = { toolDataFileId: ids.get('app_definition.json')!, flowDataFileId: ids.get('flow_definition.json')! }
  const envId = ids.get(ENV_VARIABLES)
  if (envId) files.envVariablesFileId = envId
  if (!settings.toolId) files.toolName = settings.toolName
  log.info(
    `POST ${describeUrl(client.importUrl)} (${settings.toolId ? `a new version of tool ${logValue(settings.toolId)}` : `a new tool named ${logValue(settings.toolName!)}`})`
  )
  return withRetry(() => client.startImport(files), {
    ...ctx.retry,
    retryable: isSafeToResend,
    deadline: Date.now() + settings.timeoutMs,
    what: 'Sending the import request'
  }).catch(error => {
    throw importNotConfirmed(error, ctx)
  })
}

/** Why the import request was not confirmed, and whether it may have started. */
function importNotConfirmed(failure: unknown, { settings }: ImportContext): unknown {
  if (failure instanceof ActionError || failure instanceof CancelledError) return failure
  const host = settings.platform.host
  // Every attempt failed with a fault that proves nothing arrived: say so with the last one.
  const error = failure instanceof RetriesExhaustedError ? failure.lastError : failure
  if (error instanceof HttpError && error.status === 429) {
    return new ActionError(
      `Sending the import request failed: ${host} answered HTTP 429 (too many requests) to every attempt. The import was not started.`,
      'Run the workflow again later, when the platform is less busy.'
    )
  }
  if (error instanceof NetworkError && error.unsent) {
    return new ActionError(
      `Sending the import request failed: no connection to ${host} (${error.message}). The import was not sent.`,
      UNREACHABLE_FIX
    )
  }
  const where = settings.toolId ? `a new in-development version of tool ${settings.toolId}` : `a new tool named "${settings.toolName}"`
  return new ActionError(
    `Sending the import request failed (${describeFailure(error)}) after ${host} may have received it: the import may have started, so it was not sent again.`,
    `Look on ${host} for ${where} and its import job before running the workflow again: a second run could import twice.`
  )
}

/** A signed URL from an answer: masked whole, and its parts when it is a URL. */
function maskUrl(secrets: Secrets, url: string): void {
  secrets.add(url)
  try {
    secrets.addUrl(new URL(url))
  } catch {
    // not a URL: masked whole above
  }
}
