/**
 * A release with the import entry (dist/import): the import, then the deploy of the tool's new
 * in-development version, and the rollback of a deploy that fails: the backup taken before the
 * import, imported as it was and deployed. Against the simulator's model of versions, which says
 * what the tool runs afterwards.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { ALL_SCOPES } from '../../sim/platform-simulator.mjs'
import { makeToolExport, makeZip, toolDefinitions } from '../../sim/zip.mjs'
import { KEY, NODE, commandLines, singleError, startWorld, type World } from './world.js'

const NO_DEPLOY_KEY = 'kg-e2e-every-scope-but-deploy'
/** What the tool runs before the release: its configured export. */
const RUNNING = toolDefinitions('Banking Assistant', 1)
/** What the release imports. */
const RELEASED = toolDefinitions('Banking Assistant', 2)

let world: World
let workspaces = 0
beforeAll(async () => {
  world = await startWorld({
    keys: { [KEY]: true, [NO_DEPLOY_KEY]: ALL_SCOPES.filter(scope => scope !== 'Deploy Tool') },
    importDurationMs: 300,
    deploy: { durationMs: 400 }
  })
})
afterAll(() => world.close())
beforeEach(() => {
  world.reset()
  for (const toolId of Object.keys(world.sim.tools)) delete world.sim.tools[toolId]
  world.sim.addTool('a-1', { flowId: 'cf-1', name: 'Banking Assistant', durationMs: 300, file: makeToolExport('Banking Assistant', 1) })
})

function workspace(): string {
  const folder = path.join(world.artifactsDir, `release-${++workspaces}`)
  mkdirSync(folder, { recursive: true })
  writeFileSync(path.join(folder, 'release.zip'), makeZip(RELEASED, { method: 'deflate' }))
  return folder
}
const release = (inputs: Record<string, string>) =>
  world.run(
    NODE,
    { source: 'release.zip', toolId: 'a-1', flowId: 'cf-1', deploy: 'true', ...inputs },
    { entry: 'import', workspace: workspace() }
  )
const text = (definitions: Record<string, Buffer> | null | undefined, name: string) => definitions?.[name]?.toString('utf8')
const deploys = () => world.sim.requests.filter(request => request.method === 'POST' && request.path.endsWith('/deploy'))

