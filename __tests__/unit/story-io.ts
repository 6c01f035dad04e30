/**
 * A RunIO for running an entry's story in-process, from src/: inputs from a plain object (the
 * action.yml defaults under them), outputs, the log, the failure and the summary recorded, and a
 * cancellation a test sends. No bundle, no child process: a change to a story is tested as it is.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { startArtifactEmulator } from '../../sim/artifact-emulator.mjs'
import { startPlatformSimulator } from '../../sim/platform-simulator.mjs'
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

type Entry = Parameters<typeof actionDefaults>[0]

export function storyRun(entry: Entry, inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): StoryRun {
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

export const STORY_KEY = 'kg-story-0123456789-secret'

/**
 * The simulators a file of story tests runs against, started once for the file: the platform
 * (STORY_KEY may do everything) and the artifact backend. Each test starts clean; every run's
 * folders, and the world's own, are removed.
 */
export function storyWorld(options: Parameters<typeof startPlatformSimulator>[0] = {}) {
  const world = {} as {
    sim: Awaited<ReturnType<typeof startPlatformSimulator>>
    emu: Awaited<ReturnType<typeof startArtifactEmulator>>
    /** A run of `entry` against this world's platform with STORY_KEY; disposed after the test. */
    run: (entry: Entry, inputs: Record<string, string>, env?: NodeJS.ProcessEnv) => StoryRun
    /** Runs `work` with the artifact client's variables in the process, as a runner sets them. */
    withRunnerVariables: <T>(work: () => Promise<T>) => Promise<T>
  }
  let artifactsDir = ''
  const runs: StoryRun[] = []
  beforeAll(async () => {
    artifactsDir = mkdtempSync(path.join(os.tmpdir(), 'koreai-story-artifacts-'))
    world.sim = await startPlatformSimulator({ keys: { [STORY_KEY]: true }, ...options })
    world.emu = await startArtifactEmulator({ dir: artifactsDir })
  })
  afterAll(async () => {
    await Promise.all([world.sim.close(), world.emu.close()])
    rmSync(artifactsDir, { recursive: true, force: true })
  })
  beforeEach(() => {
    world.sim.reset()
    world.emu.reset()
  })
  afterEach(() => {
    for (const done of runs.splice(0)) done.dispose()
  })
  world.run = (entry, inputs, env = {}) => {
    const made = storyRun(entry, { host: world.sim.url, key: STORY_KEY, ...inputs }, env)
    runs.push(made)
    return made
  }
  world.withRunnerVariables = async work => {
    const saved = { ...process.env }
    // The artifact client reads the runner's variables from the process itself.
    Object.assign(process.env, world.emu.runtimeEnv())
    try {
      return await work()
    } finally {
      process.env = saved
    }
  }
  return world
}
