/**
 * Saves the export: streamed to disk (never held in memory), decoded when the server compressed
 * it, hashed and counted on the way, written under a temporary name. A body cut short, or of
 * another length than announced, is retried and never kept. The whole download, retries
 * included, has one overall time limit besides the connection's idle timeout, and reports
 * progress while it lasts. A complete body is then verified (verify.ts) and only then
 * takes the export's name (publish(): never over a file another run saved meanwhile); a body
 * that is not an export is kept beside it as `<name>.rejected`, for a person to look at, and
 * refused with one error that says what arrived. A run that fails leaves no file of its own.
 * Decoding is node:zlib's; the coding list is read here so that Content-Length can be checked
 * against the bytes as sent and an unknown coding refused by name.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm, statfs } from 'node:fs/promises'
import * as path from 'node:path'
import type { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as zlib from 'node:zlib'
import { MAX_TIMER_MS } from '../lifecycle/cancellation.js'
import { aside, publish, type FileIdentity } from './publish.js'
import {
  ActionError,
  errorCode,
  HttpError,
  HttpProtocolError,
  NetworkError,
  NotAnExportError,
  RefusedUrlError,
  RetriesExhaustedError
} from '../errors.js'
import { verifyExport, type VerifiedExport } from '../tool-export/verify.js'
import { bodyFault, brokenAnswer, headerValue, type PlatformHttp } from '../http/client.js'
import { formatBytes, oneLine } from '../log-text.js'
import { isRetryable, withRetry, type RetryContext } from '../http/retry.js'
import { explainConnectionFault, isConnectionFault } from '../platform/connection.js'
import { statusProblem } from '../platform/what-arrived.js'

/** How much the file's writer may hold before the download waits for the disk. */
const WRITE_BUFFER_BYTES = 1 << 20

/** A download that lasts longer than this reports its progress, once per period. */
export const PROGRESS_EVERY_MS = 10_000

export interface SavedFile {
  filePath: string
  /** The same bytes under a name only this run knows: what it unpacks and uploads. */
  ownCopy: string
  fileName: string
  size: number
  sha256: string
  /** What the verification found inside. */
  contents: VerifiedExport
}

/** A complete body under its temporary name, not yet verified. */
interface ArrivedBody {
  partial: string
  size: number
  sha256: string
  status: number
  contentType?: string
  transferEncoding?: string
}

export interface DownloadOptions {
  http: PlatformHttp
  url: URL
  /** The platform's base URL: the only origin the key goes to, named when another one refuses the download. */
  platform?: URL
  folder: string
  /** The name the export is saved under, in `folder`, whatever name the server proposes. */
  fileName: string
  /**
   * What was under that name when the run began (fileAt()): the one file the export may
   * replace. Any other there was saved by another run meanwhile, and is never replaced.
   */
  earlier?: FileIdentity
  /** Said when the export cannot take its name (core.warning on a runner). */
  warning?: (line: string) => void
  signal?: AbortSignal
  retry: Omit<RetryContext, 'what'>
  /** Told the temporary file's path while it exists, so a hard stop can remove it. */
  onPartialFile?: (filePath: string | undefined) => void
  /** false: verify the zip only, not that it is a tool export (the `verify` input). */
  toolChecks: boolean
  debug?: (line: string) => void
  /** The whole download, retries included, ends after this long (the input downloadTimeoutSeconds). */
  limitMs?: number
  /** Progress lines, one per PROGRESS_EVERY_MS (core.info on a runner). */
  progress?: (line: string) => void
}

/**
 * The verified export, under its name and as the run's own copy. Each run unpacks and uploads
 * its own copy, and its file under the export's name is never replaced by another run at once,
 * so the artifact, the unpacked files, the file and the sha256/size outputs of a run always
 * describe the download it made. The caller removes the own copy when the run ends.
 */
export async function downloadExport(opts: DownloadOptions): Promise<SavedFile> {
  const body = await fetchBody(opts)
  try {
    return await keepIfExport(body, opts)
  } catch (error) {
    // Refused or not, nothing of this run's is left behind but a `.rejected` file it names.
    await Promise.all([body.partial, aside(body)].map(file => rm(file, { force: true })))
    opts.onPartialFile?.(undefined)
    throw error
  }
}

