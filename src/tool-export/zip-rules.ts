import { hasControlCharacters } from '../log-text.js'

/**
 * What a zip entry may be, pure: a name that stays inside the folder it is unpacked into, a
 * compression method we read. The verifier applies these to every download; the extractor
 * relies on them having held.
 */

/** The entries every tool export holds at its root; only the first is needed to import. */
export const FLOW_DEFINITION = 'flow_definition.json'
/** The tool's environment variables, whose values may be secrets (see env-variables.ts). */
export const ENV_VARIABLES = 'env_variables.json'
/** The tool itself (its name among it); the import API requires it beside the flow definition. */
export const APP_DEFINITION = 'app_definition.json'
export const OPTIONAL_DEFINITIONS = [APP_DEFINITION, ENV_VARIABLES] as const
export const DEFINITIONS = [FLOW_DEFINITION, ...OPTIONAL_DEFINITIONS] as const

export const STORED = 0
export const DEFLATED = 8

/** The names of the methods a zip writer may use, for a refusal that says which one arrived. */
const METHOD_NAMES: Record<number, string> = {
  1: 'Shrink',
  6: 'Implode',
  9: 'Deflate64',
  12: 'bzip2',
  14: 'LZMA',
  93: 'Zstandard',
  95: 'xz',
  96: 'JPEG',
  97: 'WavPack',
  98: 'PPMd',
  99: 'AES encryption'
}

/** Undefined for a method we decompress (stored, deflate); else why the entry cannot be read. */
export function compressionProblem(method: number): string | undefined {
  if (method === STORED || method === DEFLATED) return undefined
  const name = METHOD_NAMES[method]
  return `is compressed with ${name ? `${name} (method ${method})` : `method ${method}`}, which the action does not read (only stored and deflate)`
}

/**
 * Why an entry could land outside the folder it is unpacked into, or undefined. Names are
 * judged as both Unix and Windows would read them.
 */
export function entryNameProblem(name: string): string | undefined {
  if (hasControlCharacters(name)) return 'has control characters in its name'
  if (/^([\\/]|[A-Za-z]:)/.test(name)) return 'has an absolute path'
  if (name.split(/[\\/]/).includes('..')) return 'climbs out of the folder with ".."'
  return undefined
}
