/**
 * The two platform calls: start the export, read the job's status. Each answer is parsed by
 * answers.ts; HTTP failures that retrying cannot fix become an ActionError that says what to do.
 */
import {
  ActionError,
  AnswerCutShortError,
  AnswerTooLongError,
  HttpError,
  MalformedAnswerError,
  NetworkError,
  RefusedUrlError,
  RetriesExhaustedError
} from '../errors.js'
import { MAX_ANSWER_BYTES, PlatformHttp } from '../http/client.js'
import type { Secrets } from '../lifecycle/secrets.js'
import { describeFailure, isRetryable, isRetryableStatus } from '../http/retry.js'
import { parseExportAnswer, parseStatusAnswer, serverMessage, type ExportAnswer, type StatusAnswer } from './answers.js'
import { dockStatusUrl, exportUrl } from './urls.js'
import { describeBody } from './what-arrived.js'

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
    if (error instanceof RetriesExhaustedError) {
      return new ActionError(
        `Starting the export failed ${error.attempts} times; the last error: ${describeFailure(error.lastError)} (${host}).`,
        'Check that the platform is reachable from the runner (the "host" input, proxy settings, the platform\'s status), then run the workflow again.'
      )
    }
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
    const { toolId, flowId } = this.target
    return explainCallFailure(error, what, this.target.platform.host, status => {
      if (status === 401)
        return 'The API key (input "key") is wrong, revoked or expired: create a new key for the API app and update the secret.'
      if (status === 403) {
        return 'The API key lacks the "Export Tool" scope, or its user may not export (Viewer permission): add the scope under Settings > Security & Control > API Scopes.'
      }
      if (status === 404) {
        return `Check that the tool "${toolId}" (input "toolId") and its flow "${flowId}" (input "flowId") exist on ${this.target.platform.host}, and that "host" is the right environment.`
      }
      return 'Check the inputs "host", "toolId" and "flowId"; the platform refused the request as sent.'
    })
  }
}

/**
 * One check of a dock job (an export's or an import's): its status, refused when the answer is
 * about another job. `explain` turns a failure into what the caller tells the user.
 */
export async function readJobStatus(
  http: PlatformHttp,
  platform: URL,
  dockStatusId: string,
  explain: (error: unknown) => unknown
): Promise<StatusAnswer> {
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

/**
 * Whether a failed start may be sent again: only when it surely created nothing, because each start
 * creates a job. No connection was made, or the platform answered 408, 429 or 5xx.
 */
export function mayStartAgain(error: unknown): boolean {
  if (error instanceof HttpError) return isRetryableStatus(error.status)
  return error instanceof NetworkError && error.unsent
}

const STATUS_NAMES: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 413: 'Payload Too Large' }

/**
 * What a failed platform call tells a person, for the export's client and the import's alike: an
 * answer refused unread, a redirect not followed, or a client error with the fix `fixFor` gives
 * for its status. Passing faults (and anything else) come back unchanged, to be retried or reported.
 */
export function explainCallFailure(error: unknown, what: string, host: string, fixFor: (status: number) => string): unknown {
  if (error instanceof AnswerTooLongError) {
    return new ActionError(
      `${what} failed: the platform's answer (HTTP ${error.status}) was longer than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB and was refused unread.`,
      'The "host" input may point at something other than the platform API (a proxy or web page); check it and the platform\'s status.'
    )
  }
  if (error instanceof RefusedUrlError) {
    return new ActionError(
      `${what} failed: ${error.message}.`,
      'Check the "host" input: the platform API answered with a redirect the action will not follow.'
    )
  }
  if (!(error instanceof HttpError) || isRetryable(error)) return error
  const said = error.serverMessage ? ` The platform said: "${error.serverMessage}".` : ''
  const name = STATUS_NAMES[error.status] ? ` ${STATUS_NAMES[error.status]}` : ''
  return new ActionError(`${what} failed: HTTP ${error.status}${name} from ${host}.${said}`, fixFor(error.status))
}

/**
 * The HTTP client every platform call of a run goes through, export or import: it quotes the
 * platform's own message from an error body, and has each redirect target masked (it may be
 * signed) before it is requested.
 */
export function connectToPlatform(
  connection: { platform: URL; key: string },
  signal: AbortSignal,
  secrets: Secrets,
  debug: (line: string) => void
): PlatformHttp {
  return new PlatformHttp({
    platform: connection.platform,
    key: connection.key,
    signal,
    env: process.env,
    debug,
    errorMessage: serverMessage,
    onRedirect: url => secrets.addUrl(url)
  })
}
