/**
 * The one place that talks HTTP, for API calls and the download alike, through undici's
 * dispatcher API (the library Node's own fetch is built on). Proxies: HTTPS_PROXY / HTTP_PROXY and
 * NO_PROXY, chosen per request by proxyFor(). Redirects are followed here rather than by the
 * library, so that the x-api-key header goes only to the platform's own origin, on every hop.
 * Nothing here knows what the platform's answers mean, nor the action's inputs: a failure is
 * thrown as one of the typed errors of errors.ts, and the platform layer says what to do about it.
 */
import type { Readable } from 'node:stream'
import type { FormData } from 'undici'
import {
  AnswerCutShortError,
  AnswerTooLongError,
  CancelledError,
  errorCode,
  HttpError,
  HttpProtocolError,
  NetworkError,
  PlainHttpAnswerError,
  ProxyAuthRequiredError,
  ProxySettingsError,
  RefusedUrlError,
  UntrustedCertificateError
} from '../errors.js'
import { oneLine } from '../log-text.js'
import { readingThroughContinue } from './interim.js'
import { parseRetryAfter } from './retry.js'
import {
  Agent,
  Pool,
  ProxyAgent,
  buildConnector,
  errors,
  type AgentInstance,
  type Dispatcher,
  type PoolOptions,
  type ProxyAgentInstance
} from './undici.js'
import { describeProxy, isLoopbackHost, isSameOrigin, proxyFor } from './urls.js'

const MAX_REDIRECTS = 5
/** Error bodies are read only this far: enough for a message, never a download's worth. */
const MAX_ERROR_BODY = 64 * 1024
/** Start and status answers are a few hundred bytes; a longer one is refused, not held in memory. */
export const MAX_ANSWER_BYTES = 1024 * 1024
/**
 * An answer's header block is read up to this size: Node's own limit, undici's default, given
 * here rather than taken from Node's settings so that the error can name it.
 */
export const MAX_HEADER_BYTES = 16 * 1024

export interface HttpOptions {
  /** The platform's base URL: the only origin that receives the key. */
  platform: URL
  /** The header that carries the key, sent to the platform's origin alone, on every hop. */
  key: { header: string; value: string }
  /** The User-Agent header of every request. */
  userAgent: string
  signal?: AbortSignal
  /** How long a connection may stay silent (headers or body) before the request counts as timed out. */
  idleTimeoutMs?: number
  /** Where the proxy variables are read from (process.env on a runner). */
  env?: NodeJS.ProcessEnv
  /** One line per request, redirect and proxy used (core.debug on a runner). */
  debug?: (line: string) => void
  /** Extra trusted certificate authorities (PEM), besides the system's and NODE_EXTRA_CA_CERTS. */
  ca?: string
  /**
   * The server's own explanation in an error body, if it has one (the platform's answers are the
   * platform layer's to read); never the body itself.
   */
  errorMessage?: (body: string) => string | undefined
  /** Told each redirect's target before it is requested (the run masks it: it may be signed). */
  onRedirect?: (url: URL) => void
}

/** A 2xx response whose body has not been read yet. The caller reads `body` or calls destroy(). */
export interface OpenResponse {
  statusCode: number
  headers: Record<string, string | string[] | undefined>
  body: Readable
  destroy(): void
}

export class PlatformHttp {
  private readonly idleTimeoutMs: number
  private readonly direct: AgentInstance
  private readonly proxies = new Map<string, ProxyAgentInstance>()
  private readonly debug: (line: string) => void

