/**
 * The platform's URLs, pure: the `host` input turned into a base URL, the API's paths, the
 * download URL it answers. No I/O: everything here is unit-tested directly.
 */
import { isLoopbackHost } from '../http/urls.js'

/**
 * Turns the `host` input into the platform's base URL: https assumed when no scheme is given,
 * surrounding spaces and trailing slashes dropped (the vendor's example has both), an optional
 * path prefix kept for platforms behind a reverse proxy. Throws a plain reason on bad input;
 * the input helper names the input.
 */
export function parseHost(raw: string): URL {
  const text = raw.trim()
  if (!text) throw new Error('it is empty')
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    // Never echo a password a user put in the host.
    throw new Error(`"${text.replace(/\/\/[^/@]*@/, '//***@')}" is not a URL or host name`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`the scheme ${url.protocol.replace(':', '')} is not supported; use https`)
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new Error('plain http would send the API key in clear text; use https (http is allowed only for localhost)')
  }
  if (url.username || url.password) {
    throw new Error('it must not contain a user name or password')
  }
  if (url.search || url.hash) {
    throw new Error('it must not contain a query string or fragment')
  }
  // The API's own prefix is added to every call; a host given with it (copied from the API
  // docs) would otherwise get it twice. Any other path is a prefix of an on-premises platform.
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/api\/public$/i, '')
  return url
}

function apiUrl(base: URL, path: string): URL {
  const url = new URL(base.href)
  url.pathname = `${base.pathname.replace(/\/+$/, '')}${path}`
  return url
}

/** POST target that starts the export. Ids are opaque: each is encoded as one segment / value. */
export function exportUrl(base: URL, toolId: string, flowId: string): URL {
  const url = apiUrl(base, `/api/public/tools/${encodeURIComponent(toolId)}/export`)
  url.searchParams.set('flowId', flowId)
  return url
}

/** GET target that reports a dock job's status. */
export function dockStatusUrl(base: URL, dockStatusId: string): URL {
  return apiUrl(base, `/api/public/dock-status/${encodeURIComponent(dockStatusId)}`)
}

/** POST target of the File Upload API: the one-request upload, or `session/...` for the chunked one. */
export function filesUrl(base: URL, ...session: string[]): URL {
  const tail = session.length ? `/session/${session.map(encodeURIComponent).join('/')}` : ''
  return apiUrl(base, `/api/public/files${tail}`)
}

/** POST target of an import: as a new tool, or (with `toolId`) as a new version of that tool. */
export function importUrl(base: URL, toolId?: string): URL {
  return apiUrl(base, toolId === undefined ? '/api/public/tools/import' : `/api/public/tools/${encodeURIComponent(toolId)}/import`)
}

/** POST target that deploys a tool's in-development version, or undeploys the tool. */
export function deployUrl(base: URL, toolId: string, action: 'deploy' | 'undeploy'): URL {
  return apiUrl(base, `/api/public/tools/${encodeURIComponent(toolId)}/${action}`)
}

/**
 * Resolves the download URL the platform gave (the vendor's sample starts with a space, and a
 * relative one is taken from the platform's origin).
 */
export function resolveDownloadUrl(base: URL, raw: string): URL {
  try {
    return new URL(raw.trim(), base)
  } catch {
    throw new Error(`"${raw.trim().replace(/[?#].*$/s, '')}" is not a URL`)
  }
}