describe('import with deploy', () => {
  it('deploys the imported version: the tool runs it, the outputs say so, the deploy sent once with isAsync', async () => {
    const result = await release({})
    expect(commandLines(result.stdout, 'error')).toEqual([])
    expect(result.code).toBe(0)
    expect(result.outputs).toMatchObject({ status: 'SUCCESS', deployStatus: 'SUCCESS', rolledBack: 'false' })
    expect(result.outputs.deployDockStatusId).toMatch(/^ds-/)
    const tool = world.sim.tool('a-1')!
    expect(text(tool.deployed?.definitions, 'flow_definition.json')).toBe(RELEASED[0].data)
    expect(deploys()).toHaveLength(1)
    expect(JSON.parse(String(world.sim.deploys[0].body))).toEqual({ isAsync: true })
    expect(result.stdout).toMatch(/^::group::Deploy the tool$/m)
    expect(result.summary).toContain('Deploy</th><td>✅ SUCCESS')
  })

  it('deploys a new tool by the id the import gave it', async () => {
    const result = await world.run(
      NODE,
      { source: 'release.zip', toolName: 'Banking (copy)', deploy: 'true' },
      { entry: 'import', workspace: workspace() }
    )
    expect(result.code).toBe(0)
    expect(result.outputs.toolId).toMatch(/^a-new-/)
    expect(world.sim.deploys.map(request => request.toolId)).toEqual([result.outputs.toolId])
    expect(result.stdout).toContain('will not be rolled back if it fails: a new tool has no earlier version')
    expect(result.outputs.rolledBack).toBe('false')
  })

  it('rolls a FAILED deploy back: the backup imported as it was and deployed; the step fails saying so', async () => {
    world.sim.tools['a-1'].deploy = { outcomes: ['FAILED'], message: 'Flow has 2 errors' }
    const result = await release({})
    const error = singleError(result)
    expect(error).toMatch(
      /^::error::The platform reported the deploy job FAILED \(dock status id ds-[^)]+\)\. The platform said: "Flow has 2 errors"\./
    )
    expect(error).toMatch(/Rolled back: the tool runs the version backed up at \d{4}-\d\d-\d\dT[\d:.]+Z \(artifact \d+;/)
    expect(result.outputs).toMatchObject({ status: 'SUCCESS', deployStatus: 'FAILED', rolledBack: 'true' })
    // Two imports: the release's, then the backup's, whose definitions are the backup's byte for byte.
    expect(world.sim.imports).toHaveLength(2)
    const [backup] = world.emu.artifacts
    expect(error).toContain(`(artifact ${backup.id};`)
    const second = world.sim.imports[1]
    for (const [field, index] of [
      ['flowDataFileId', 0],
      ['toolDataFileId', 1],
      ['envVariablesFileId', 2]
    ] as const) {
      expect(world.sim.files.get(String(second.body[field]))!.bytes.toString('utf8')).toBe(RUNNING[index].data)
    }
    expect(deploys()).toHaveLength(2)
    expect(text(world.sim.tool('a-1')!.deployed?.definitions, 'flow_definition.json')).toBe(RUNNING[0].data)
    expect(result.summary).toContain('✅ the tool runs the version backed up before the import')
  })

  it('says both reasons and where the backup is when the rollback fails too', async () => {
    world.sim.tools['a-1'].deploy = { outcomes: ['FAILED', 'FAILED'], message: 'Flow has errors' }
    const result = await release({})
    const error = singleError(result)
    expect(error).toContain('The platform reported the deploy job FAILED')
    expect(error).toMatch(/Rolling back failed too: The platform reported the deploy job FAILED/)
    expect(error).toMatch(
      /is the artifact koreai-tool-a-1-before-import-[^ ]+ \(id \d+\): https:\/\/github\.com\/octo-org\/agents\/actions\/runs\/4242\/artifacts\/\d+\./
    )
    expect(result.outputs).toMatchObject({ deployStatus: 'FAILED', rolledBack: 'false' })
    expect(world.sim.imports).toHaveLength(2)
    expect(deploys()).toHaveLength(2)
  })

  it('rolls back a deploy that does not end in time', async () => {
    world.sim.tools['a-1'].deploy = { outcomes: ['NEVER'] }
    const result = await release({ timeoutSeconds: '4' })
    const error = singleError(result)
    expect(error).toContain('The deploy job did not finish within 4 s (timeoutSeconds); it was still IN_PROGRESS')
    expect(error).toContain('Rolled back: the tool runs the version backed up at')
    // The timed-out deploy cannot be stopped: if it is still running, the error says what that risks.
    expect(error).toMatch(/But the release's own deploy \(dock status id ds-[^)]+\) was still running when the rollback's ended/)
    expect(result.outputs).toMatchObject({ deployStatus: 'IN_PROGRESS', rolledBack: 'true' })
  })

  it('a 403 on the deploy names the Deploy Tool scope, says the import is in development, and rolls nothing back', async () => {
    const result = await release({ key: NO_DEPLOY_KEY })
    const error = singleError(result)
    expect(error).toContain('HTTP 403 Forbidden')
    expect(error).toContain('"Deploy Tool" scope')
    expect(error).toContain("landed as tool a-1's new in-development version and was not deployed")
    expect(world.sim.imports).toHaveLength(1)
    expect(result.outputs.rolledBack).toBe('false')
    expect(result.outputs.deployStatus).toBeUndefined()
  })

  it('never sends the deploy again, nor rolls back, when its answer was lost after it went out', async () => {
    world.sim.faults.deploy.push({ kind: 'lost' })
    const result = await release({})
    const error = singleError(result)
    expect(error).toContain('after')
    expect(error).toContain('may have received it: a deploy of tool a-1 may be running, so it was not sent again')
    expect(deploys()).toHaveLength(1)
    expect(world.sim.imports).toHaveLength(1)
  })

  it('refuses rollback: true without a backup, before any request', async () => {
    const result = await release({ backupBefore: 'false', rollback: 'true' })
    expect(singleError(result)).toContain('input "rollback" is true, but "backupBefore" is false')
    expect(world.sim.requests).toEqual([])
  })

  it('a dry run shows the deploy and the rollback in its plan and sends nothing', async () => {
    const result = await release({ dryRun: 'true' })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("Then deploy the tool's new in-development version")
    expect(result.stdout).toContain('If the deploy FAILED or did not end in time: import the backup')
    expect(world.sim.requests).toEqual([])
  })

  it('cancelled during the deploy: names the deploy job left running, starts no rollback', async () => {
    world.sim.tools['a-1'].deploy = { outcomes: ['NEVER'] }
    const action = world.start(
      NODE,
      { source: 'release.zip', toolId: 'a-1', flowId: 'cf-1', deploy: 'true' },
      { entry: 'import', workspace: workspace() }
    )
    await action.waitForOutput(/Deploy started/)
    action.child.kill('SIGTERM')
    const result = await action.done
    expect(singleError(result)).toMatch(
      /^::error::The import was cancelled \(SIGTERM\)\. Left running on the platform: the deploy job \(dock status id ds-[^)]+\)\. No rollback was started\./
    )
    expect(world.sim.imports).toHaveLength(1)
    expect(deploys()).toHaveLength(1)
  })

  it.each([
    ['keep', 'eu'],
    ['backup', 'us']
  ])('envConflict %s: the tool keeps its current value, or takes the source clear one', async (envConflict, imported) => {
    const folder = workspace()
    const [flow, app] = RELEASED
    writeFileSync(
      path.join(folder, 'us.zip'),
      makeZip([flow, app, { name: 'env_variables.json', data: JSON.stringify([{ key: 'REGION', value: 'us' }]) }], { method: 'deflate' })
    )
    const result = await world.run(
      NODE,
      { source: 'us.zip', toolId: 'a-1', flowId: 'cf-1', envConflict },
      { entry: 'import', workspace: folder }
    )
    expect(result.code).toBe(0)
    const env = JSON.parse(world.sim.files.get(String(world.sim.imports[0].body.envVariablesFileId))!.bytes.toString('utf8')) as unknown
    expect(env).toEqual([{ key: 'REGION', value: imported }])
    expect(result.stdout).toContain(
      envConflict === 'keep' ? "Variable REGION: the existing tool's current value (kept)" : "Variable REGION: the source's own value"
    )
  })
})