  constructor(private readonly options: HttpOptions) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000
    this.debug = options.debug ?? (() => {})
    this.direct = new Agent({
      ...this.limits(),
      // undici's own connections, reading through a 100 Continue a server sends unasked (interim.ts).
      connect: readingThroughContinue(
        buildConnector({ timeout: this.idleTimeoutMs, ...(options.ca ? { ca: options.ca } : {}) }),
        MAX_HEADER_BYTES
      )
    })
  }

  /**
   * A JSON API call: the answer's body (at most `limit` bytes), or an HttpError for any non-2xx
   * status. A POST sends `body` as JSON (none when undefined).
   */
  async requestText(method: 'GET' | 'POST', url: URL, limit = MAX_ANSWER_BYTES, body?: unknown): Promise<string> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (method === 'POST') headers['content-type'] = 'application/json'
    const text = method === 'POST' && body !== undefined ? JSON.stringify(body) : ''
    const response = await this.send(method, url, headers, this.options.signal, () => text)
    return readText(response, limit, true)
  }

  /**
   * A multipart/form-data POST, encoded by the library (boundary, headers, file parts streamed
   * from their Blobs). `form` is called once per hop: a body is read as it is sent.
   */
  async postForm(url: URL, form: () => FormData, limit = MAX_ANSWER_BYTES): Promise<string> {
    const response = await this.send('POST', url, { accept: 'application/json' }, this.options.signal, form)
    return readText(response, limit, true)
  }

  /** A download: the 2xx response, body not yet read. `signal` may stop it sooner than the run's. */
  async openDownload(url: URL, signal?: AbortSignal): Promise<OpenResponse> {
    // Any content coding is accepted and decoded by the caller: servers that compress ignore
    // `identity` anyway, and saying so is honest.
    return this.send('GET', url, { accept: '*/*', 'accept-encoding': 'gzip, deflate, br' }, signal ?? this.options.signal)
  }

  /** Releases kept-alive connections so the process can end. */
  dispose(): void {
    void this.direct.destroy().catch(() => {})
    for (const agent of this.proxies.values()) void agent.destroy().catch(() => {})
  }

  private limits() {
    return {
      headersTimeout: this.idleTimeoutMs,
      bodyTimeout: this.idleTimeoutMs,
      connectTimeout: this.idleTimeoutMs,
      maxHeaderSize: MAX_HEADER_BYTES
    }
  }

  private async send(
    method: 'GET' | 'POST',
    start: URL,
    baseHeaders: Record<string, string>,
    signal: AbortSignal | undefined,
    body: () => string | FormData = () => ''
  ): Promise<OpenResponse> {
    checkScheme(start, 'the URL')
    // A signed download URL in clear text is as good as a key: https promised, https kept.
    if (this.options.platform.protocol === 'https:' && start.protocol === 'http:' && !isLoopbackHost(start.hostname)) {
      throw new RefusedUrlError(
        `a plain http URL on ${start.host} was refused: the platform is on https, and the URL would travel in clear text`
      )
    }
    let url = start
    let verb = method
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'user-agent': this.options.userAgent, ...baseHeaders }
      if (isSameOrigin(url, this.options.platform)) headers[this.options.key.header] = this.options.key.value
      if (verb === 'GET') delete headers['content-type']

      const response = await this.request(verb, url, headers, signal, verb === 'POST' ? body() : undefined)
      const status = response.statusCode
      const location = headerValue(response.headers.location)
      if (status >= 300 && status < 400 && location) {
        response.destroy()
        if (hop >= MAX_REDIRECTS) throw new NetworkError(`more than ${MAX_REDIRECTS} redirects`)
        let next: URL
        try {
          next = new URL(location, url)
        } catch {
          throw new RefusedUrlError(`a redirect from ${url.origin} to a location that is not a URL was refused`)
        }
        // A redirect target may be signed: masked before it is requested, or could be printed.
        this.options.onRedirect?.(next)
        checkScheme(next, 'a redirect')
        if (url.protocol === 'https:' && next.protocol !== 'https:' && !isLoopbackHost(next.hostname)) {
          throw new RefusedUrlError('a redirect from https to plain http was refused')
        }
        this.debug(
          `redirect ${status}: ${url.origin} -> ${next.origin}${isSameOrigin(next, this.options.platform) ? '' : ' (no key sent there)'}`
        )
        if (status === 303 || ((status === 301 || status === 302) && verb === 'POST')) verb = 'GET'
        url = next
        continue
      }
      if (status < 200 || status >= 300) throw await httpError(response, this.options.errorMessage)
      return response
    }
  }

  /** The dispatcher for `url`: direct, or through the proxy the environment names (`proxy`, as the log names it). */
  private dispatcherFor(url: URL): { dispatcher: Dispatcher; proxy?: string } {
    let proxy: URL | undefined
    try {
      proxy = proxyFor(url, this.options.env ?? {})
    } catch (error) {
      throw new ProxySettingsError((error as Error).message)
    }
    if (!proxy) return { dispatcher: this.direct }
    let agent = this.proxies.get(proxy.href)
    if (!agent) {
      agent = new ProxyAgent({
        uri: proxy.href,
        ...this.limits(),
        // Every connection of the proxy agent is made by this factory: the tunnels to the targets,
        // and for plain http a pool of the proxy's own, which would otherwise not get the idle
        // timeouts and the header limit. Their connect functions are the agent's own.
        factory: (origin, options: PoolOptions) =>
          new Pool(origin, {
            ...options,
            ...this.limits(),
            ...(typeof options.connect === 'function' ? { connect: readingThroughContinue(options.connect, MAX_HEADER_BYTES) } : {})
          }),
        requestTls: this.options.ca ? { ca: this.options.ca } : undefined,
        proxyTls: this.options.ca ? { ca: this.options.ca } : undefined
      })
      this.proxies.set(proxy.href, agent)
    }
    return { dispatcher: agent, proxy: describeProxy(proxy) }
  }

  private async request(
    verb: string,
    url: URL,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    requestBody: string | FormData | undefined
  ): Promise<OpenResponse> {
    const { dispatcher, proxy } = this.dispatcherFor(url)
    const via = proxy ? ` via proxy ${proxy}` : ''
    const startedAt = Date.now()
    const shown = `${verb} ${url.origin}${url.pathname}${url.search ? '?***' : ''}`
    try {
      const response = await dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: verb,
        headers,
        body: requestBody,
        signal
      })
      this.debug(`${shown} -> ${response.statusCode} in ${Date.now() - startedAt} ms${via}`)
      const body = response.body as unknown as Readable
      // A body stopped by us is not an error worth an unhandled event.
      body.on('error', () => {})
      return { statusCode: response.statusCode, headers: response.headers, body, destroy: () => body.destroy() }
    } catch (error) {
      this.debug(`${shown} -> failed after ${Date.now() - startedAt} ms${via}`)
      if (signal?.aborted) throw signal.reason
      throw describeRequestError(error, url, proxy)
    }
  }
}

