/**
 * Saves the export: streamed to disk (never held in memory), hashed and counted on the way, written
 * under a temporary name. A body cut short, or of another length than announced, is retried and
 * never kept. A complete body is then verified (export-verifier.ts) and only then takes the
 * export's name; a body that is not an export is kept beside it as `<name>.rejected`, for a
 * person to look at, and refused with one error that says what arrived.
 *
 * Each piece is hashed and written the moment it arrives, synchronously, while it is still in
 * the CPU's cache and before the connection's buffer is read into again (see direct-http.ts).
 */
import { createHash, randomBytes } from 'node:crypto'
import { closeSync, openSync, writeSync } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import * as path from 'node:path'
import { abortable } from './cancellation.js'
import { ActionError } from './errors.js'
import { NotAnExportError, verifyExport, type VerifiedExport } from './export-verifier.js'
import { contentDispositionName, safeFileName } from './file-naming.js'
import { headerValue, type PlatformHttp } from './http-helper.js'
import { oneLine } from './log-text.js'
import { HttpError, NetworkError, isRetryable, withRetry, type RetryContext } from './retry-helper.js'
import { statusProblem } from './what-arrived.js'

export interface SavedFile {
  filePath: string
  fileName: string
  size: number
  sha256: string
  /** What the verification found inside. */
  contents: VerifiedExport
}

/** A complete body under its temporary name, not yet verified. */
interface ArrivedBody {
  partial: string
  fileName: string
  size: number
  sha256: string
  status: number
  contentType?: string
}

export interface DownloadOptions {
  http: PlatformHttp
  url: URL
  folder: string
  /** The name used when the server proposes none, or one that is not a plain file name. */
  fallbackName: string
  signal?: AbortSignal
  retry: Omit<RetryContext, 'what'>
  /** Told the temporary file's path while it exists, so a hard stop can remove it. */
  onPartialFile?: (filePath: string | undefined) => void
  /** false: verify the zip only, not that it is a tool export (the `verify` input). */
  toolChecks: boolean
  debug?: (line: string) => void
}

export async function downloadExport(opts: DownloadOptions): Promise<SavedFile> {
  const body = await fetchBody(opts)
  try {
    return await keepIfExport(body, opts)
  } finally {
    opts.onPartialFile?.(undefined)
  }
}

/** Moves a verified body to the export's name, or a refused one to `<name>.rejected`. */
async function keepIfExport(body: ArrivedBody, opts: DownloadOptions): Promise<SavedFile> {
  const filePath = path.join(opts.folder, body.fileName)
  let contents: VerifiedExport
  try {
    const wrongStatus = statusProblem(body.status)
    if (wrongStatus) throw new NotAnExportError(wrongStatus, 'not a zip')
    const startedAt = performance.now()
    const peakBefore = process.resourceUsage().maxRSS
    contents = await verifyExport(body.partial, { toolChecks: opts.toolChecks, contentType: body.contentType, signal: opts.signal })
    // What verifying cost, for a person tuning a runner and for `npm run bench`.
    const mb = (kb: number): string => ((kb * 1024) / 1e6).toFixed(0)
    opts.debug?.(
      `Verified ${body.size} bytes in ${Math.round(performance.now() - startedAt)} ms; peak RSS ${mb(peakBefore)} MB before, ${mb(process.resourceUsage().maxRSS)} MB after`
    )
  } catch (error) {
    if (!(error instanceof NotAnExportError)) {
      await rm(body.partial, { force: true })
      throw error
    }
    const rejected = `${filePath}.rejected`
    await rename(body.partial, rejected)
    throw refusal(error, body, rejected)
  }
  await rename(body.partial, filePath)
  return { filePath, fileName: body.fileName, size: body.size, sha256: body.sha256, contents }
}

