/**
 * The one place that talks HTTP. API calls go through @actions/http-client, which honours
 * HTTPS_PROXY, HTTP_PROXY and NO_PROXY on self-hosted runners. Downloads take a direct connection
 * that reads into one reused buffer (direct-http.ts), unless a proxy applies to the URL: then they
 * too go through the client. Redirects are followed here rather than by the client, because the
 * client would carry our x-api-key header to any host it is sent to: the key goes only to the
 * platform's own origin.
 */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http'
import { HttpClient } from '@actions/http-client'
import { getProxyUrl } from '@actions/http-client/lib/proxy'
import { API_KEY_HEADER } from './constants.js'
import { abortable } from './cancellation.js'
import { directGet, type BodyResponse } from './direct-http.js'
import { ActionError, CancelledError } from './errors.js'
import { serverMessage } from './response-parser.js'
import { HttpError, NetworkError, parseRetryAfter } from './retry-helper.js'
import { isLoopbackHost, isSameOrigin } from './url-helper.js'

const USER_AGENT = 'koreai-tool-export-action'
const MAX_REDIRECTS = 5
/** Error bodies are read only this far: enough for a message, never a download's worth. */
const MAX_ERROR_BODY = 64 * 1024

export interface HttpOptions {
  /** The platform's base URL: the only origin that receives the key. */
  platform: URL
  key: string
  signal?: AbortSignal
  /** How long a connection may stay silent before the request counts as timed out. */
  idleTimeoutMs?: number
}

/** Which way a request goes: API calls share the client's kept-alive connections. */
type Transport = 'client' | 'download'

export class PlatformHttp {
  private readonly client: HttpClient
  private readonly idleTimeoutMs: number

  constructor(private readonly options: HttpOptions) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000
    this.client = new HttpClient(USER_AGENT, [], {
      allowRedirects: false,
      allowRetries: false,
      keepAlive: true,
      socketTimeout: this.idleTimeoutMs
    })
  }

  /** A JSON API call: the answer's body, or an HttpError for any non-2xx status. */
  async requestText(method: 'GET' | 'POST', url: URL): Promise<string> {
    const headers: OutgoingHttpHeaders = { accept: 'application/json' }
    if (method === 'POST') headers['content-type'] = 'application/json'
    const response = await this.send(method, url, headers, 'client')
    return abortable(readText(response, Infinity), this.options.signal)
  }

  /** A download: the response, body not yet read. The caller reads it or destroys it. */
  async openDownload(url: URL): Promise<BodyResponse> {
    return this.send('GET', url, { accept: '*/*' }, 'download')
  }

  /** Releases kept-alive connections so the process can end. */
  dispose(): void {
    this.client.dispose()
  }

  private async send(method: 'GET' | 'POST', start: URL, baseHeaders: OutgoingHttpHeaders, transport: Transport): Promise<BodyResponse> {
    let url = start
    let verb = method
    for (let hop = 0; ; hop++) {
      const headers = { ...baseHeaders }
      if (isSameOrigin(url, this.options.platform)) headers[API_KEY_HEADER] = this.options.key
      if (verb === 'GET') delete headers['content-type']

      const response = await this.request(verb, url, headers, transport)
      const status = response.statusCode
      const location = headerValue(response.headers.location)
      if (status >= 300 && status < 400 && location) {
        response.destroy()
        if (hop >= MAX_REDIRECTS) throw new NetworkError(`more than ${MAX_REDIRECTS} redirects`)
        const next = new URL(location, url)
        if (url.protocol === 'https:' && next.protocol !== 'https:' && !isLoopbackHost(next.hostname)) {
          throw new NetworkError('a redirect from https to plain http was refused')
        }
        if (status === 303 || ((status === 301 || status === 302) && verb === 'POST')) verb = 'GET'
        url = next
        continue
      }
      if (status < 200 || status >= 300) throw await this.httpError(response)
      return response
    }
  }

  private async request(verb: string, url: URL, headers: OutgoingHttpHeaders, transport: Transport): Promise<BodyResponse> {
    const direct = transport === 'download' && verb === 'GET' && !getProxyUrl(url)
    try {
      if (direct) {
        const plain = Object.fromEntries(Object.entries({ 'user-agent': USER_AGENT, ...headers }).map(([name, value]) => [name, String(value)]))
        return await directGet(url, { headers: plain, signal: this.options.signal, idleTimeoutMs: this.idleTimeoutMs })
      }
      const body = verb === 'POST' ? '' : null
      const response = await abortable(this.client.request(verb, url.href, body, headers), this.options.signal)
      return fromMessage(response.message)
    } catch (error) {
      if (error instanceof CancelledError || error instanceof NetworkError) throw error
      const untrusted = untrustedCertificate(error, url)
      if (untrusted) throw untrusted
      // The client's own messages can hold the request path (and so a signed query): describe
      // the fault by its code instead.
      throw new NetworkError(describeConnectionError(error))
    }
  }

  private async httpError(response: BodyResponse): Promise<HttpError> {
    const retryAfter = parseRetryAfter(headerValue(response.headers['retry-after']), Date.now())
    const text = await readText(response, MAX_ERROR_BODY).catch(() => '')
    return new HttpError(response.statusCode, serverMessage(text), retryAfter)
  }
}

/** A response of @actions/http-client, in the shape direct downloads have. */
function fromMessage(message: IncomingMessage): BodyResponse {
  return {
    statusCode: message.statusCode ?? 0,
    headers: message.headers,
    readBody: async sink => {
      for await (const chunk of message) sink(chunk as Buffer)
    },
    destroy: () => message.destroy()
  }
}

/** A header's value; the first, when it came more than once. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** A certificate the runner does not trust is not a passing fault: say so at once, with the fix. */
function untrustedCertificate(error: unknown, url: URL): ActionError | undefined {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || !/CERT|SELF_SIGNED|UNABLE_TO_(GET_ISSUER|VERIFY)|ERR_TLS_CERT_ALTNAME/.test(code)) return undefined
  return new ActionError(
    `The TLS certificate of ${url.host} could not be verified (${code}).`,
    'If the runner reaches it through a TLS-inspecting proxy or a private certificate authority, set NODE_EXTRA_CA_CERTS to that CA\'s certificate file (PEM) in the job\'s env; if the certificate has expired or names another host, check the "host" input and the server.'
  )
}

function describeConnectionError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string') return `connection error ${code}`
  if (error instanceof Error && /timeout/i.test(error.message)) return 'the connection timed out'
  return 'the connection failed'
}

/** The body as text, read no further than `limit` bytes. */
async function readText(response: BodyResponse, limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  const enough = new Error('enough')
  await response
    .readBody(chunk => {
      chunks.push(Buffer.from(chunk)) // the chunk's buffer is reused after this call
      size += chunk.length
      if (size >= limit) throw enough
    })
    .catch(error => {
      if (error !== enough) throw error
      response.destroy()
    })
  return Buffer.concat(chunks).toString('utf8').slice(0, limit)
}
