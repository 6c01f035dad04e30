/**
 * How a run talks to the platform, for every entry alike: the one HTTP client of a run, and what
 * a failed platform call tells a person. The advice lives here, in one table, so that the HTTP
 * layer stays ignorant of the action's inputs and each client names only what is its own: the
 * call, the key's scope it needs, and what a 404 means for it.
 */
import { API_KEY_HEADER, USER_AGENT_PRODUCT } from '../constants.js'
import {
  ActionError,
  AnswerTooLongError,
  HttpError,
  HttpProtocolError,
  PlainHttpAnswerError,
  ProxyAuthRequiredError,
  ProxySettingsError,
  RefusedUrlError,
  RetriesExhaustedError,
  UntrustedCertificateError
} from '../errors.js'
import { MAX_ANSWER_BYTES, PlatformHttp } from '../http/client.js'
import { describeFailure, isRetryable } from '../http/retry.js'
import type { RunContext } from '../lifecycle/run.js'
import { quoteServer, serverText } from './answers.js'

/** What one kind of platform call is, for the words of its failure. */
export interface PlatformCall {
  /** What was being done, as a sentence starts: "Starting the export". */
  what: string
  /** The API scope the key needs for it, as the platform's UI names it: "Export Tool". */
  scope: string
  /** What a 404 means for this call: what to check. */
  notFound: string
  /** Said after the scope advice on a 403 (a precondition of the call). */
  forbiddenAlso?: string
  /** Any other refusal (400, 409, 422…): what to check. */
  refused: string
}

/** The fix for every failure that says the platform could not be reached. */
export const UNREACHABLE_FIX =
  'Check that the platform is reachable from the runner (the "host" input, proxy settings, the platform\'s status), then run the workflow again.'

/**
 * The fix when the platform's answers break HTTP itself: the server's doing (or a proxy's in
 * front of it), which no network setting of the runner changes.
 */
export const BROKEN_ANSWER_FIX =
  'It is the server that answers so (or a proxy in front of it), not the network between: check that "host" is the platform\'s API and not another service on that address, and report it to the platform\'s operators with this log.'

/** What to do after a call failed for good, its last fault being `error`. */
export function fixAfter(error: unknown): string {
  return error instanceof HttpProtocolError ? BROKEN_ANSWER_FIX : UNREACHABLE_FIX
}

/**
 * A fault of the connection itself, whichever request met it (a platform call or the download
 * alike), as the one error that names its cause and fix; anything else comes back unchanged.
 */
export function explainConnectionFault(error: unknown): unknown {
  if (error instanceof UntrustedCertificateError) {
    return new ActionError(
      `The TLS certificate of ${error.host} could not be verified (${error.code}).`,
      'If the runner reaches it through a TLS-inspecting proxy or a private certificate authority, set NODE_EXTRA_CA_CERTS to that CA\'s certificate file (PEM) in the job\'s env; if the certificate has expired or names another host, check the "host" input and the server.'
    )
  }
  if (error instanceof PlainHttpAnswerError) {
    return new ActionError(
      `${error.host} answered in plain http, not https (the TLS handshake failed: ${error.code}).`,
      'A "host" without a scheme means https. If the server speaks only plain http (allowed for localhost alone, since the key would travel in clear), write the scheme: http://...; otherwise check the port.'
    )
  }
  if (error instanceof ProxyAuthRequiredError) {
    return new ActionError(
      `The proxy ${error.proxy} answered HTTP 407: the proxy asks for credentials.`,
      'Give them in the proxy URL (HTTPS_PROXY=http://user:password@proxy:port, password percent-encoded), or check the ones given there.'
    )
  }
  if (error instanceof ProxySettingsError) {
    return new ActionError(
      `The proxy settings are not usable: ${error.message}.`,
      "Set HTTPS_PROXY / HTTP_PROXY to a URL such as http://proxy.internal:3128 in the job's env."
    )
  }
  return error
}

/** Whether `error` is a fault of the connection itself (see explainConnectionFault). */
export function isConnectionFault(error: unknown): boolean {
  return explainConnectionFault(error) !== error
}

const STATUS_NAMES: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 413: 'Payload Too Large' }

/** The advice for a refused call, by HTTP status. */
function adviceFor(status: number, call: PlatformCall): string {
  switch (status) {
    case 401:
      return `The API key (input "key") is wrong, revoked or expired: create a new key for the API app, with the "${call.scope}" scope, and update the secret.`
    case 403:
      return `The API key lacks the "${call.scope}" scope, or its user may not do this (Viewer permission): add the scope under Settings > Security & Control > API Scopes.${call.forbiddenAlso ? ` ${call.forbiddenAlso}` : ''}`
    case 404:
      return call.notFound
    case 413:
      return "A proxy or the platform refused the size of the request; report it with this log to the action's maintainers."
    default:
      return call.refused
  }
}

/**
 * What a failed platform call tells a person: a fault of the connection, an answer refused
 * unread, a redirect not followed, or a client error with the advice of the table above. Passing
 * faults (and anything else) come back unchanged, to be retried or reported.
 */
export function explainCallFailure(error: unknown, call: PlatformCall, host: string): unknown {
  if (isConnectionFault(error)) return explainConnectionFault(error)
  if (error instanceof AnswerTooLongError) {
    return new ActionError(
      `${call.what} failed: the platform's answer (HTTP ${error.status}) was longer than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB and was refused unread.`,
      'The "host" input may point at something other than the platform API (a proxy or web page); check it and the platform\'s status.'
    )
  }
  if (error instanceof RefusedUrlError) {
    return new ActionError(
      `${call.what} failed: ${error.message}.`,
      'Check the "host" input: the platform API answered with a redirect the action will not follow.'
    )
  }
  if (!(error instanceof HttpError) || isRetryable(error)) return error
  const said = error.serverMessage ? ` The platform said: "${error.serverMessage}".` : ''
  const name = STATUS_NAMES[error.status] ? ` ${STATUS_NAMES[error.status]}` : ''
  return new ActionError(`${call.what} failed: HTTP ${error.status}${name} from ${host}.${said}`, adviceFor(error.status, call))
}

/** A call retried until no attempt was left: say so with the last fault; `tail` is added to what happened. */
export function gaveUpRetrying(error: unknown, what: string, host: string, tail = ''): unknown {
  if (!(error instanceof RetriesExhaustedError)) return error
  return new ActionError(
    `${what} failed ${error.attempts} times; the last error: ${describeFailure(error.lastError)} (${host}).${tail}`,
    fixAfter(error.lastError)
  )
}

/**
 * The HTTP client every platform call of a run goes through, whatever the entry: it quotes the
 * platform's own message from an error body (the run's secrets redacted from it first), and has
 * each redirect target masked (it may be signed) before it is requested.
 */
export function connectToPlatform(
  { settings, signal, secrets, io }: Pick<RunContext<{ platform: URL; key: string }>, 'settings' | 'signal' | 'secrets' | 'io'>,
  /** Which entry point the run is, for the User-Agent the platform's logs show. */
  entry: 'export' | 'import' | 'deploy'
): PlatformHttp {
  return new PlatformHttp({
    platform: settings.platform,
    key: { header: API_KEY_HEADER, value: settings.key },
    userAgent: `${USER_AGENT_PRODUCT} (${entry})`,
    signal,
    env: io.env,
    debug: line => io.log.debug(line),
    errorMessage: body => {
      const said = serverText(body)
      return said === undefined ? undefined : quoteServer(said, text => secrets.redact(text))
    },
    onRedirect: url => secrets.addUrl(url)
  })
}
