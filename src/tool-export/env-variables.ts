/**
 * What the repository copy holds of env_variables.json, the tool's environment variables, whose
 * values may be secrets (the platform does not document whether "secure" ones are masked). Pure:
 * the caller reads and writes the file.
 *
 * `redact` keeps each variable's name and everything else beside its value, and puts a
 * placeholder in place of the value: an HMAC-SHA-256 of the name and the value, keyed with
 * `redactionKey` or else the API key. It changes when the value changes, so a pull request shows
 * that it did, but readers of the repository cannot test guesses against it without the key. It
 * changes with the key too: a placeholder is recognised by its shape alone (`isPlaceholder`), so
 * an import never needs the key that wrote it. The name is signed too, so that two variables
 * holding the same value do not show it. The import must never import a
 * placeholder as a value: `isPlaceholder` tells them apart.
 */
import { createHmac } from 'node:crypto'
import { canonicalJson } from './json-layout.js'

export const ENV_POLICIES = ['redact', 'keep', 'omit'] as const
export type EnvPolicy = (typeof ENV_POLICIES)[number]

const PLACEHOLDER_PREFIX = '<redacted:hmac-sha256:'
const PLACEHOLDER = /^<redacted:hmac-sha256:[0-9a-f]{64}>$/

/** The placeholder written in place of `value`, the value of the variable `name`. */
export function placeholder(name: string, value: unknown, key: string): string {
  const mac = createHmac('sha256', key)
    .update(`${name}\u0000${canonicalJson(value)}`)
    .digest('hex')
  return `${PLACEHOLDER_PREFIX}${mac}>`
}

/** Whether `value` is a placeholder the `redact` policy wrote, not a value. */
export function isPlaceholder(value: unknown): value is string {
  return typeof value === 'string' && PLACEHOLDER.test(value)
}

/** What every placeholder starts with, whatever its scheme; in any case, as a hand may retype it. */
const PLACEHOLDER_START = '<redacted:'

/**
 * Whether `value` is text that holds the start of a placeholder but is not a whole one: the
 * README's abridged form, a line an editor cut, a placeholder inside other text. No one meant it
 * as a value. Look-alikes without that start (`***`, `REDACTED`) are ordinary values.
 */
export function isDamagedPlaceholder(value: unknown): value is string {
  return typeof value === 'string' && value.toLowerCase().includes(PLACEHOLDER_START) && !isPlaceholder(value)
}

/**
 * What of a placeholder `value` holds, at any depth (an object value is imported whole, so a
 * placeholder inside it would be too): `damaged` when any of its strings is a damaged one, else
 * `whole` when any is a placeholder, else undefined.
 */
export function placeholderIn(value: unknown): 'whole' | 'damaged' | undefined {
  if (isDamagedPlaceholder(value)) return 'damaged'
  if (isPlaceholder(value)) return 'whole'
  let found: 'whole' | undefined
  if (value !== null && typeof value === 'object') {
    for (const member of Object.values(value)) {
      const inner = placeholderIn(member)
      if (inner === 'damaged') return inner
      found ??= inner
    }
  }
  return found
}

/**
 * `array`: `[{"key": "REGION", "value": …, …}]` (or `name` for `key`); `object`: `{"REGION": …}`;
 * `unrecognised`: anything else, where every value in the file was replaced.
 */
export type EnvShape = 'array' | 'object' | 'unrecognised'

export interface Redaction {
  /** The file's value with every variable's value replaced by its placeholder. */
  value: unknown
  shape: EnvShape
  /** How many values were replaced. */
  redacted: number
}

export function redactEnvVariables(parsed: unknown, key: string): Redaction {
  if (Array.isArray(parsed) && parsed.every(isNamedVariable)) {
    const value = parsed.map(variable => {
      const name = variableName(variable)
      return Object.fromEntries(
        Object.entries(variable).map(([field, member]) => [field, field === 'value' ? placeholder(name, member, key) : member])
      )
    })
    return { value, shape: 'array', redacted: parsed.length }
  }
  if (isPlainObject(parsed)) {
    const value = Object.fromEntries(Object.entries(parsed).map(([name, member]) => [name, placeholder(name, member, key)]))
    return { value, shape: 'object', redacted: Object.keys(parsed).length }
  }
  // A layout we do not know: no member can be trusted to hold no secret, so every value goes,
  // each named by its path in the file; the structure (keys, lengths) stays for the reviewer.
  let redacted = 0
  const redactAll = (member: unknown, path: string): unknown => {
    if (Array.isArray(member)) return member.map((element, index) => redactAll(element, `${path}[${index}]`))
    if (isPlainObject(member)) {
      return Object.fromEntries(Object.entries(member).map(([field, inner]) => [field, redactAll(inner, `${path}.${field}`)]))
    }
    redacted++
    return placeholder(path, member, key)
  }
  return { value: redactAll(parsed, '$'), shape: 'unrecognised', redacted }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** An element of the array shape: a name (`key` or `name`, a string) and a `value`. */
export function isNamedVariable(element: unknown): element is Record<string, unknown> {
  return isPlainObject(element) && Object.hasOwn(element, 'value') && (typeof element.key === 'string' || typeof element.name === 'string')
}

export function variableName(variable: Record<string, unknown>): string {
  return typeof variable.key === 'string' ? variable.key : (variable.name as string)
}

/** What was done with env_variables.json in the repository copy (when the export has one). */
export interface EnvVariablesCopy {
  policy: EnvPolicy
  /** With `redact`: the layout recognised, and how many values were replaced. */
  shape?: EnvShape
  redacted?: number
}

/** What the policy did, for the log and the summary; never a value, never a name. */
export function describeEnvPolicy(copy: EnvVariablesCopy): string {
  if (copy.policy === 'omit') return 'omit: env_variables.json left out of the repository copy'
  if (copy.policy === 'keep') return 'keep: env_variables.json written with its values'
  const count = copy.redacted ?? 0
  const unrecognised = copy.shape === 'unrecognised' ? ' (a layout not recognised: every value in the file)' : ''
  return `redact: ${count} value${count === 1 ? '' : 's'} replaced by ${count === 1 ? 'a placeholder' : 'placeholders'}${unrecognised}`
}
