/**
 * The deploy entry end to end: the committed dist/deploy bundle, run as a runner runs it, against
 * the platform simulator's deploy, undeploy and dock status routes; what a user notices: exit
 * code, outputs, the one error, the log's groups, the summary, and what the tool runs afterwards.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { ALL_SCOPES } from '../../sim/platform-simulator.mjs'
import { KEY, RUNTIMES, commandLines, singleError, startWorld, type World } from './world.js'

const NO_DEPLOY_KEY = 'kg-every-scope-but-deploy'
const NO_UNDEPLOY_KEY = 'kg-every-scope-but-undeploy'

describe.each(RUNTIMES)('deploy on %s', (_label, node) => {
  let world: World
  beforeAll(async () => {
    world = await startWorld({
      keys: {
        [KEY]: true,
        [NO_DEPLOY_KEY]: ALL_SCOPES.filter(scope => scope !== 'Deploy Tool'),
        [NO_UNDEPLOY_KEY]: ALL_SCOPES.filter(scope => scope !== 'Undeploy Tool')
      },
      tools: {
        // In development only: a deploy is what makes it run.
        'a-dev': { flowId: 'cf-1', name: 'Banking Assistant', deployed: false },
        'a-live': { flowId: 'cf-2', name: 'Travel Assistant' }
      },
      deploy: { durationMs: 600 },
      undeploy: { durationMs: 400 }
    })
  })
  afterAll(() => world.close())
  beforeEach(() => world.reset())

  const deploy = (inputs: Record<string, string>, key = KEY) => world.run(node, { key, ...inputs }, { entry: 'deploy' })

  it("deploys the tool's in-development version: the outputs, one request with isAsync, and the tool runs it", async () => {
    expect(world.sim.tool('a-dev')!.deployed).toBeNull()
    const result = await deploy({ toolId: 'a-dev' })

    expect(commandLines(result.stdout, 'error')).toEqual([])
    expect(result.code).toBe(0)
    const [request] = world.sim.deploys
    expect(world.sim.deploys).toHaveLength(1)
    expect([request.action, request.body]).toEqual(['DEPLOY', '{"isAsync":true}'])
    expect(result.outputs).toEqual({ status: 'SUCCESS', dockStatusId: request.dockStatusId, toolId: 'a-dev' })
    expect(world.sim.tool('a-dev')!.deployed!.number).toBe(world.sim.tool('a-dev')!.inDevelopment.number)
    expect(commandLines(result.stdout, 'group')).toEqual(['::group::Deploy the tool', '::group::Wait for the deploy job (timeout 600 s)'])
    expect(result.stdout).toMatch(/^Deploy complete in \d+\.\d s\.$/m)
    expect(result.summary).toContain('Kore.ai tool deploy')
    expect(result.summary).toContain('✅ SUCCESS')
    expect(result.summary).toContain(`<code>${request.dockStatusId}</code>`)
    expect(result.stdout.replace(`::add-mask::${KEY}`, '')).not.toContain(KEY)
  })

  it('undeploys the tool with undeploy: true: no body, and nothing runs afterwards', async () => {
    expect(world.sim.tool('a-live')!.deployed).not.toBeNull()
    const result = await deploy({ toolId: 'a-live', undeploy: 'true' })

    expect(commandLines(result.stdout, 'error')).toEqual([])
    expect(result.code).toBe(0)
    expect(world.sim.deploys.map(request => [request.action, request.body])).toEqual([['UNDEPLOY', '']])
    expect(result.outputs).toEqual({ status: 'SUCCESS', dockStatusId: world.sim.deploys[0].dockStatusId, toolId: 'a-live' })
    expect(world.sim.tool('a-live')!.deployed).toBeNull()
    expect(commandLines(result.stdout, 'group')).toEqual([
      '::group::Undeploy the tool',
      '::group::Wait for the undeploy job (timeout 600 s)'
    ])
    expect(result.stdout).toMatch(/^Undeploy complete in \d+\.\d s\.$/m)
    expect(result.summary).toContain('Kore.ai tool undeploy')
  })

  it("fails a FAILED deploy quoting the platform's message; the tool runs what it ran before", async () => {
    world.sim.deployPlan.outcome = 'FAILED'
    world.sim.deployPlan.message = 'Flow has 2 errors: node "greet" has no exit'
    const result = await deploy({ toolId: 'a-dev' })

    const error = singleError(result)
    expect(error).toContain(`The platform reported the deploy job FAILED (dock status id ${world.sim.deploys[0].dockStatusId}).`)
    expect(error).toContain('The platform said: "Flow has 2 errors: node "greet" has no exit".')
    expect(result.outputs).toEqual({ status: 'FAILED', dockStatusId: world.sim.deploys[0].dockStatusId, toolId: 'a-dev' })
    expect(world.sim.tool('a-dev')!.deployed).toBeNull()
    expect(world.sim.deploys).toHaveLength(1)
    expect(result.summary).toContain('❌ FAILED')
  })

  it('times out on a deploy that never ends: status IN_PROGRESS, the dock status id, sent once', async () => {
    world.sim.deployPlan.outcome = 'NEVER'
    const result = await deploy({ toolId: 'a-dev', timeoutSeconds: '2' })

    const error = singleError(result)
    expect(error).toContain('The deploy job did not finish within 2 s (timeoutSeconds); it was still IN_PROGRESS')
    expect(error).toContain(world.sim.deploys[0].dockStatusId)
    expect(error).toContain('Raise "timeoutSeconds"')
    expect(result.outputs).toEqual({ status: 'IN_PROGRESS', dockStatusId: world.sim.deploys[0].dockStatusId, toolId: 'a-dev' })
    expect(world.sim.deploys).toHaveLength(1)
    expect(result.summary).toContain('still IN_PROGRESS when the wait timed out')
  })

  it('explains a 403: the Deploy Tool scope (Undeploy Tool for an undeploy), and that nothing changed', async () => {
    const refused = await deploy({ toolId: 'a-dev' }, NO_DEPLOY_KEY)
    const error = singleError(refused)
    expect(error).toContain('Starting the deploy failed: HTTP 403 Forbidden')
    expect(error).toContain('The platform said: "The API key does not have the Deploy Tool scope".')
    expect(error).toContain('The API key lacks the "Deploy Tool" scope')
    expect(error).toContain('Nothing was deployed')
    expect(refused.outputs).toEqual({ toolId: 'a-dev' })
    expect(world.sim.deploys).toHaveLength(1)
    expect(world.sim.deployJobs.size).toBe(0)
    expect(world.sim.tool('a-dev')!.deployed).toBeNull()

    world.reset()
    const error2 = singleError(await deploy({ toolId: 'a-live', undeploy: 'true' }, NO_UNDEPLOY_KEY))
    expect(error2).toContain('The API key lacks the "Undeploy Tool" scope')
    expect(error2).toContain('Nothing was undeployed')
    expect(world.sim.tool('a-live')!.deployed).not.toBeNull()
  })

  it('a connection lost after the deploy arrived: never sent again, and the error says it may be running', async () => {
    world.sim.faults.deploy.push({ kind: 'lost' })
    const result = await deploy({ toolId: 'a-dev' })

    const error = singleError(result)
    expect(error).toContain('after 127.0.0.1')
    expect(error).toContain('may have received it: a deploy of tool a-dev may be running, so it was not sent again.')
    expect(error).toContain("Check the tool's state on")
    // The one request did start a job on the platform: a second would have deployed twice.
    expect(world.sim.deploys).toHaveLength(1)
    expect(world.sim.deployJobs.size).toBe(1)
    expect(result.outputs).toEqual({ toolId: 'a-dev' })
    expect(result.summary).toContain('not confirmed: it may be running on the platform')
  })

  it('refuses bad input before any request, naming every problem at once', async () => {
    const result = await deploy({ toolId: 'a-dev a-live', undeploy: 'maybe', timeoutSeconds: '0' })

    const error = singleError(result)
    expect(error).toContain('input "toolId" holds the character U+0020 (SPACE) at position 6')
    expect(error).toContain('input "undeploy" must be true or false; got "maybe"')
    expect(error).toContain('input "timeoutSeconds"')
    expect(error).toContain('Nothing was sent to the platform.')
    expect(world.sim.requests).toEqual([])
    expect(result.outputs).toEqual({})

    const missing = singleError(await deploy({ toolId: '' }))
    expect(missing).toContain('input "toolId" is required')
    expect(world.sim.requests).toEqual([])
  })

  it('cancelled during the wait: exits at once, naming the dock status id left running', async () => {
    world.sim.deployPlan.outcome = 'NEVER'
    const run = world.start(node, { toolId: 'a-dev' }, { entry: 'deploy' })
    await run.waitForOutput(/^::group::Wait for the deploy job/m)
    run.child.kill('SIGTERM')
    const result = await run.done

    const error = singleError(result)
    const id = world.sim.deploys[0].dockStatusId
    expect(error).toContain('The deploy was cancelled (SIGTERM).')
    expect(error).toContain(`The deploy job (dock status id ${id}) was left running on the platform`)
    expect(result.outputs).toEqual({ status: 'IN_PROGRESS', dockStatusId: id, toolId: 'a-dev' })
    expect(result.ms).toBeLessThan(10_000)
    expect(world.sim.deploys).toHaveLength(1)
  })
})
