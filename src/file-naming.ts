/**
 * Names, pure: the artifact's name, the export file's name on disk, and what a server-sent
 * file name is allowed to be (never a path).
 */
import * as path from 'node:path'
import { Defaults } from './constants.js'
import { hasControlCharacters } from './log-text.js'

/** Characters the artifact service refuses in a name (it mirrors NTFS's rules). */
const ARTIFACT_FORBIDDEN = /[":<>|*?\r\n\\/]/g
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i
const MAX_NAME = 200

/** The artifact service's own rule; undefined when `name` is acceptable, else the reason. */
export function artifactNameProblem(name: string): string | undefined {
  if (!name.trim()) return 'it is empty'
  const bad = name.match(ARTIFACT_FORBIDDEN)
  if (bad) return `it contains ${JSON.stringify(bad[0])}; these are not allowed: " : < > | * ? \\ / and line breaks`
  if (name.length > MAX_NAME) return `it is longer than ${MAX_NAME} characters`
  return undefined
}

/** `koreai-tool-<toolId>`, with the characters the artifact service refuses replaced by `-`. */
export function defaultArtifactName(toolId: string): string {
  return `${Defaults.artifactPrefix}${toolId}`.replace(ARTIFACT_FORBIDDEN, '-').slice(0, MAX_NAME)
}

/**
 * The file the artifact holds. The artifact is uploaded unzipped (the export is a zip already),
 * and an unzipped artifact takes its file's name, so the file is named after the artifact.
 */
export function artifactFileName(artifactName: string): string {
  return /\.zip$/i.test(artifactName) ? artifactName : `${artifactName}.zip`
}

/**
 * The file name a `Content-Disposition` header proposes, or undefined. `filename*` (RFC 5987)
 * wins over `filename`.
 */
export function contentDispositionName(header: string | undefined): string | undefined {
  if (!header) return undefined
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header)
  if (extended) {
    try {
      return decodeURIComponent(extended[2].trim().replace(/^"|"$/g, ''))
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(header)
  if (!plain) return undefined
  return plain[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1') : plain[2].trim()
}

/**
 * A server-proposed name, accepted only if it is a plain file name: no separators, no `..`, not
 * absolute, no control characters, nothing Windows cannot create. Otherwise undefined, and the
 * caller falls back to its own name.
 */
export function safeFileName(proposed: string | undefined): string | undefined {
  if (!proposed) return undefined
  const name = proposed.trim()
  if (!name || name.length > MAX_NAME) return undefined
  if (hasControlCharacters(name) || /[\\/:]/.test(name)) return undefined
  if (name === '.' || name === '..' || name.startsWith('.')) return undefined
  if (/[<>"|?*]/.test(name) || /[. ]$/.test(name) || WINDOWS_RESERVED.test(name)) return undefined
  return name
}

/** Whether `inner` is `outer` itself or lies below it, as the platform's paths are resolved. */
export function isWithin(outer: string, inner: string): boolean {
  const relative = path.relative(outer, inner)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}
