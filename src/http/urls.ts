/**
 * Pure rules about URLs that the HTTP layer applies to every request: which hosts are loopback,
 * which origin receives the key, which proxy a request goes through, what a log line may show.
 */

/** Host names for which plain http is allowed: the key never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const name = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return name === 'localhost' || name.endsWith('.localhost') || name === '::1' || /^127(?:\.\d{1,3}){3}$/.test(name)
}

/** The key goes only to the platform's own origin: same scheme, host and port. */
export function isSameOrigin(a: URL, b: URL): boolean {
  return a.origin === b.origin
}

/** What a log line may show of a URL: origin and path, never the query (it may carry a signature). */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`
}

/**
 * The proxy a request to `url` goes through, from the runner's variables, or undefined for a
 * direct connection. The rules the runner documents (and @actions/http-client applies):
 * HTTPS_PROXY for https, HTTP_PROXY for http (lower case first); NO_PROXY entries, separated by
 * commas, are a host (its subdomains too), `.domain`, `host:port`, or `*` for every host.
 * Loopback hosts are always reached directly. Decided here, not inside the HTTP library, so that
 * the debug log can say which proxy carried each request.
 */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): URL | undefined {
  const hostname = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  if (isLoopbackHost(hostname)) return undefined
  const raw = url.protocol === 'https:' ? env.https_proxy || env.HTTPS_PROXY : env.http_proxy || env.HTTP_PROXY
  if (!raw?.trim()) return undefined
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  const hosts = [hostname, `${hostname}:${port}`]
  const bypass = (env.no_proxy || env.NO_PROXY || '')
    .split(',')
    .map(entry =>
      entry
        .trim()
        .toLowerCase()
        .replace(/^\[([^\]]+)\]/, '$1')
    )
    .filter(Boolean)
  for (const entry of bypass) {
    if (entry === '*') return undefined
    const suffix = entry.startsWith('.') ? entry : `.${entry}`
    if (hosts.some(host => host === entry || host.endsWith(suffix))) return undefined
  }
  const text = raw.trim()
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`)
  } catch {
    throw new Error(`the proxy variable for ${url.protocol.replace(':', '')} is not a URL`)
  }
}

/** A proxy as a log line may show it: host and port, never a user name or password. */
export function describeProxy(proxy: URL): string {
  return `${proxy.hostname}:${proxy.port || (proxy.protocol === 'https:' ? '443' : '80')}`
}
