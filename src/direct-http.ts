/**
 * A plain HTTP/1.1 GET over a direct connection, for the download. Node's http client hands each
 * 64 KiB it reads to JavaScript in a buffer of its own; on a 512 MiB export that churn made the
 * download twice as slow as `curl -o` (`npm run bench`). Here the socket reads into one buffer,
 * used again and again (the `onread` option of net and tls), and each piece of the body is
 * hashed and written before the next read.
 *
 * Only direct connections come here: through a proxy, http-helper.ts downloads with
 * @actions/http-client, which speaks to proxies. Redirects, the key and errors are the caller's.
 */
import * as net from 'node:net'
import * as tls from 'node:tls'
import { ResponseReader, type ResponseHead } from './response-reader.js'
import { NetworkError } from './retry-helper.js'

/** Large enough that a fast connection fills it in few reads, small enough to stay in cache. */
const READ_BUFFER_BYTES = 256 * 1024

/** Takes each piece of a body in turn. The buffer is reused once it returns: copy what you keep. */
export type BodySink = (chunk: Buffer) => void

export interface BodyResponse extends ResponseHead {
  /** Feeds the whole body to `sink`; resolves when it has all arrived, rejects when it is cut short. */
  readBody(sink: BodySink): Promise<void>
  /** Closes the connection without reading on. */
  destroy(): void
}

export interface DirectOptions {
  headers: Record<string, string>
  signal?: AbortSignal
  idleTimeoutMs: number
}

/** Sends the GET; resolves with the response once its head has arrived. */
export function directGet(url: URL, options: DirectOptions): Promise<BodyResponse> {
  for (const [name, value] of Object.entries(options.headers)) {
    if (/[\r\n]/.test(name + value)) return Promise.reject(new TypeError(`the header ${name} holds a line break`))
  }
  return new Promise<BodyResponse>((resolveHead, rejectHead) => {
    let sink: BodySink | undefined
    let held: Buffer[] = []
    let body: { resolve: () => void; reject: (error: unknown) => void } | undefined
    let headArrived = false
    let failure: unknown
    let finished = false

    const reader = new ResponseReader({
      onHead: head => {
        headArrived = true
        // No body is read until the caller asks for it.
        socket.pause()
        resolveHead({
          ...head,
          readBody: next => {
            if (failure !== undefined) return Promise.reject(failure)
            return new Promise<void>((resolve, reject) => {
              body = { resolve, reject }
              sink = next
              try {
                for (const chunk of held) next(chunk)
                held = []
                if (reader.done) finish()
                else socket.resume()
              } catch (error) {
                fail(error)
              }
            })
          },
          destroy: () => {
            if (!finished && failure === undefined) fail(new NetworkError('the download was stopped'))
          }
        })
      },
      onBody: chunk => {
        if (sink) sink(chunk)
        else held.push(Buffer.from(chunk)) // what came with the head, before anyone asked
      }
    })

    const finish = (): void => {
      if (finished || failure !== undefined) return
      finished = true
      cleanUp()
      socket.destroy()
      body?.resolve()
    }
    const fail = (error: unknown): void => {
      if (finished || failure !== undefined) return
      failure = error
      cleanUp()
      socket.destroy()
      if (headArrived) body?.reject(error)
      else rejectHead(error)
    }
    const onAbort = (): void => fail(options.signal?.reason)
    const cleanUp = (): void => options.signal?.removeEventListener('abort', onAbort)

    const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES)
    const onread: net.OnReadOpts = {
      buffer,
      callback: bytes => {
        try {
          reader.push(buffer.subarray(0, bytes))
          if (reader.done && sink) finish()
        } catch (error) {
          fail(error)
        }
        return true
      }
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
    const secure = url.protocol === 'https:'
    const port = Number(url.port) || (secure ? 443 : 80)
    const socket: net.Socket = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'], onread } as tls.ConnectionOptions)
      : net.connect({ host, port, onread })

    socket.once(secure ? 'secureConnect' : 'connect', () => {
      const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'Connection: close']
      for (const [name, value] of Object.entries(options.headers)) lines.push(`${name}: ${value}`)
      socket.write(`${lines.join('\r\n')}\r\n\r\n`)
    })
    socket.setTimeout(options.idleTimeoutMs, () => fail(new NetworkError('the connection timed out')))
    socket.on('error', fail)
    socket.on('end', () => {
      try {
        reader.end()
        if (sink) finish()
      } catch (error) {
        fail(error)
      }
    })
    // A complete response waits for readBody; anything else that closes has failed.
    socket.on('close', () => {
      if (!reader.done) fail(new NetworkError('the connection closed'))
    })
    if (options.signal?.aborted) onAbort()
    else options.signal?.addEventListener('abort', onAbort, { once: true })
  })
}
