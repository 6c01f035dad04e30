// @ts-check
/**
 * Serves the platform simulator until killed, for the workflow that runs the action with
 * `uses: ./` on GitHub. Writes SIM_HOST (and the tool ids) to $GITHUB_ENV when it is set.
 */
import { appendFileSync } from 'node:fs'
import { startPlatformSimulator } from '../sim/platform-simulator.mjs'

const key = process.env.SIM_KEY ?? 'kg-ci-key'
const sim = await startPlatformSimulator({
  keys: { [key]: true },
  tools: {
    'a-ci-tool': { flowId: 'cf-ci', name: 'CI Tool', durationMs: 3000, redirect: true },
    'a-ci-failing': { flowId: 'cf-ci', durationMs: 1000, outcome: 'FAILED' }
  }
})
console.log(`platform simulator listening on ${sim.url}`)
if (process.env.GITHUB_ENV) appendFileSync(process.env.GITHUB_ENV, `SIM_HOST=${sim.url}\n`)
process.on('SIGTERM', () => sim.close().then(() => process.exit(0)))
