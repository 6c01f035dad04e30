/**
 * One run, whatever the entry point: the secrets masked as they are learned, the temporary paths
 * removed whatever happens, exactly one failure (the step's one `::error::`), the job summary
 * written once, and a cancellation that unwinds through the normal error path or, when a phase
 * cannot be interrupted, is ended by a hard stop. Each entry gives its settings reader, its work,
 * its failure's words and its summary; everything that touches the world outside goes through
 * RunIO, so a test runs a whole story in-process.
 */
import { CancelledError, errorMessage } from '../errors.js'
import { watchForCancellation, type Cancellation } from './cancellation.js'
import * as runner from './runner-commands.js'
import { Secrets } from './secrets.js'
import { TemporaryPaths } from './temporary-paths.js'

/** A cancelled run that has not unwound by then is stopped hard (the runner allows a few seconds). */
export const HARD_STOP_MS = 1500

/** How a run talks to the log: groups for phases, one line per state change. */
export interface Log {
  info: (line: string) => void
  warning: (line: string) => void
  /** Request-level detail, shown only with step debugging on. */
  debug: (line: string) => void
  group: <T>(title: string, work: () => Promise<T>) => Promise<T>
}

/**
 * A log whose every line says which part of the run it is (`[backup] `, a tool's name in a set):
 * inside a group already, or beside others running at once, since log groups do not nest.
 */
export function prefixedLog(log: Log, prefix: string): Log {
  return {
    info: line => log.info(prefix + line),
    warning: line => log.warning(prefix + line),
    debug: line => log.debug(prefix + line),
    group: (_title, work) => work()
  }
}

/** Everything a run does to the world outside it: the runner's, or a test's. */
export interface RunIO {
  getInput(name: string): string
  setOutput(name: string, value: string): void
  setSecret(value: string): void
  setFailed(message: string): void
  log: Log
  env: NodeJS.ProcessEnv
  /** Appends HTML to the job summary; nothing when the run has none. */
  appendSummary(html: string): Promise<void>
  watchCancellation(onCancel: (signal: string) => void): Cancellation
  /** Ends the process at once. */
  exit(code: number): void
}

/** How an entry reads its inputs: injected, so the settings readers test without module mocks. */
export interface InputSource {
  getInput: (name: string) => string
  /** Masks a value before anything could print it (a key, a secret value). */
  setSecret: (value: string) => void
  env: NodeJS.ProcessEnv
}

/** What an entry's work is given. */
export interface RunContext<S> {
  settings: S
  io: RunIO
  signal: AbortSignal
  secrets: Secrets
  temporary: TemporaryPaths
  /** Epoch ms the run started. */
  startedAt: number
}

/** One entry point's part of a run. */
export interface Entry<S> {
  /** The inputs as one typed object; throws one error that names every bad input. */
  readSettings(source: InputSource): S
  work(run: RunContext<S>): Promise<void>
  /** The step's one error for whatever ended the run; may set the outputs that say how it stands. */
  describeFailure(error: unknown): string
  /** The job summary for how the run ended (already redacted and escaped), or undefined for none. */
  summary(failure: string | undefined, durationMs: number, redact: (text: string) => string): string | undefined
}

/** The runner's own RunIO: its commands and files, the process's environment and signals. */
export function runnerIO(): RunIO {
  return {
    getInput: runner.getInput,
    setOutput: runner.setOutput,
    setSecret: runner.setSecret,
    setFailed: runner.setFailed,
    log: { info: runner.info, warning: runner.warning, debug: runner.debug, group: runner.group },
    env: process.env,
    appendSummary: runner.appendSummary,
    watchCancellation: watchForCancellation,
    exit: code => process.exit(code)
  }
}

export async function runEntry<S>(io: RunIO, entry: Entry<S>): Promise<void> {
  const startedAt = Date.now()
  const secrets = new Secrets(value => io.setSecret(value))
  const temporary = new TemporaryPaths()
  let failure: string | undefined
  const fail = (error: unknown): void => {
    if (failure !== undefined) return
    failure = entry.describeFailure(error)
    io.setFailed(failure)
  }
  let summary: Promise<void> | undefined
  const writeSummary = (): Promise<void> =>
    (summary ??= (async () => {
      const html = entry.summary(failure, Date.now() - startedAt, text => secrets.redact(text))
      if (html)
        await io.appendSummary(html).catch((error: unknown) => io.log.warning(`Could not write the job summary: ${errorMessage(error)}`))
    })())
  const cancellation = io.watchCancellation(signal => {
    io.log.info(`Received ${signal}: stopping.`)
    // A phase that cannot be interrupted (the upload client takes no signal) is left behind.
    setTimeout(() => {
      temporary.removeAll()
      fail(new CancelledError(signal))
      void writeSummary().then(() => io.exit(1))
    }, HARD_STOP_MS).unref()
  })
  const signal = cancellation.signal
  try {
    const settings = entry.readSettings({ getInput: name => io.getInput(name), setSecret: value => secrets.add(value), env: io.env })
    await entry.work({ settings, io, signal, secrets, temporary, startedAt })
  } catch (error) {
    fail(signal.aborted ? signal.reason : error)
  } finally {
    cancellation.dispose()
    temporary.removeAll()
    await writeSummary()
  }
  // Requests abandoned on cancellation may still hold sockets open: end now rather than wait.
  if (signal.aborted) io.exit(1)
}
