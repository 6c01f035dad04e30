/**
 * The platform calls of a restore (shared/koreai-api.md §4): File Upload (one request, or a
 * chunked session), the import (as a new tool or a new version of one), and the import's dock
 * status. Each answer is parsed by answers.ts; failures that retrying cannot fix become
 * an ActionError that says what to do.
 */
import { openAsBlob } from 'node:fs'
import { FormData } from 'undici'
import { ActionError, HttpError, RefusedUrlError, RetriesExhaustedError } from '../errors.js'
import { MAX_ANSWER_BYTES, type PlatformHttp } from '../http/client.js'
import { describeFailure } from '../http/retry.js'
import {
  parseImportAnswer,
  parseSessionAnswer,
  parseUploadAnswer,
  type ImportAnswer,
  type StatusAnswer,
  type UploadAnswer
} from './answers.js'
import { explainCallFailure, readJobStatus } from './export-client.js'
import { filesUrl, importUrl } from './urls.js'

/** What every File Upload of a restore says it is for. */
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

export class ImportClient {
  constructor(
    private readonly http: PlatformHttp,
    private readonly target: ImportTarget
  ) {}

  get importUrl(): URL {
    return importUrl(this.target.platform, this.target.toolId)
  }

  /** A whole file in one multipart request; read from disk as it is sent. */
  async uploadFile(filePath: string, fileName: string): Promise<UploadAnswer> {
    const blob = await openAsBlob(filePath)
    try {
      return parseUploadAnswer(
        await this.http.postForm(filesUrl(this.target.platform), () => uploadForm(blob, fileName, { fileContext: FILE_CONTEXT }))
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
      await this.http.postForm(filesUrl(this.target.platform, sessionId), () =>
        uploadForm(blob, fileName, { chunkNumber: String(chunkNumber) })
      )
    } catch (error) {
      throw this.explain(error, `Uploading chunk ${chunkNumber} of ${fileName}`)
    }
  }

  async completeSession(sessionId: string, fileName: string): Promise<UploadAnswer> {
    try {
      return parseUploadAnswer(await this.http.requestText('POST', filesUrl(this.target.platform, sessionId, 'complete')))
    } catch (error) {
      throw this.explain(error, `Completing the upload of ${fileName}`)
    }
  }

  /**
   * The import request. Only a refusal the platform surely did not act on is explained here; a
   * 429, and every failure after which it may have received the request, pass unchanged, for
   * the caller to decide whether it may be sent again (see isSafeToResend).
   */
  async startImport(files: ImportFiles): Promise<ImportAnswer> {
    try {
      return parseImportAnswer(await this.http.requestText('POST', this.importUrl, MAX_ANSWER_BYTES, files))
    } catch (error) {
      if (error instanceof HttpError && error.status >= 400 && error.status < 500 && error.status !== 429 && error.status !== 408) {
        throw this.explain(error, 'Starting the import')
      }
      if (error instanceof RefusedUrlError) throw this.explain(error, 'Starting the import')
      throw error
    }
  }

  async getStatus(dockStatusId: string): Promise<StatusAnswer> {
    return readJobStatus(this.http, this.target.platform, dockStatusId, error => this.explain(error, 'Checking the import status'))
  }

  /** An upload that failed on every attempt with passing faults: say so, with the last one. */
  gaveUp(error: unknown, what: string): unknown {
    if (!(error instanceof RetriesExhaustedError)) return error
    return new ActionError(
      `${what} failed ${error.attempts} times; the last error: ${describeFailure(error.lastError)} (${this.target.platform.host}). Nothing was imported.`,
      'Check that the platform is reachable from the runner (the "host" input, proxy settings, the platform\'s status), then run the workflow again.'
    )
  }

  /** Client errors become an ActionError naming the cause and fix; other errors pass unchanged. */
  explain(error: unknown, what: string): unknown {
    const host = this.target.platform.host
    const existing = this.target.toolId
    return explainCallFailure(error, what, host, status => {
      if (status === 401) {
        return 'The API key (input "key") is wrong, revoked or expired: create a new key for the API app, with the "Import Tool" scope, and update the secret.'
      }
      if (status === 403) {
        return (
          'The API key lacks the "Import Tool" scope, or its user may not import (Viewer permission): add the scope under Settings > Security & Control > API Scopes.' +
          (existing
            ? ` The platform imports a new version only into a deployed tool: check that tool "${existing}" (input "toolId") is deployed.`
            : '')
        )
      }
      if (status === 404) {
        return existing
          ? `Check that the tool "${existing}" (input "toolId") exists on ${host}, and that "host" is the right environment.`
          : `Check that "host" is the platform's URL: ${host} does not know the import API.`
      }
      if (status === 413)
        return "A proxy or the platform refused the size of the request; report it with this log to the action's maintainers."
      return 'The platform refused the request as sent: check the source (is it an export of this platform\'s version?) and the inputs "toolId" / "toolName".'
    })
  }
}

/** A File Upload form: the file part (named as on disk) and the API's other fields, encoded by undici. */
function uploadForm(blob: Blob, fileName: string, fields: Record<string, string>): FormData {
  const form = new FormData()
  form.append('file', blob, fileName)
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  return form
}
