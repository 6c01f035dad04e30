/**
 * Saves the export: streamed to disk (never held in memory), hashed and counted on the way, written
 * under a temporary name and renamed only when complete, so no half file ever carries the final
 * name. A body cut short, or of another length than announced, is retried and never kept.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import * as path from 'node:path'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ActionError } from './errors.js'
import { contentDispositionName, safeFileName } from './file-naming.js'
import { headerValue, type PlatformHttp } from './http-helper.js'
import { garbageCollectorEvery } from './memory-helper.js'
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

/** Counts and hashes what flows through, unchanged. */
class Meter extends Transform {
  readonly hash = createHash('sha256')
  size = 0
  private readonly collect = garbageCollectorEvery(16 << 20)

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk)
    this.size += chunk.length
    this.collect(this.size)
    done(null, chunk)
  }
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
  const response = await opts.http.openStream(opts.url)
  const fileName = safeFileName(contentDispositionName(headerValue(response.headers['content-disposition']))) ?? opts.fallbackName
  const announced = response.headers['content-encoding'] ? undefined : lengthOf(response.headers['content-length'])
  const filePath = path.join(opts.folder, fileName)
  const partial = path.join(opts.folder, `.${fileName}.${randomBytes(4).toString('hex')}.part`)
  const meter = new Meter()
  try {
    await mkdir(opts.folder, { recursive: true })
    opts.onPartialFile?.(partial)
    await pipeline(response, meter, createWriteStream(partial, { highWaterMark: 1 << 20 }), { signal: opts.signal })
    if (announced !== undefined && meter.size !== announced) {
      throw new NetworkError(`the download ended after ${meter.size} of ${announced} bytes`)
    }
    await rename(partial, filePath)
  } catch (error) {
    response.destroy()
    await rm(partial, { force: true })
    if (opts.signal?.aborted) throw opts.signal.reason
    if (error instanceof NetworkError) throw error
    // A stream that breaks mid-body ("aborted", ECONNRESET) is a passing fault; a disk error is not.
    const code = (error as { code?: string }).code
    if (code && /^E(NOSPC|ACCES|PERM|ROFS|EXIST|ISDIR|NOTDIR|NAMETOOLONG)$/.test(code)) {
      throw new ActionError(
        `Saving the export to ${opts.folder} failed (${code}).`,
        'Choose a writable folder with enough free space in the input "path".'
      )
    }
    throw new NetworkError(`the download was cut short after ${meter.size} bytes (${code ?? 'connection closed'})`)
  } finally {
    opts.onPartialFile?.(undefined)
  }
  return { filePath, fileName, size: meter.size, sha256: meter.hash.digest('hex') }
}

function lengthOf(value: string | undefined): number | undefined {
  return value && /^\d+$/.test(value) ? Number(value) : undefined
}