/** Only http and https are fetched: a data:, file: or ftp: URL would go somewhere we never meant. */
function checkScheme(url: URL, what: string): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RefusedUrlError(`${what} uses the scheme ${url.protocol.replace(/:$/, '')}, and only http and https are fetched`)
  }
}

async function httpError(response: OpenResponse, errorMessage?: (body: string) => string | undefined): Promise<HttpError> {
  const retryAfterText = headerValue(response.headers['retry-after'])
  const retryAfter = parseRetryAfter(retryAfterText, Date.now())
  const text = await readText(response, MAX_ERROR_BODY, false).catch(() => '')
  return new HttpError(response.statusCode, errorMessage?.(text), retryAfter, retryAfterText?.trim())
}

/** A header's value; the first, when it came more than once. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/**
 * The body as text. With `strict`, a body longer than `limit` is refused and one cut short is an
 * AnswerCutShortError; otherwise (an error body, only for its message) it is cut at `limit`.
 */
async function readText(response: OpenResponse, limit: number, strict: boolean): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of response.body) {
      const piece = chunk as Buffer
      size += piece.length
      if (size > limit) {
        response.destroy()
        if (strict) throw new AnswerTooLongError(response.statusCode, limit)
        chunks.push(piece.subarray(0, piece.length - (size - limit)))
        break
      }
      chunks.push(piece)
    }
  } catch (error) {
    if (error instanceof AnswerTooLongError) throw error
    response.destroy()
    const broken = brokenAnswer(error, true)
    if (broken) throw broken
    throw new AnswerCutShortError(
      response.statusCode,
      `the answer (HTTP ${response.statusCode}) was cut short after ${size} bytes (${bodyFault(error)})`
    )
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Why a body stopped coming, in a person's words, from the error's code. */
export function bodyFault(error: unknown): string {
  const code = errorCode(error)
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET') return 'connection reset'
  if (code === 'UND_ERR_BODY_TIMEOUT') return 'no data within the idle timeout'
  if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return 'shorter than its Content-Length'
  if (code === 'ERR_STREAM_PREMATURE_CLOSE') return 'connection closed'
  return code ?? 'connection closed'
}

/**
 * An answer that breaks HTTP itself, from the library's error; undefined for any other failure.
 * `headersRead`: the failure came while the body was read.
 */
export function brokenAnswer(error: unknown, headersRead: boolean): HttpProtocolError | undefined {
  const code = errorCode(error)
  if (code === 'UND_ERR_HEADERS_OVERFLOW') return new HttpProtocolError(`its headers exceed ${MAX_HEADER_BYTES / 1024} KiB`)
  // Until the headers are through, undici reports a parse error that follows a Content-Length
  // header as a length mismatch, not by the parser's reason (client-h1.js, createError); the
  // parser refuses a Content-Length given twice, or beside Transfer-Encoding.
  if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' && !headersRead) {
    return new HttpProtocolError('its Content-Length is given twice, or beside Transfer-Encoding')
  }
  // The parser's errors carry no code (undici looks its name up the wrong way round), only the
  // parser's reason in the message: "Response does not match the HTTP/1.1 protocol (<reason>)".
  if (error instanceof errors.HTTPParserError) {
    const reason = oneLine(/\((.+)\)$/.exec(error.message)?.[1] ?? '', 80)
    if (!reason || /^Expected HTTP\//.test(reason)) return new HttpProtocolError('it does not start with an HTTP status line')
    return new HttpProtocolError(`it breaks HTTP/1.1 (${reason})`)
  }
  return undefined
}

/**
 * A library error as one of ours, by its code: the library's own messages can hold the request's
 * path (and so a signed query), ours never do. `proxy`: the proxy the request went through.
 */
function describeRequestError(error: unknown, url: URL, proxy: string | undefined): Error {
  if (error instanceof CancelledError || error instanceof NetworkError) return error
  const code = errorCode(error)
  const message = error instanceof Error ? error.message : ''
  // A certificate the runner does not trust is not a passing fault.
  if (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_(GET_ISSUER|VERIFY)|ERR_TLS_CERT_ALTNAME/.test(code)) {
    return new UntrustedCertificateError(url.host, code)
  }
  // An https request answered in plain http: TLS reads the answer as a record of another version.
  if (url.protocol === 'https:' && (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(message))) {
    return new PlainHttpAnswerError(url.host, code ?? 'wrong version number')
  }
  const proxyStatus = /Proxy response \((\d+)\)|Proxy Authentication Required \((\d+)\)/.exec(message)
  if (proxyStatus) {
    const status = Number(proxyStatus[1] ?? proxyStatus[2])
    if (status === 407) return new ProxyAuthRequiredError(proxy ?? 'in use')
    return new NetworkError(`the proxy answered HTTP ${status} instead of connecting`, true)
  }
  const broken = brokenAnswer(error, false)
  if (broken) return broken
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new NetworkError('the connection timed out', true)
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return new NetworkError('the connection timed out')
    case 'UND_ERR_SOCKET':
      // The server closed the connection before answering: what Node's own client calls ECONNRESET.
      return new NetworkError('connection error ECONNRESET')
    default:
      // No connection was made for these: the request never left the runner.
      return new NetworkError(
        typeof code === 'string' && /^E[A-Z_]+$/.test(code) ? `connection error ${code}` : 'the connection failed',
        typeof code === 'string' && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL)$/.test(code)
      )
  }
}
