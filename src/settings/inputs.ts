/**
 * The rules every entry point reads its inputs by: host and key, whole numbers of seconds, the one
 * timeout rule, booleans; each bad input named in one error before any request. Reading is
 * injected (`getInput`, `env`, `setSecret`) so the rules test without module mocks.
 */
import { Defaults, Inputs } from '../constants.js'
import { ActionError, errorMessage } from '../errors.js'
import { hasControlCharacters } from '../log-text.js'
import type { InputSource } from '../lifecycle/run.js'
import { parseHost } from '../platform/urls.js'

export type { InputSource }

/** A GitHub-hosted job runs at most six hours. */
export const MAX_TIMEOUT_SECONDS = 6 * 60 * 60

/**
 * Reads one input with `read`; a reason it throws is noted in `problems`, named by the input, so
 * that every bad input is reported in one error.
 */
export function inputChecker(problems: string[]): <T>(name: string, read: () => T) => T | undefined {
  return <T>(name: string, read: () => T): T | undefined => {
    try {
      return read()
    } catch (error) {
      problems.push(`input "${name}" ${errorMessage(error)}`)
      return undefined
    }
  }
}

/** The one error for every bad input of a step, or nothing when there is none. */
export function refuseInputs(problems: string[], fix: string): void {
  if (problems.length > 0) throw new ActionError(`Invalid input: ${problems.join('; ')}.`, fix)
}

/**
 * `host` and `key`, as every entry point reads them: the key masked before anything else can
 * print it, even if the rest of the input is bad. Problems are added to `problems`.
 */
export function readConnection(
  { getInput, setSecret }: Pick<InputSource, 'getInput' | 'setSecret'>,
  problems: string[]
): { platform?: URL; key: string } {
  const key = getInput(Inputs.Key).trim()
  if (key) setSecret(key)
  let platform: URL | undefined
  const raw = getInput(Inputs.Host).trim()
  if (!raw) problems.push(`input "${Inputs.Host}" is required and was not given`)
  else {
    try {
      platform = parseHost(raw)
    } catch (error) {
      problems.push(`input "${Inputs.Host}" is not usable: ${(error as Error).message}`)
    }
  }
  if (!key) problems.push(`input "${Inputs.Key}" is required and was not given (pass it from a secret)`)
  // A secret pasted with a second line, or from a web page with an invisible character in it,
  // cannot go into a header: say so now, not after retries.
  else if (hasControlCharacters(key))
    problems.push(`input "${Inputs.Key}" holds a line break or another control character (check the secret holds the key alone)`)
  else {
    const odd = keyCharacterProblem(key)
    if (odd) problems.push(`input "${Inputs.Key}" ${odd} (paste the key again into the secret, as plain text)`)
  }
  return { platform, key }
}

/** `timeoutSeconds`, as every entry reads it: at least a second, at most a job's own limit. */
export function timeoutSeconds(raw: string): number {
  const value = positiveNumber(raw, Defaults.timeoutSeconds)
  // At least one status check a second after the start; at most a job's own limit.
  if (value < 1 || value > MAX_TIMEOUT_SECONDS) {
    throw new Error(`must be from 1 to ${MAX_TIMEOUT_SECONDS} seconds (6 hours, a job's own limit); got "${raw}"`)
  }
  return value
}

/** Names the first character of a key that is not printable ASCII, with its position; undefined when none. */
export function keyCharacterProblem(key: string): string | undefined {
  const at = [...key].findIndex(c => c < '!' || c > '~')
  if (at < 0) return undefined
  const c = [...key][at]
  const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
  const name = INVISIBLE_NAMES[c] ? ` (${INVISIBLE_NAMES[c]})` : ''
  return `holds the character ${code}${name} at position ${at + 1}; API keys are printable ASCII`
}

const INVISIBLE_NAMES: Record<string, string> = {
  '\u00a0': 'NO-BREAK SPACE',
  '\u200b': 'ZERO WIDTH SPACE',
  '\u200c': 'ZERO WIDTH NON-JOINER',
  '\u200d': 'ZERO WIDTH JOINER',
  '\u2060': 'WORD JOINER',
  '\ufeff': 'ZERO WIDTH NO-BREAK SPACE',
  ' ': 'SPACE'
}

export function positiveNumber(raw: string, fallback: number): number {
  if (!raw) return fallback
  const value = Number(raw)
  if (!/^\d*\.?\d+$/.test(raw) || !Number.isFinite(value) || value <= 0) {
    throw new Error(`must be a positive number of seconds; got "${raw}"`)
  }
  return value
}

export function boolean(raw: string, fallback: boolean): boolean {
  if (!raw) return fallback
  if (/^true$/i.test(raw)) return true
  if (/^false$/i.test(raw)) return false
  throw new Error(`must be true or false; got "${raw}"`)
}
