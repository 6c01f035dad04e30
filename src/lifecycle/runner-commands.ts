/**
 * The runner's workflow commands and file commands, written exactly as @actions/core writes them
 * (its command.js and file-command.js; __tests__/unit/lifecycle/runner-commands.test.ts holds the
 * two side by side, byte for byte). Not @actions/core itself: importing it loads its OIDC client,
 * which brings a second HTTP library (undici 6, 900 KB) into every run before its first request,
 * about 30 ms of CPU measured with `npm run bench`. A run of this action needs none of that.
 */
import { randomUUID } from 'node:crypto'
import { appendFileSync, existsSync } from 'node:fs'
import { appendFile } from 'node:fs/promises'
import { EOL } from 'node:os'

/** `%`, CR and LF as the runner decodes them in a command's message. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** A command property's value: its message's escapes, and `:` and `,`, which end a property. */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')
}

/** `::name key=value::message` on a line of its own. */
function issue(name: string, message = '', properties: Record<string, string> = {}): void {
  const given = Object.entries(properties).filter(([, value]) => value)
  const props = given.length ? ` ${given.map(([key, value]) => `${key}=${escapeProperty(value)}`).join(',')}` : ''
  process.stdout.write(`::${name}${props}::${escapeData(message)}${EOL}`)
}

/** An input as the runner passes it (`INPUT_<NAME>`), trimmed. */
export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '').trim()
}

/** A step output, appended to the GITHUB_OUTPUT file under a delimiter no value can forge. */
export function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT
  if (!file) {
    // Outside a runner that has output files: the old command, as @actions/core falls back to it.
    process.stdout.write(EOL)
    issue('set-output', value, { name })
    return
  }
  if (!existsSync(file)) throw new Error(`Missing file at path: ${file}`)
  const delimiter = `ghadelimiter_${randomUUID()}`
  if (name.includes(delimiter) || value.includes(delimiter)) throw new Error('Unexpected input: a name or value holds the output delimiter')
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, { encoding: 'utf8' })
}

export function setSecret(value: string): void {
  issue('add-mask', value)
}

/** The step's one error; the step fails. */
export function setFailed(message: string): void {
  process.exitCode = 1
  issue('error', message)
}

export function info(line: string): void {
  process.stdout.write(line + EOL)
}

export function warning(line: string): void {
  issue('warning', line)
}

export function debug(line: string): void {
  issue('debug', line)
}

export async function group<T>(title: string, work: () => Promise<T>): Promise<T> {
  issue('group', title)
  try {
    return await work()
  } finally {
    issue('endgroup')
  }
}

/** Appends HTML to the job summary; nothing outside a runner. */
export async function appendSummary(html: string): Promise<void> {
  const file = process.env.GITHUB_STEP_SUMMARY
  if (file) await appendFile(file, html + EOL, { encoding: 'utf8' })
}
