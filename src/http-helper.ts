/**
 * The one place that talks HTTP. Built on @actions/http-client, which honours HTTPS_PROXY,
 * HTTP_PROXY and NO_PROXY on self-hosted runners. Redirects are followed here rather than by the
 * client, because the client would carry our x-api-key header to any host it is sent to: the
 * key goes only to the platform's own origin.
 */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http'
import { HttpClient, type HttpClientResponse } from '@actions/http-client'
import { API_KEY_HEADER } from './constants.js'
import { abortable } from './cancellation.js'
import { CancelledError } from './errors.js'
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

export class PlatformHttp {
  private readonly client: HttpClient

  constructor(private readonly options: HttpOptions) {
    this.client = new HttpClient(USER_AGENT, [], {
      allowRedirects: false,
      allowRetries: false,
      keepAlive: true,
      socketTimeout: options.idleTimeoutMs ?? 30_000
    })
  }

  /** A JSON API call: the answer's body, or an HttpError for any non-2xx status. */
  async requestText(method: 'GET' | 'POST', url: URL): Promise<string> {
    const headers: OutgoingHttpHeaders = { accept: 'application/json' }
    if (method === 'POST') headers['content-type'] = 'application/json'
    const response = await this.send(method, url, headers)
    return abortable(response.readBody(), this.options.signal)
  }

  /** A download: the open response, body not yet read. The caller consumes or destroys it. */
  async openStream(url: URL): Promise<IncomingMessage> {
    const response = await this.send('GET', url, { accept: '*/*' })
    return response.message
  }

  /** Releases kept-alive connections so the process can end. */
  dispose(): void {
    this.client.dispose()
  }

  private async send(method: 'GET' | 'POST', start: URL, baseHeaders: OutgoingHttpHeaders): Promise<HttpClientResponse> {
    let url = start
    let verb = method
    for (let hop = 0; ; hop++) {
      const headers = { ...baseHeaders }
      if (isSameOrigin(url, this.options.platform)) headers[API_KEY_HEADER] = this.options.key
      if (verb === 'GET') delete headers['content-type']

      const response = await this.request(verb, url, headers)
      const status = response.message.statusCode ?? 0
      const location = response.message.headers.location
      if (status >= 300 && status < 400 && location) {
        response.message.resume()
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

  private async request(verb: string, url: URL, headers: OutgoingHttpHeaders): Promise<HttpClientResponse> {
    const body = verb === 'POST' ? '' : null
    try {
      return await abortable(this.client.request(verb, url.href, body, headers), this.options.signal)
    } catch (error) {
      if (error instanceof CancelledError) throw error
      // The client's own messages can hold the request path (and so a signed query): describe
      // the fault by its code instead.
      throw new NetworkError(describeConnectionError(error))
    }
  }

  private async httpError(response: HttpClientResponse): Promise<HttpError> {
    const status = response.message.statusCode ?? 0
    const retryAfter = parseRetryAfter(headerValue(response.message.headers['retry-after']), Date.now())
    const text = await readLimited(response.message, MAX_ERROR_BODY).catch(() => '')
    return new HttpError(status, serverMessage(text), retryAfter)
  }
}

/** A header's value; the first, when it came more than once. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function describeConnectionError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string') return `connection error ${code}`
  if (error instanceof Error && /timeout/i.test(error.message)) return 'the connection timed out'
  return 'the connection failed'
}

async function readLimited(message: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of message) {
    const buffer = chunk as Buffer
    chunks.push(buffer)
    size += buffer.length
    if (size >= limit) {
      message.destroy()
      break
    }
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, limit)
}
