/**
 * The deploy's story, run in-process from src/ against the platform simulator's deploy, undeploy
 * and dock status routes: what a user notices of a run, without a bundle. The bundle's own
 * end-to-end tests are in __tests__/e2e/deploy.test.ts.
 */
import { describe, expect, it } from '@jest/globals'
import { run } from '../../../src/deploy/run.js'
import { STORY_KEY as KEY, storyWorld, type StoryRun } from '../story-io.js'

const world = storyWorld({
  tools: { 'a-1': { flowId: 'cf-1', name: 'Banking Assistant', deployed: false } },
  deploy: { durationMs: 300 },
  undeploy: { durationMs: 200 }
})
const story = (inputs: Record<string, string> = {}): StoryRun => world.run('deploy', { toolId: 'a-1', ...inputs })
const groups = (s: StoryRun) => s.lines.filter(line => line.startsWith('group: '))

describe('the deploy story, in-process', () => {
  it('deploys: a group for the start and one for the wait, the outputs, the summary, the last line', async () => {
    const s = story()
    await run(s.io)
    expect(s.failures).toEqual([])
    expect(groups(s)).toEqual(['group: Deploy the tool', 'group: Wait for the deploy job (timeout 600 s)'])
    expect(s.outputs).toEqual({ toolId: 'a-1', dockStatusId: world.sim.deploys[0].dockStatusId, status: 'SUCCESS' })
    expect(world.sim.deploys.map(request => [request.action, request.body])).toEqual([['DEPLOY', '{"isAsync":true}']])
    expect(world.sim.tool('a-1')!.deployed).not.toBeNull()
    expect(s.lines.at(-1)).toMatch(/^Deploy complete in \d+\.\d s\.$/)
    expect(s.summary()).toContain('✅ SUCCESS')
    expect(s.secrets).toContain(KEY)
    expect(s.exitCode()).toBeUndefined()
  })

  it('takes the end from the first answer when it already says so: no wait, the message quoted', async () => {
    world.sim.deployPlan.doneAtStart = true
    world.sim.deployPlan.outcome = 'FAILED'
    world.sim.deployPlan.message = 'Fix the 2 warnings of the flow first'
    const s = story()
    await run(s.io)
    expect(groups(s)).toEqual(['group: Deploy the tool'])
    expect(s.failures).toEqual([
      expect.stringMatching(
        /^The platform reported the deploy job FAILED \(dock status id ds-[^)]+\)\. The platform said: "Fix the 2 warnings of the flow first"\. Fix what the platform reports/
      )
    ])
    expect(s.outputs).toMatchObject({ status: 'FAILED' })
    expect(world.sim.tool('a-1')!.deployed).toBeNull()
  })

  it("takes the run's secrets out of the platform's words before quoting them", async () => {
    world.sim.deployPlan.outcome = 'FAILED'
    world.sim.deployPlan.message = `Key ${KEY} may not deploy this tool`
    const s = story()
    await run(s.io)
    expect(s.failures).toEqual([expect.stringContaining('The platform said: "Key *** may not deploy this tool".')])
    expect(s.summary()).not.toContain(KEY)
  })

  it('undeploys, saying so in the groups, the last line and the summary', async () => {
    const s = story({ undeploy: 'true' })
    await run(s.io)
    expect(s.failures).toEqual([])
    expect(groups(s)).toEqual(['group: Undeploy the tool', 'group: Wait for the undeploy job (timeout 600 s)'])
    expect(world.sim.deploys.map(request => request.action)).toEqual(['UNDEPLOY'])
    expect(s.lines.at(-1)).toMatch(/^Undeploy complete in /)
    expect(s.summary()).toContain('Kore.ai tool undeploy')
  })

  it('sends the start again after a 429 (nothing was started), never after a 502 (something may have been)', async () => {
    world.sim.faults.deploy.push({ kind: 'status', status: 429, retryAfter: '1' })
    const s = story()
    await run(s.io)
    expect(s.failures).toEqual([])
    expect(world.sim.deploys).toHaveLength(2)
    expect(world.sim.deployJobs.size).toBe(1)

    world.sim.reset()
    world.sim.faults.deploy.push({ kind: 'status', status: 502 })
    const again = story()
    await run(again.io)
    expect(again.failures).toEqual([
      expect.stringContaining('may have received it: a deploy of tool a-1 may be running, so it was not sent again.')
    ])
    expect(world.sim.deploys).toHaveLength(1)
    expect(again.outputs).toEqual({ toolId: 'a-1' })
  })

  it('cancelled while the job runs: one failure naming the dock status id left running, IN_PROGRESS', async () => {
    world.sim.deployPlan.outcome = 'NEVER'
    const s = story()
    const running = run(s.io)
    while (!s.lines.some(line => line.startsWith('group: Wait for'))) await new Promise(resolve => setTimeout(resolve, 10))
    s.cancel('SIGTERM')
    await running
    const id = world.sim.deploys[0].dockStatusId!
    expect(s.failures).toEqual([
      `The deploy was cancelled (SIGTERM). The deploy job (dock status id ${id}) was left running on the platform: check tool a-1's deploy status on ${new URL(world.sim.url).host} before running the workflow again.`
    ])
    expect(s.outputs).toEqual({ toolId: 'a-1', dockStatusId: id, status: 'IN_PROGRESS' })
    expect(s.summary()).toContain('cancelled while the job ran')
    expect(s.exitCode()).toBe(1)
  })

  it('refuses bad input before any request, and sets no output', async () => {
    const s = story({ toolId: 'a-1\u200b' })
    await run(s.io)
    expect(s.failures).toEqual([expect.stringContaining('input "toolId" holds the character U+200B (ZERO WIDTH SPACE) at position 4')])
    expect(world.sim.requests).toEqual([])
    expect(s.outputs).toEqual({})
  })
})
