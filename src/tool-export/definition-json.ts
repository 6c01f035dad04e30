/**
 * What a definition's JSON is, in one place for the verifier, the unpack and the import, so that
 * no file is valid to one and refused by another: a JSON text that may begin with a UTF-8 byte
 * order mark (editors on Windows write one). The mark is no part of the value: it is skipped when
 * the text is read, and the repository copy is written without it. And what the tool's name is.
 * Pure.
 */
import { oneLine } from '../log-text.js'

/** The byte order mark as UTF-8 bytes, for a reader of bytes (json-syntax.ts). */
export const UTF8_BOM: readonly number[] = [0xef, 0xbb, 0xbf]
/** The byte order mark as the character it decodes to. */
const BOM = '\uFEFF'

/** A definition's text, decoded as UTF-8, without the byte order mark it may begin with. */
export function definitionText(source: string | Buffer): string {
  const text = typeof source === 'string' ? source : source.toString('utf8')
  return text.startsWith(BOM) ? text.slice(BOM.length) : text
}

/** A definition's JSON value, or undefined when the text is not JSON (JSON has no undefined). */
export function parseDefinition(source: string | Buffer): unknown {
  try {
    return JSON.parse(definitionText(source))
  } catch {
    return undefined
  }
}

/** app_definition.json is read whole for the tool's name only up to this size; a larger one gives none. */
export const TOOL_NAME_SOURCE_LIMIT = 1024 * 1024

/** The tool's name: app_definition.json's top-level "name", made safe for a log line; undefined without one. */
export function toolNameFrom(app: unknown): string | undefined {
  const name = app !== null && typeof app === 'object' && !Array.isArray(app) ? (app as Record<string, unknown>).name : undefined
  return typeof name === 'string' && name.trim() ? oneLine(name, 100) : undefined
}
