/**
 * The export's platform calls: start the export, read its job's status. Each answer is parsed by
 * answers.ts; HTTP failures that retrying cannot fix become an ActionError that says what to do.
 */
import { ActionError, AnswerCutShortError, HttpError, MalformedAnswerError, NetworkError, RetriesExhaustedError } from '../errors.js'
import type { PlatformHttp } from '../http/client.js'
import { describeFailure, isRetryable, isRetryableStatus } from '../http/retry.js'
import { parseExportAnswer, type ExportAnswer, type StatusAnswer } from './answers.js'
import { explainCallFailure, gaveUpRetrying } from './connection.js'
import { readJobStatus } from './jobs.js'
import { exportUrl } from './urls.js'
import { describeBody } from './what-arrived.js'

export interface ExportTarget {
  platform: URL
  toolId: string
  flowId: string
}

export class ExportClient {
  constructor(
    private readonly http: PlatformHttp,
    private readonly target: ExportTarget
  ) {}

  get exportUrl(): URL {
    return exportUrl(this.target.platform, this.target.toolId, this.target.flowId)
  }

  async startExport(): Promise<ExportAnswer> {
    let text: string | undefined
    try {
      text = await this.http.requestText('POST', this.exportUrl)
      return parseExportAnswer(text)
    } catch (error) {
      // A 2xx the action cannot read may still have started a job: report it, never send it again.
      if (error instanceof MalformedAnswerError && text !== undefined) {
        throw new ActionError(
          `Starting the export: the platform accepted the request, but its answer cannot be read (${error.message}): it is ${describeBody(Buffer.from(text), Buffer.byteLength(text), undefined)}. Not started again, since that could start a second export job.`,
          `Check "host" (it must be the platform's URL, not a sign-in page or proxy) and the tool's export jobs on ${this.target.platform.host}, then run the workflow again.`
        )
      }
      // The platform accepted the start (2xx) before its answer broke off: a job may exist, and
      // asking again could start a second one. Only a start that surely created nothing is retried.
      if (error instanceof AnswerCutShortError && error.status >= 200 && error.status < 300) {
        throw new ActionError(
          `Starting the export: the platform accepted the request (HTTP ${error.status}), but its answer was cut short (${error.message}); not started again, since that could start a second export job.`,
          `Check the tool's export jobs on ${this.target.platform.host}, then run the workflow again.`
        )
      }
      throw this.explain(error, 'Starting the export')
    }
  }

  /** What a start that failed for good says: every attempt failed, or one may have started a job. */
  gaveUpStarting(error: unknown): unknown {
    const host = this.target.platform.host
    if (error instanceof RetriesExhaustedError) return gaveUpRetrying(error, 'Starting the export', host)
    if (isRetryable(error)) {
      return new ActionError(
        `Starting the export failed after the request was sent (${describeFailure(error)}, ${host}): the platform may have started an export job. Not sent again, since that could start a second one.`,
        `Check the tool's export jobs on ${host}; run the workflow again once the platform answers.`
      )
    }
    return error
  }

  async getStatus(dockStatusId: string): Promise<StatusAnswer> {
    return readJobStatus(this.http, this.target.platform, dockStatusId, error => this.explain(error, 'Checking the export status'))
  }

  /** Client errors become an ActionError naming the cause and fix; other errors pass unchanged. */
  private explain(error: unknown, what: string): unknown {
    const { toolId, flowId, platform } = this.target
    return explainCallFailure(
      error,
      {
        what,
        scope: 'Export Tool',
        notFound: `Check that the tool "${toolId}" (input "toolId") and its flow "${flowId}" (input "flowId") exist on ${platform.host}, and that "host" is the right environment.`,
        refused: 'Check the inputs "host", "toolId" and "flowId"; the platform refused the request as sent.'
      },
      platform
    )
  }
}

/**
 * Whether a failed start may be sent again: only when it surely created nothing, because each start
 * creates a job. No connection was made, or the platform answered 408, 429 or 5xx.
 */
export function mayStartAgain(error: unknown): boolean {
  if (error instanceof HttpError) return isRetryableStatus(error.status)
  return error instanceof NetworkError && error.unsent
}
