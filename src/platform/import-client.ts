/**
 * The import's platform calls, as the vendor's API pages document them: File Upload (one request below the
 * API's limit, else a chunked session, each call retried), the import (as a new tool or a new
 * version of one), and the import's dock status. Each answer is parsed by answers.ts; failures
 * that retrying cannot fix become an ActionError that says what to do.
 */
import { openAsBlob } from 'node:fs'
import * as path from 'node:path'
import { HttpError, RefusedUrlError } from '../errors.js'
import { MAX_ANSWER_BYTES, type PlatformHttp } from '../http/client.js'
import type { FormData } from 'undici'
import { formData } from '../http/undici.js'
import { withRetry, type RetryContext } from '../http/retry.js'
import { formatBytes, logValue } from '../log-text.js'
import {
  parseToolJobAnswer,
  parseSessionAnswer,
  parseUploadAnswer,
  type ToolJobAnswer,
  type StatusAnswer,
  type UploadAnswer
} from './answers.js'
import { explainCallFailure, gaveUpRetrying, isConnectionFault } from './connection.js'
import { readJobStatus } from './jobs.js'
import { chunkRange, planUpload } from './upload-plan.js'
import { filesUrl, importUrl } from './urls.js'

/** What every File Upload of an import says it is for. */
export const FILE_CONTEXT = 'bulkImport'

export interface ImportTarget {
  platform: URL
  /** The tool to import into as a new version; undefined for a new tool. */
  toolId?: string
}

/** The three file ids of an import, and the new tool's name (a new tool only). */
export interface ImportFiles {
  toolDataFileId: string
  flowDataFileId: string
  envVariablesFileId?: string
  toolName?: string
}

/** A file on disk to upload, by the name the platform is to know it by. */
export interface UploadSource {
  name: string
  path: string
  size: number
}

/** What an upload needs of the run: its retry policy, its log, and where a signed URL is masked. */
export interface UploadContext {
  retry: Omit<RetryContext, 'what'>
  info: (line: string) => void
  debug: (line: string) => void
  /** Told each signed URL an answer carries, before anything could print it. */
  mask: (url: string) => void
}

export class ImportClient {
  constructor(
    private readonly http: PlatformHttp,
    private readonly target: ImportTarget
  ) {}

  get importUrl(): URL {
    return importUrl(this.target.platform, this.target.toolId)
  }

  /**
   * One file with the File Upload API: one request below the limit, else a chunked session, each
   * call retried on passing faults. The file is read from disk as it is sent. Its file id.
   */
  async upload(file: UploadSource, ctx: UploadContext): Promise<string> {
    const plan = planUpload(file.size)
    const retrying = <T>(what: string, operation: () => Promise<T>): Promise<T> =>
      withRetry(operation, { ...ctx.retry, what }).catch(error => {
        throw gaveUpRetrying(error, what, this.target.platform.host, ' Nothing was imported.')
      })
    let answer: UploadAnswer
    if (plan.mode === 'one request') {
      answer = await retrying(`Uploading ${file.name}`, () => this.uploadFile(file.path, file.name))
      ctx.info(`Uploaded ${file.name} (${formatBytes(file.size)}) in one request: file id ${logValue(answer.fileId)}`)
    } else {
      const sessionId = await retrying(`Starting the upload session of ${file.name}`, () =>
        this.startSession({
          fileName: file.name,
          fileExtension: path.extname(file.name).slice(1) || 'json',
          fileSize: file.size,
          totalChunks: plan.totalChunks
        })
      )
      ctx.info(`Uploading ${file.name} (${formatBytes(file.size)}) in ${plan.totalChunks} chunks of up to ${formatBytes(plan.chunkBytes)}`)
      const blob = await openAsBlob(file.path)
      for (let chunk = 0; chunk < plan.totalChunks; chunk++) {
        const [start, end] = chunkRange(chunk, file.size, plan.chunkBytes)
        await retrying(`Uploading chunk ${chunk} of ${file.name}`, () =>
          this.uploadChunk(sessionId, chunk, blob.slice(start, end), file.name)
        )
        ctx.debug(`chunk ${chunk} of ${file.name}: bytes ${start}-${end - 1} sent`)
      }
      answer = await retrying(`Completing the upload of ${file.name}`, () => this.completeSession(sessionId, file.name))
      ctx.info(`Uploaded ${file.name} in ${plan.totalChunks} chunks: file id ${logValue(answer.fileId)}`)
    }
    if (answer.url) ctx.mask(answer.url)
    return answer.fileId
  }