/** Moves a verified body to the export's name, or a refused one to `<name>.rejected`. */
async function keepIfExport(body: ArrivedBody, opts: DownloadOptions): Promise<SavedFile> {
  const filePath = path.join(opts.folder, opts.fileName)
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
    if (!(error instanceof NotAnExportError)) throw error
    const rejected = `${filePath}.rejected`
    await rename(body.partial, rejected)
    throw refusal(error, body, rejected)
  }
  const published = await publish(body, filePath, opts)
  return { filePath: published, ownCopy: body.partial, fileName: path.basename(published), size: body.size, sha256: body.sha256, contents }
}

function refusal(error: NotAnExportError, body: ArrivedBody, rejected: string): ActionError {
  const type = body.contentType ? `Content-Type ${oneLine(body.contentType, 80)}` : 'no Content-Type'
  // A transfer coding other than chunked was undone by nobody: said, since it explains the bytes.
  const transfer = body.transferEncoding?.trim()
  const coding = transfer && !/^chunked$/i.test(transfer) ? `, Transfer-Encoding ${oneLine(transfer, 40)}` : ''
  const fix: Record<typeof error.refusal, string> = {
    'not a zip':
      'Run the workflow again; if the same arrives, open the download URL from a browser signed in to the platform, or report it to Kore.ai support.',
    'damaged zip':
      'Export the tool again (run the workflow again); if the export stays damaged, report it to Kore.ai support with the rejected file.',
    'not a tool export':
      'Check that the tool exports from the platform UI; if the platform now names its files differently, set "verify: false" to keep the export after the zip checks alone.'
  }
  return new ActionError(
    `The download is not a tool export: it is ${error.arrived} (${type}${coding}, ${body.size} bytes). ` +
      `It was not kept as ${path.basename(rejected, '.rejected')}, not unpacked and not uploaded; the bytes are at ${rejected} for inspection.`,
    fix[error.refusal]
  )
}

/** What has arrived so far, across attempts: for the progress line and the time-out's message. */
interface Progress {
  bytes: number
  total?: number
  attemptStartedAt: number
}

/** The whole body under a temporary name, after retrying passing faults, within the overall limit. */
async function fetchBody(opts: DownloadOptions): Promise<ArrivedBody> {
  const limitMs = Math.min(opts.limitMs ?? 15 * 60_000, MAX_TIMER_MS)
  const overall = AbortSignal.timeout(limitMs)
  const signal = opts.signal ? AbortSignal.any([opts.signal, overall]) : overall
  const progress: Progress = { bytes: 0, attemptStartedAt: Date.now() }
  const startedAt = Date.now()
  const ticker = setInterval(() => opts.progress?.(progressLine(progress, Date.now())), PROGRESS_EVERY_MS)
  ticker.unref()
  const timedOut = (): ActionError =>
    new ActionError(
      `The download did not finish within ${limitMs / 1000} s (downloadTimeoutSeconds); ${progress.bytes} bytes had arrived${progress.total ? ` of ${progress.total}` : ''}.`,
      'Raise "downloadTimeoutSeconds" for a slow link, or check the network between the runner and the download host (proxy, bandwidth).'
    )
  try {
    return await withRetry(() => saveOnce(opts, signal, progress), {
      ...opts.retry,
      // A pause that outlasts the limit ends with it: the next attempt sees the limit passed.
      sleep: ms => opts.retry.sleep(Math.min(ms, Math.max(0, startedAt + limitMs - Date.now()))),
      deadline: startedAt + limitMs,
      what: 'The download'
    })
  } catch (error) {
    if (opts.signal?.aborted) throw opts.signal.reason
    if (overall.aborted) throw timedOut()
    throw explain(error, opts.url, opts.platform)
  } finally {
    clearInterval(ticker)
  }
}

