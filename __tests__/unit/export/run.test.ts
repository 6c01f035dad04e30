/**
 * The export's story, run in-process from src/ against the platform simulator: what a user
 * notices of a run (outputs, the log's groups and lines, the one failure, the summary), without
 * a bundle. The bundle's own end-to-end tests are in __tests__/e2e/.
 */
import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { makeToolExport } from '../../../sim/zip.mjs'
import { run } from '../../../src/export/run.js'
import { STORY_KEY, storyWorld, type StoryRun } from '../story-io.js'

const world = storyWorld({
  tools: {
    'a-1': { flowId: 'cf-1', name: 'Banking Assistant', durationMs: 1200, file: makeToolExport('Banking Assistant') },
    'a-2': { flowId: 'cf-2', name: 'Travel Desk', durationMs: 200, file: makeToolExport('Travel Desk') },
    'a-failed': { flowId: 'cf-3', durationMs: 200, outcome: 'FAILED' },
    'a-never': { flowId: 'cf-4', outcome: 'NEVER' }
  }
})
const story = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): StoryRun => world.run('export', inputs, env)

describe('the export story, in-process', () => {
  it('exports one tool: a group per phase, the outputs at once, the summary, the key masked first', async () => {
    const s = story({ toolId: 'a-1', flowId: 'cf-1', path: 'exports', uploadArtifact: 'false' })
    await run(s.io)
    expect(s.failures).toEqual([])
    expect(s.secrets[0]).toBe(STORY_KEY)
    expect(s.lines.filter(line => line.startsWith('group: '))).toEqual([
      'group: Start the export',
      'group: Wait for the export job (timeout 600 s)',
      'group: Download and verify the export'
    ])
    const expected = makeToolExport('Banking Assistant')
    expect(s.outputs).toMatchObject({
      status: 'SUCCESS',
      sha256: createHash('sha256').update(expected).digest('hex'),
      size: String(expected.length)
    })
    expect(readFileSync(s.outputs.filePath).equals(expected)).toBe(true)
    expect(s.lines).toContain('uploadArtifact is false: the file stays on the runner only.')
    expect(s.lines.at(-1)).toMatch(/^Export of tool a-1 complete in \d+\.\d s\.$/)
    expect(s.summary()).toContain('✅ SUCCESS')
    expect(s.summary()).not.toContain(STORY_KEY)
  })

  it('keeps the export as an artifact through the real artifact client', async () => {
    await world.withRunnerVariables(async () => {
      const s = story({ toolId: 'a-2', flowId: 'cf-2' }, world.emu.runtimeEnv())
      await run(s.io)
      expect(s.failures).toEqual([])
      expect(s.outputs.artifactName).toBe('koreai-tool-a-2.zip')
      const [artifact] = world.emu.artifacts
      expect(String(artifact.id)).toBe(s.outputs.artifactId)
      expect(readFileSync(artifact.filePath).equals(makeToolExport('Travel Desk'))).toBe(true)
    })
  })

  it('fails once, with the platform FAILED status as an output, and says so in the summary', async () => {
    const s = story({ toolId: 'a-failed', flowId: 'cf-3', uploadArtifact: 'false' })
    await run(s.io)
    expect(s.failures).toHaveLength(1)
    expect(s.failures[0]).toMatch(/^The platform reported the export job FAILED \(dock status id ds-[^)]+\)\. Check tool a-failed/)
    expect(s.outputs.status).toBe('FAILED')
    expect(s.outputs.filePath).toBeUndefined()
    expect(s.summary()).toContain('❌ FAILED')
  })

  it('refuses bad input before any request, naming every input', async () => {
    const s = story({ toolId: '', flowId: '', timeoutSeconds: '0' })
    await run(s.io)
    expect(s.failures).toHaveLength(1)
    expect(s.failures[0]).toContain('input "toolId" is required')
    expect(s.failures[0]).toContain('input "timeoutSeconds" must be a positive number of seconds; got "0"')
    expect(world.sim.requests).toEqual([])
  })

  it('a set: every tool exported in full but the one that failed, the outputs of the set, one error naming it', async () => {
    const s = story({ tools: 'a-1 cf-1 banking\na-failed cf-3 broken\na-2 cf-2 travel', uploadArtifact: 'false', path: 'exports' })
    await run(s.io)
    expect(s.failures).toHaveLength(1)
    expect(s.failures[0]).toMatch(/^1 of 3 tools failed: broken: The platform reported the export job FAILED/)
    const results = JSON.parse(s.outputs.results) as { name: string; state: string; size?: number; error: string | null }[]
    expect(results.map(({ name, state }) => [name, state])).toEqual([
      ['banking', 'exported'],
      ['broken', 'failed'],
      ['travel', 'exported']
    ])
    expect(typeof results[0].size).toBe('number')
    expect(s.outputs).toMatchObject({ status: 'FAILED', succeeded: '2', failed: '1' })
    expect(s.lines).toContain('2 of 3 tools exported; 1 failed.')
  })

  it('cancelled while waiting: one failure naming the job left running, the status IN_PROGRESS, the hard stop never needed', async () => {
    const s = story({ toolId: 'a-never', flowId: 'cf-4', uploadArtifact: 'false' })
    const running = run(s.io)
    while (!s.lines.some(line => line.startsWith('Export started'))) await new Promise(resolve => setTimeout(resolve, 20))
    s.cancel('SIGTERM')
    await running
    expect(s.failures).toHaveLength(1)
    expect(s.failures[0]).toMatch(
      /^The export was cancelled \(SIGTERM\)\. The export job \(dock status id ds-[^)]+\) was left running on the platform\./
    )
    expect(s.outputs.status).toBe('IN_PROGRESS')
    expect(s.exitCode()).toBe(1)
  })
})
