/**
 * Each bundle on a Node too old for it (the machine's own Node 20, where there is one): one
 * `::error::` that names the Node it needs, before any library loads or any request is sent,
 * instead of a raw TypeError from deep inside the HTTP library.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { BUNDLE, IMPORT_BUNDLE } from '../../sim/run-action.mjs'
import { singleError, startWorld, type World } from './world.js'

/** A Node older than 22.19 on this machine, or undefined. */
function oldNode(): { path: string; version: string } | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(candidate)) continue
    const version = execFileSync(candidate, ['--version']).toString().trim().slice(1)
    const [major, minor] = version.split('.').map(Number)
    if (major < 22 || (major === 22 && minor < 19)) return { path: candidate, version }
  }
  return undefined
}

const OLD = oldNode()
const DEPLOY_BUNDLE = BUNDLE.replace(/index\.js$/, 'deploy/index.js')

let world: World
beforeAll(async () => {
  world = await startWorld({ tools: { 'a-1': { flowId: 'cf-1' } } })
})
afterAll(() => world.close())

describe('a Node too old for the bundle', () => {
  if (!OLD) {
    it.skip('needs a Node older than 22.19 on this machine (none found)', () => undefined)
    return
  }
  it.each([
    ['export', BUNDLE, {}],
    ['import', IMPORT_BUNDLE, { source: 'x.zip', toolName: 'X' }],
    ['deploy', DEPLOY_BUNDLE, { toolId: 'a-1' }]
  ] as const)('the %s entry ends with one error naming the Node it needs, and sends nothing', async (entry, bundle, inputs) => {
    const result = await world.run(OLD.path, { toolId: 'a-1', flowId: 'cf-1', ...inputs }, { entry, args: [bundle] })
    expect(singleError(result)).toBe(
      `::error::This action needs Node 24 (action.yml: runs.using node24; at least Node 22.19), but it is running on Node ${OLD.version}. Use a runner that supports node24 actions (GitHub-hosted runners do; a self-hosted runner needs a current actions/runner), or run the bundle with Node 24.`
    )
    expect(result.stderr).not.toContain('TypeError')
    expect(world.sim.requests).toEqual([])
  })
})