  /** A whole file in one multipart request; read from disk as it is sent. */
  async uploadFile(filePath: string, fileName: string): Promise<UploadAnswer> {
    const blob = await openAsBlob(filePath)
    try {
      return parseUploadAnswer(
        await this.http.postForm(filesUrl(this.target.platform), await formOf(blob, fileName, { fileContext: FILE_CONTEXT }))
      )
    } catch (error) {
      throw this.explain(error, `Uploading ${fileName}`)
    }
  }

  async startSession(session: { fileName: string; fileExtension: string; fileSize: number; totalChunks: number }): Promise<string> {
    try {
      return parseSessionAnswer(
        await this.http.requestText('POST', filesUrl(this.target.platform, 'start'), MAX_ANSWER_BYTES, {
          fileContext: FILE_CONTEXT,
          ...session
        })
      )
    } catch (error) {
      throw this.explain(error, `Starting the upload session of ${session.fileName}`)
    }
  }

  /** One chunk of a session: `blob` is a slice of the file on disk, read as it is sent. */
  async uploadChunk(sessionId: string, chunkNumber: number, blob: Blob, fileName: string): Promise<void> {
    try {
      await this.http.postForm(
        filesUrl(this.target.platform, sessionId),
        await formOf(blob, fileName, { chunkNumber: String(chunkNumber) })
      )
    } catch (error) {
      throw this.explain(error, `Uploading chunk ${chunkNumber} of ${fileName}`, sessionId)
    }
  }

  async completeSession(sessionId: string, fileName: string): Promise<UploadAnswer> {
    try {
      return parseUploadAnswer(await this.http.requestText('POST', filesUrl(this.target.platform, sessionId, 'complete')))
    } catch (error) {
      throw this.explain(error, `Completing the upload of ${fileName}`, sessionId)
    }
  }

  /**
   * The import request. Only a refusal the platform surely did not act on is explained here; a
   * 429, and every failure after which it may have received the request, pass unchanged, for
   * the caller to decide whether it may be sent again (see isSafeToResend).
   */
  async startImport(files: ImportFiles): Promise<ToolJobAnswer> {
    try {
      return parseToolJobAnswer(await this.http.requestText('POST', this.importUrl, MAX_ANSWER_BYTES, files))
    } catch (error) {
      if (error instanceof HttpError && error.status >= 400 && error.status < 500 && error.status !== 429 && error.status !== 408) {
        throw this.explain(error, 'Starting the import')
      }
      // Neither a refused URL nor a connection that could not be set up (a certificate, a proxy) got the request through.
      if (error instanceof RefusedUrlError || isConnectionFault(error)) throw this.explain(error, 'Starting the import')
      throw error
    }
  }

  async getStatus(dockStatusId: string): Promise<StatusAnswer> {
    return readJobStatus(this.http, this.target.platform, dockStatusId, error => this.explain(error, 'Checking the import status'))
  }

  /**
   * Client errors become an ActionError naming the cause and fix; other errors pass unchanged.
   * `sessionId`: the call was on an upload session the platform had accepted, so a 404 means
   * the session is gone, not that the host lacks the API.
   */
  explain(error: unknown, what: string, sessionId?: string): unknown {
    const host = this.target.platform.host
    const existing = this.target.toolId
    const notFound = sessionId
      ? `The upload session ${logValue(sessionId)} that ${host} had accepted is no longer known to it: it most likely expired. Run the workflow again: a new run starts a new session.`
      : existing
        ? `Check that the tool "${existing}" (input "toolId") exists on ${host}, and that "host" is the right environment.`
        : `Check that "host" is the platform's URL: ${host} does not know the import API.`
    return explainCallFailure(
      error,
      {
        what,
        scope: 'Import Tool',
        forbiddenAlso: existing
          ? `The platform imports a new version only into a deployed tool: check that tool "${existing}" (input "toolId") is deployed.`
          : undefined,
        notFound,
        refused:
          'The platform refused the request as sent: check the source (is it an export of this platform\'s version?) and the inputs "toolId" / "toolName".',
        pathAnswered: sessionId !== undefined
      },
      this.target.platform
    )
  }
}

/**
 * A File Upload form, made anew for each hop (a body is read as it is sent): the file part (named
 * as on disk) and the API's other fields, encoded by undici.
 */
async function formOf(blob: Blob, fileName: string, fields: Record<string, string>): Promise<() => FormData> {
  const Form = await formData()
  return () => {
    const form = new Form()
    form.append('file', blob, fileName)
    for (const [name, value] of Object.entries(fields)) form.append(name, value)
    return form
  }
}