function refusal(error: NotAnExportError, body: ArrivedBody, rejected: string): ActionError {
  const type = body.contentType ? `Content-Type ${oneLine(body.contentType, 80)}` : 'no Content-Type'
  const fix: Record<typeof error.refusal, string> = {
    'not a zip': 'Run the workflow again; if the same arrives, open the download URL from a browser signed in to the platform, or report it to Kore.ai support.',
    'damaged zip': 'Export the tool again (run the workflow again); if the export stays damaged, report it to Kore.ai support with the rejected file.',
    'not a tool export': 'Check that the tool exports from the platform UI; if the platform now names its files differently, set "verify: false" to keep the export after the zip checks alone.'
  }
  return new ActionError(
    `The download is not a tool export: it is ${error.arrived} (${type}, ${body.size} bytes). ` +
      `It was not kept as ${body.fileName}, not unpacked and not uploaded; the bytes are at ${rejected} for inspection.`,
    fix[error.refusal]
  )
}

/** The whole body under a temporary name, after retrying passing faults. */
async function fetchBody(opts: DownloadOptions): Promise<ArrivedBody> {
  try {
    return await withRetry(() => saveOnce(opts), { ...opts.retry, what: 'The download' })
  } catch (error) {
    if (error instanceof HttpError && !isRetryable(error)) {
      throw new ActionError(
        `Downloading the export failed: ${error.message} from ${opts.url.host}.`,
        'The download URL may have expired or may need other permissions: run the workflow again; if it persists, check the key\'s scopes.'
      )
    }
    if (error instanceof HttpError || error instanceof NetworkError) {
      throw new ActionError(
        `Downloading the export failed: ${error.message}.`,
        'Check that the runner can reach the download host (proxy settings), then run the workflow again.'
      )
    }
    throw error
  }
}

async function saveOnce(opts: DownloadOptions): Promise<ArrivedBody> {
  const response = await opts.http.openDownload(opts.url)
  const fileName = safeFileName(contentDispositionName(headerValue(response.headers['content-disposition']))) ?? opts.fallbackName
  const announced = response.headers['content-encoding'] ? undefined : lengthOf(headerValue(response.headers['content-length']))
  const partial = path.join(opts.folder, `.${fileName}.${randomBytes(4).toString('hex')}.part`)
  const hash = createHash('sha256')
  let size = 0
  let fd: number | undefined
  try {
    await mkdir(opts.folder, { recursive: true })
    opts.onPartialFile?.(partial)
    const out = (fd = openSync(partial, 'w'))
    await abortable(
      response.readBody(chunk => {
        hash.update(chunk)
        for (let written = 0; written < chunk.length; ) written += writeSync(out, chunk, written)
        size += chunk.length
      }),
      opts.signal
    )
    closeSync(fd)
    fd = undefined
    if (announced !== undefined && size !== announced) {
      throw new NetworkError(`the download ended after ${size} of ${announced} bytes`)
    }
  } catch (error) {
    response.destroy()
    if (fd !== undefined) closeSync(fd)
    await rm(partial, { force: true })
    opts.onPartialFile?.(undefined)
    if (opts.signal?.aborted) throw opts.signal.reason
    if (error instanceof NetworkError) throw error
    // A connection that breaks mid-body ("aborted", ECONNRESET) is a passing fault; a disk error is not.
    const code = (error as { code?: string }).code
    if (code && /^E(NOSPC|ACCES|PERM|ROFS|EXIST|ISDIR|NOTDIR|NAMETOOLONG)$/.test(code)) {
      throw new ActionError(
        `Saving the export to ${opts.folder} failed (${code}).`,
        'Choose a writable folder with enough free space in the input "path".'
      )
    }
    throw new NetworkError(`the download was cut short after ${size} bytes (${code ?? 'connection closed'})`)
  }
  return {
    partial,
    fileName,
    size,
    sha256: hash.digest('hex'),
    status: response.statusCode,
    contentType: headerValue(response.headers['content-type'])
  }
}

function lengthOf(value: string | undefined): number | undefined {
  return value && /^\d+$/.test(value) ? Number(value) : undefined
}