function explain(failure: unknown, url: URL, platform?: URL): unknown {
  // Every attempt failed with passing faults: the last one says what went wrong.
  const error = failure instanceof RetriesExhaustedError ? failure.lastError : failure
  if (isConnectionFault(error)) return explainConnectionFault(error)
  if (error instanceof HttpProtocolError) {
    const tries = failure instanceof RetriesExhaustedError ? ` ${failure.attempts} times; the last error:` : ':'
    return new ActionError(
      `Downloading the export failed${tries} ${error.message} (${url.host}).`,
      'It is the download host that answers so (or a proxy in front of it), not the network between: run the workflow again later; if it persists, report it to Kore.ai support with this log.'
    )
  }
  if (error instanceof RefusedUrlError) {
    return new ActionError(
      `Downloading the export was refused: ${error.message}.`,
      'The platform gave a download URL the action will not fetch: download the export from the platform UI, and report this to Kore.ai support.'
    )
  }
  if (error instanceof HttpError && (error.status === 401 || error.status === 403) && platform && url.origin !== platform.origin) {
    // The key goes only to the platform's own origin; a download elsewhere gets none.
    return new ActionError(
      `Downloading the export failed: ${error.message} from ${url.origin}. The API key is sent only to ${platform.origin} (the "host" input), never to another origin, and the download URL is on ${url.origin}.`,
      `If both are the same platform under two names (such as localhost and 127.0.0.1, or two host names of one server), give "host" as the download URL names it; otherwise the download URL needs other access: report it to Kore.ai support.`
    )
  }
  if (error instanceof HttpError && !isRetryable(error)) {
    return new ActionError(
      `Downloading the export failed: ${error.message} from ${url.host}.`,
      "The download URL may have expired or may need other permissions: run the workflow again; if it persists, check the key's scopes."
    )
  }
  if (error instanceof HttpError || error instanceof NetworkError) {
    return new ActionError(
      `Downloading the export failed: ${error.message}.`,
      'Check that the runner can reach the download host (proxy settings), then run the workflow again.'
    )
  }
  return error
}

async function saveOnce(opts: DownloadOptions, signal: AbortSignal, progress: Progress): Promise<ArrivedBody> {
  const response = await opts.http.openDownload(opts.url, signal)
  const decoders = decodersFor(headerValue(response.headers['content-encoding']))
  if (!decoders) {
    response.destroy()
    throw new ActionError(
      `Downloading the export failed: the server sent it with a content coding the action cannot decode (${describeCoding(response.headers['content-encoding'])}).`,
      'Only gzip, deflate and br are decoded: check the download host or the proxy in between.'
    )
  }
  // Content-Length counts the bytes as sent: encoded, when the server compressed them.
  const announced = lengthOf(headerValue(response.headers['content-length']))
  const partial = path.join(opts.folder, `.${opts.fileName}.${randomBytes(4).toString('hex')}.part`)
  const hash = createHash('sha256')
  let received = 0
  let size = 0
  progress.bytes = 0
  progress.total = decoders.length ? undefined : announced
  progress.attemptStartedAt = Date.now()
  try {
    await mkdir(opts.folder, { recursive: true })
    opts.onPartialFile?.(partial)
    const count = async function* (source: Readable): AsyncGenerator<Buffer> {
      for await (const chunk of source) {
        received += (chunk as Buffer).length
        if (!decoders.length) progress.bytes = received
        yield chunk as Buffer
      }
    }
    // One pipeline for plain and decoded bodies alike: count what arrives, decode, hash, write
    // (the writes run in libuv's thread pool; on loopback as fast as synchronous ones, measured).
    const hashed = async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      for await (const chunk of source) {
        hash.update(chunk)
        size += chunk.length
        progress.bytes = size
        yield chunk
      }
    }
    await pipeline(
      response.body,
      count,
      ...(decoders as [Transform]),
      hashed,
      createWriteStream(partial, { highWaterMark: WRITE_BUFFER_BYTES }),
      { signal }
    )
    if (announced !== undefined && received !== announced) {
      throw new NetworkError(`the download ended after ${received} of ${announced} bytes`)
    }
  } catch (error) {
    response.destroy()
    await rm(partial, { force: true })
    opts.onPartialFile?.(undefined)
    // Cancelled, or the overall limit passed: neither is worth another attempt.
    if (signal.aborted) throw signal.reason
    if (error instanceof NetworkError || error instanceof ActionError) throw error
    const code = errorCode(error)
    if (code === 'ENOSPC') {
      const free = await statfs(opts.folder).then(
        disk => disk.bavail * disk.bsize,
        () => undefined
      )
      const sizes = [
        free === undefined ? undefined : `${formatBytes(free)} free`,
        announced === undefined ? undefined : `${formatBytes(announced)} needed`
      ]
      throw new ActionError(
        `Saving the export to ${opts.folder} failed: no space left on the device after ${formatBytes(size)} (${sizes.filter(Boolean).join(', ') || 'free space unknown'}). Nothing was kept.`,
        'Free some space on the runner, or save the export onto another disk with the input "path".'
      )
    }
    if (code && /^E(ACCES|PERM|ROFS|EXIST|ISDIR|NOTDIR|NAMETOOLONG)$/.test(code)) {
      throw new ActionError(
        `Saving the export to ${opts.folder} failed (${code}).`,
        'Choose a writable folder with enough free space in the input "path".'
      )
    }
    if (code && /^Z_|^ERR_(BROTLI|ZLIB)|ERR__ERROR/.test(code)) {
      throw new NetworkError(
        `the download could not be decoded (${describeCoding(response.headers['content-encoding'])}: ${code}) after ${received} bytes`
      )
    }
    // A body that breaks HTTP (a chunk that is no chunk) is the server's doing.
    const broken = brokenAnswer(error, true)
    if (broken) throw broken
    // A connection that breaks mid-body (a reset, the idle timeout) is a passing fault; a disk error is not.
    throw new NetworkError(`the download was cut short after ${received} bytes (${bodyFault(error)})`)
  }
  return {
    partial,
    size,
    sha256: hash.digest('hex'),
    status: response.statusCode,
    contentType: headerValue(response.headers['content-type']),
    transferEncoding: headerValue(response.headers['transfer-encoding'])
  }
}

