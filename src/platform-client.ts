/**
 * The two platform calls: start the export, read the job's status. Each answer is parsed by
 * response-parser.ts; HTTP failures that retrying cannot fix become an ActionError that says
 * what to do.
 */
import { ActionError } from './errors.js'
import { AnswerCutShortError, AnswerTooLongError, MAX_ANSWER_BYTES, RefusedUrlError, type PlatformHttp } from './http-helper.js'
import { MalformedAnswerError, parseExportAnswer, parseStatusAnswer, type ExportAnswer, type StatusAnswer } from './response-parser.js'
import { HttpError, describeFailure, isRetryable } from './retry-helper.js'
import { dockStatusUrl, exportUrl } from './url-helper.js'

export interface ExportTarget {
  platform: URL
  toolId: string
  flowId: string
}

export class PlatformClient {
  constructor(
    private readonly http: PlatformHttp,
    private readonly target: ExportTarget
  ) {}

  get exportUrl(): URL {
    return exportUrl(this.target.platform, this.target.toolId, this.target.flowId)
  }

  async startExport(): Promise<ExportAnswer> {
    try {
      return parseExportAnswer(await this.http.requestText('POST', this.exportUrl))
    } catch (error) {
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

  /** The start failed on every attempt with passing faults: say so, with the last one. */
  gaveUpStarting(error: unknown, attempts: number): unknown {
    if (!isRetryable(error)) return error
    return new ActionError(
      `Starting the export failed ${attempts} times; the last error: ${describeFailure(error)} (${this.target.platform.host}).`,
      'Check that the platform is reachable from the runner (the "host" input, proxy settings, the platform\'s status), then run the workflow again.'
    )
  }

  async getStatus(dockStatusId: string): Promise<StatusAnswer> {
    return readJobStatus(this.http, this.target.platform, dockStatusId, error => this.explain(error, 'Checking the export status'))
  }

  /** Client errors become an ActionError naming the cause and fix; other errors pass unchanged. */
  private explain(error: unknown, what: string): unknown {
    if (error instanceof AnswerTooLongError) {
      return new ActionError(
        `${what} failed: the platform's answer (HTTP ${error.status}) was longer than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB and was refused unread.`,
        'The "host" input may point at something other than the platform API (a proxy or web page); check it and the platform\'s status.'
      )
    }
    if (error instanceof RefusedUrlError) {
      return new ActionError(`${what} failed: ${error.message}.`, 'Check the "host" input: the platform API answered with a redirect the action will not follow.')
    }
    if (!(error instanceof HttpError) || isRetryable(error)) return error
    return explainHttpError(error, what, this.target)
  }
}

/**
 * One check of a dock job (an export's or an import's): its status, refused when the answer is
 * about another job. `explain` turns a failure into what the caller tells the user.
 */
export async function readJobStatus(http: PlatformHttp, platform: URL, dockStatusId: string, explain: (error: unknown) => unknown): Promise<StatusAnswer> {
  let answer: StatusAnswer
  try {
    answer = parseStatusAnswer(await http.requestText('GET', dockStatusUrl(platform, dockStatusId)))
  } catch (error) {
    throw explain(error)
  }
  // A cache or proxy that answers for another job must not decide this one's fate.
  if (answer.dockStatusId !== undefined && answer.dockStatusId !== dockStatusId) {
    throw new MalformedAnswerError('the answer is about another job')
  }
  return answer
}

export function explainHttpError(error: HttpError, what: string, target: ExportTarget): ActionError {
  const said = error.serverMessage ? ` The platform said: "${error.serverMessage}".` : ''
  const host = target.platform.host
  switch (error.status) {
    case 401:
      return new ActionError(
        `${what} failed: HTTP 401 Unauthorized from ${host}.${said}`,
        'The API key (input "key") is wrong, revoked or expired: create a new key for the API app and update the secret.'
      )
    case 403:
      return new ActionError(
        `${what} failed: HTTP 403 Forbidden from ${host}.${said}`,
        'The API key lacks the "Export Tool" scope, or its user may not export (Viewer permission): add the scope under Settings > Security & Control > API Scopes.'
      )
    case 404:
      return new ActionError(
        `${what} failed: HTTP 404 Not Found from ${host}.${said}`,
        `Check that the tool "${target.toolId}" (input "toolId") and its flow "${target.flowId}" (input "flowId") exist on ${host}, and that "host" is the right environment.`
      )
    default:
      return new ActionError(
        `${what} failed: HTTP ${error.status} from ${host}.${said}`,
        'Check the inputs "host", "toolId" and "flowId"; the platform refused the request as sent.'
      )
  }
}
