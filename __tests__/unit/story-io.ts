/**
 * A RunIO for running an entry's story in-process, from src/: inputs from a plain object (the
 * action.yml defaults under them), outputs, the log, the failure and the summary recorded, and a
 * cancellation a test sends. No bundle, no child process: a change to a story is tested as it is.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { actionDefaults } from '../../sim/run-action.mjs'
import { CancelledError } from '../../src/errors.js'
import type { RunIO } from '../../src/lifecycle/run.js'

export interface StoryRun {
  io: RunIO
  /** Every log line, groups as `group: <title>`, warnings as `warning: …` (debug lines left out). */
  lines: string[]
  outputs: Record<string, string>
  /** Each setFailed message: a run must fail at most once. */
  failures: string[]
  secrets: string[]
  summary: () => string
  /** Sends a cancellation as the runner's SIGINT would. */
  cancel: (signal?: string) => void
  exitCode: () => number | undefined
  workspace: string
  runnerTemp: string
  /** Removes the run's folders. */
  dispose: () => void
}

export function storyRun(entry: 'export' | 'import' | 'deploy', inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): StoryRun {
  const base = mkdtempSync(path.join(os.tmpdir(), 'koreai-story-'))
  const workspace = path.join(base, 'workspace')
  const runnerTemp = path.join(base, 'runner-temp')
  // A runner makes both before a step runs.
  for (const folder of [workspace, runnerTemp]) mkdirSync(folder, { recursive: true })
  const given: Record<string, string> = { ...actionDefaults(entry), ...inputs }
  const lines: string[] = []
  const outputs: Record<string, string> = {}
  const failures: string[] = []
  const secrets: string[] = []
  let summary = ''
  let exitCode: number | undefined
  let onCancel: ((signal: string) => void) | undefined
  const controller = new AbortController()
  const io: RunIO = {
    getInput: name => given[name] ?? '',
    setOutput: (name, value) => (outputs[name] = value),
    setSecret: value => secrets.push(value),
    setFailed: message => failures.push(message),
    log: {
      info: line => lines.push(line),
      warning: line => lines.push(`warning: ${line}`),
      debug: () => undefined,
      group: async (title, work) => {
        lines.push(`group: ${title}`)
        return work()
      }
    },
    env: { GITHUB_WORKSPACE: workspace, RUNNER_TEMP: runnerTemp, GITHUB_REPOSITORY: 'octo-org/agents', GITHUB_RUN_ID: '4242', ...env },
    appendSummary: html => Promise.resolve(void (summary += html)),
    watchCancellation: handler => {
      onCancel = handler
      return { signal: controller.signal, dispose: () => (onCancel = undefined) }
    },
    exit: code => void (exitCode = code)
  }
  return {
    io,
    lines,
    outputs,
    failures,
    secrets,
    summary: () => summary,
    cancel: (signal = 'SIGINT') => {
      // As lifecycle/cancellation.ts does for the process's signals.
      controller.abort(new CancelledError(signal))
      onCancel?.(signal)
    },
    exitCode: () => exitCode,
    workspace,
    runnerTemp,
    dispose: () => rmSync(base, { recursive: true, force: true })
  }
}
