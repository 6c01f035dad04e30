/**
 * Saves the export: streamed to disk (never held in memory), hashed and counted on the way, written
 * under a temporary name and renamed only when complete, so no half file ever carries the final
 * name. A body cut short, or of another length than announced, is retried and never kept.
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
import { contentDispositionName, safeFileName } from './file-naming.js'
import { headerValue, type PlatformHttp } from './http-helper.js'
import { HttpError, NetworkError, isRetryable, withRetry, type RetryContext } from './retry-helper.js'

export interface SavedFile {
  filePath: string
  fileName: string
  size: number
  sha256: string
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
}

export async function downloadExport(opts: DownloadOptions): Promise<SavedFile> {
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

async function saveOnce(opts: DownloadOptions): Promise<SavedFile> {
  const response = await opts.http.openDownload(opts.url)
  const fileName = safeFileName(contentDispositionName(headerValue(response.headers['content-disposition']))) ?? opts.fallbackName
  const announced = response.headers['content-encoding'] ? undefined : lengthOf(headerValue(response.headers['content-length']))
  const filePath = path.join(opts.folder, fileName)
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
    await rename(partial, filePath)
  } catch (error) {
    response.destroy()
    if (fd !== undefined) closeSync(fd)
    await rm(partial, { force: true })
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
  } finally {
    opts.onPartialFile?.(undefined)
  }
  return { filePath, fileName, size, sha256: hash.digest('hex') }
}

function lengthOf(value: string | undefined): number | undefined {
  return value && /^\d+$/.test(value) ? Number(value) : undefined
}