/** One decoder per coding, in the order to apply them (the header lists them as applied); undefined for an unknown one. */
export function decodersFor(header: string | undefined): Transform[] | undefined {
  const codings = (header ?? '')
    .split(',')
    .map(coding => coding.trim().toLowerCase())
    .filter(coding => coding && coding !== 'identity')
  const decoders: Transform[] = []
  for (const coding of codings.reverse()) {
    // Streams from servers often end without the final flush: accept what was complete.
    const lenient = { finishFlush: zlib.constants.Z_SYNC_FLUSH }
    if (coding === 'gzip' || coding === 'x-gzip') decoders.push(zlib.createGunzip(lenient))
    else if (coding === 'deflate') decoders.push(zlib.createInflate(lenient))
    else if (coding === 'br') decoders.push(zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }))
    else return undefined
  }
  return decoders
}

function describeCoding(value: string | string[] | undefined): string {
  return String(value ?? '')
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 40)
}

function lengthOf(value: string | undefined): number | undefined {
  return value && /^\d+$/.test(value) ? Number(value) : undefined
}

/** "Downloaded 12.0 MB of 48.0 MB (25%) at 1.2 MB/s, about 30 s left": bytes, rate, and with a known length, percent and time left. */
export function progressLine(progress: Progress, now: number): string {
  const mb = (bytes: number): string =>
    bytes < 1e4 ? `${bytes} bytes` : bytes < 1e7 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`
  const seconds = Math.max(0.001, (now - progress.attemptStartedAt) / 1000)
  const rate = progress.bytes / seconds
  const rateText = rate >= 1e5 ? `${(rate / 1e6).toFixed(1)} MB/s` : `${Math.round(rate)} bytes/s`
  if (!progress.total) return `Downloaded ${mb(progress.bytes)} at ${rateText}`
  const percent = Math.floor((progress.bytes / progress.total) * 100)
  const left = rate > 0 ? `about ${Math.ceil((progress.total - progress.bytes) / rate)} s left` : 'time left unknown'
  return `Downloaded ${mb(progress.bytes)} of ${mb(progress.total)} (${percent}%) at ${rateText}, ${left}`
}
