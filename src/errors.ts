/**
 * Every error type of the action, in one place. An ActionError is a failure a person can act on:
 * what went wrong, and what to do about it; main.ts turns exactly one into the step's single
 * `::error::`. The others say what happened where it happened, and are turned into an
 * ActionError (or retried) by the layer that knows what it means.
 */

/** A failure a person can act on: what went wrong, and what to do about it. */
export class ActionError extends Error {
  constructor(
    message: string,
    readonly fix: string
  ) {
    super(message)
    this.name = 'ActionError'
  }

  /** The one line the step fails with. */
  toString(): string {
    return this.fix ? `${this.message} ${this.fix}` : this.message
  }
}

/** Raised when the workflow is cancelled (SIGINT/SIGTERM from the runner). */
export class CancelledError extends Error {
  constructor(readonly signal: string) {
    super(`cancelled by ${signal}`)
    this.name = 'CancelledError'
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** A system or library error's code (`ENOSPC`, `UND_ERR_SOCKET`, `Z_DATA_ERROR`), when it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code
  return typeof code === 'string' ? code : undefined
}

// The HTTP layer's errors.

/** A non-2xx answer. `serverMessage` is the server's own explanation, never the raw body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly serverMessage?: string,
    readonly retryAfterMs?: number,
    /** The Retry-After header as sent, to quote it. */
    readonly retryAfterText?: string
  ) {
    super(`HTTP ${status}${serverMessage ? `: ${serverMessage}` : ''}`)
    this.name = 'HttpError'
  }
}

/**
 * A connection that failed, was reset, timed out or ended early. The message never holds a URL.
 * `unsent`: the request surely never reached the server (no connection could be made).
 */
export class NetworkError extends Error {
  constructor(
    reason: string,
    readonly unsent = false
  ) {
    super(reason)
    this.name = 'NetworkError'
  }
}

/** A 2xx answer whose body broke off: the server had already acted on the request. */
export class AnswerCutShortError extends NetworkError {
  constructor(
    readonly status: number,
    reason: string
  ) {
    super(reason)
    this.name = 'AnswerCutShortError'
  }
}

/** A 2xx answer longer than the caller's limit: refused by name, never read to its end. */
export class AnswerTooLongError extends Error {
  constructor(
    readonly status: number,
    readonly limit: number
  ) {
    super(`the answer was longer than ${limit} bytes`)
    this.name = 'AnswerTooLongError'
  }
}

/**
 * An answer that breaks HTTP itself (headers without end, a length given twice, no status line):
 * the server's doing, or a proxy's in front of it, never the network's. `reason` says what is
 * wrong with it, as a phrase ("its headers exceed 16 KiB").
 */
export class HttpProtocolError extends Error {
  constructor(readonly reason: string) {
    super(`the server's answer was malformed: ${reason}`)
    this.name = 'HttpProtocolError'
  }
}

/** The server's TLS certificate is not one this runner trusts. `code`: the TLS library's. Not retried. */
export class UntrustedCertificateError extends Error {
  constructor(
    readonly host: string,
    readonly code: string
  ) {
    super(`the TLS certificate of ${host} could not be verified (${code})`)
    this.name = 'UntrustedCertificateError'
  }
}

/** An https request answered in plain http: TLS read the answer as a record of another version. Not retried. */
export class PlainHttpAnswerError extends Error {
  constructor(
    readonly host: string,
    readonly code: string
  ) {
    super(`${host} answered in plain http, not https (${code})`)
    this.name = 'PlainHttpAnswerError'
  }
}

/** The proxy asked for credentials (HTTP 407). `proxy`: the proxy as the log names it, never with credentials. */
export class ProxyAuthRequiredError extends Error {
  constructor(readonly proxy: string) {
    super(`the proxy ${proxy} answered HTTP 407`)
    this.name = 'ProxyAuthRequiredError'
  }
}

/** The proxy variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) cannot be used as they are set. */
export class ProxySettingsError extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'ProxySettingsError'
  }
}

/** A URL the action will not fetch: another scheme, or plain http where https was promised. Not retried. */
export class RefusedUrlError extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'RefusedUrlError'
  }
}

/** Every attempt failed with a passing fault: how many there were, and the last fault. */
export class RetriesExhaustedError extends Error {
  constructor(
    readonly attempts: number,
    readonly lastError: unknown
  ) {
    super(`${attempts} attempts failed; the last: ${errorMessage(lastError)}`)
    this.name = 'RetriesExhaustedError'
  }
}

// The platform's answers.

/** The answer could not be read as a platform answer; worth asking again (except a start's). */
export class MalformedAnswerError extends Error {
  constructor(what: string) {
    super(what)
    this.name = 'MalformedAnswerError'
  }
}

// The download's verification.

/** How far a download is from being an export. */
export type Refusal = 'not a zip' | 'damaged zip' | 'not a tool export'

/** The file is not an export; `arrived` says what it is instead, as a phrase ("an empty body"). */
export class NotAnExportError extends Error {
  constructor(
    readonly arrived: string,
    readonly refusal: Refusal
  ) {
    super(arrived)
    this.name = 'NotAnExportError'
  }
}

/** Why a text is not JSON, and where: the offset of the first byte that does not fit. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number
  ) {
    super(`${reason} at byte ${offset}`)
    this.name = 'JsonSyntaxError'
  }
}
