/**
 * The export's story, run in-process from src/ against the platform simulator: what a user
 * notices of a run (outputs, the log's groups and lines, the one failure, the summary), without
 * a bundle. The bundle's own end-to-end tests are in __tests__/e2e/.
 */
import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import * as path from 'node:path'
import { makeToolExport } from '../../../sim/zip.mjs'
import { run } from '../../../src/export/run.js'
import { placeholder } from '../../../src/tool-export/env-variables.js'
import { STORY_KEY, storyWorld, type StoryRun } from '../story-io.js'

const world = storyWorld({
  tools: {
    'a-1': { flowId: 'cf-1', name: 'Banking Assistant', durationMs: 1200, file: makeToolExport('Banking Assistant') },
    'a-2': { flowId: 'cf-2', name: 'Travel Desk', durationMs: 200, file: makeToolExport('Travel Desk') },
    'a-failed': { flowId: 'cf-3', durationMs: 200, outcome: 'FAILED' },
    'a-never': { flowId: 'cf-4', outcome: 'NEVER' },
    'a-drift': { flowId: 'cf-5', name: 'Drift', durationMs: 200, file: makeToolExport('Drift', 1) }
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

  it('extract: check finds drift: the export kept, one failure naming the folder, the outputs and summary say so, nothing written', async () => {
    const inputs = { toolId: 'a-drift', flowId: 'cf-5', extractPath: 'koreai/drift', uploadArtifact: 'false' }
    const released = story({ ...inputs, extract: 'true' })
    await run(released.io)
    expect(released.failures).toEqual([])
    const folder = path.join(released.workspace, 'koreai', 'drift')
    const files = () =>
      readdirSync(folder).map(name => [name, readFileSync(path.join(folder, name), 'utf8'), statSync(path.join(folder, name)).mtimeMs])
    const before = files()

    const same = story({ ...inputs, extract: 'check' }, { GITHUB_WORKSPACE: released.workspace })
    await run(same.io)
    expect(same.failures).toEqual([])
    expect(same.outputs).toMatchObject({ status: 'SUCCESS', changed: 'false', changes: '' })
    expect(same.lines).toContain('group: Compare the export with extractPath')
    expect(same.summary()).toContain('✅ no drift')

    world.sim.tools['a-drift'].file = makeToolExport('Drift', 2)
    try {
      const drifted = story({ ...inputs, extract: 'check' }, { GITHUB_WORKSPACE: released.workspace })
      await run(drifted.io)
      expect(drifted.failures).toEqual([
        "The platform's tool differs from koreai/drift: changed flow_definition.json (+1 -1 lines). Nothing was written (extract: check). " +
          'Review the change on the platform (was the tool edited outside the release flow?), or run with extract: true to take it into git.'
      ])
      expect(drifted.outputs).toMatchObject({ status: 'SUCCESS', changed: 'true', changes: 'changed flow_definition.json (+1 -1 lines)' })
      expect(drifted.outputs.extractedPath).toBeUndefined()
      expect(readFileSync(drifted.outputs.filePath).equals(makeToolExport('Drift', 2))).toBe(true)
      expect(drifted.lines).toContain(
        `Compared 3 files with ${folder}: 1 changed (flow_definition.json). Nothing was written (extract: check).`
      )
      expect(drifted.summary()).toContain('✅ SUCCESS')
      expect(drifted.summary()).toContain('❌ drift: 1 file differs from the folder; nothing was written')
      expect(files()).toEqual(before)
    } finally {
      world.sim.tools['a-drift'].file = makeToolExport('Drift', 1)
    }
  })

  it('redactionKey: masked right after the key, and it keys the placeholders written to git', async () => {
    const redactionKey = 'rk-story-0123456789abcdef'
    const s = story({
      toolId: 'a-drift',
      flowId: 'cf-5',
      extract: 'true',
      extractPath: 'koreai/drift',
      uploadArtifact: 'false',
      redactionKey
    })
    await run(s.io)
    expect(s.failures).toEqual([])
    expect(s.secrets.slice(0, 2)).toEqual([STORY_KEY, redactionKey])
    const written = JSON.parse(readFileSync(path.join(s.workspace, 'koreai', 'drift', 'env_variables.json'), 'utf8')) as { value: string }[]
    expect(written.map(v => v.value)).toEqual([placeholder('REGION', 'eu', redactionKey)])
    expect([...s.lines, s.summary(), JSON.stringify(s.outputs)].join('\n')).not.toContain(redactionKey)
  })

  it('extract: check on a set: a tool that failed does not hide the drift of another; one failure says both', async () => {
    const s = story({ tools: 'a-failed cf-3 broken\na-drift cf-5 drift', extract: 'check', extractPath: 'koreai', uploadArtifact: 'false' })
    await run(s.io)
    expect(s.failures).toHaveLength(1)
    expect(s.failures[0]).toMatch(
      /^1 of 2 tools failed: broken: The platform reported the export job FAILED .* The platform's tools differ from git \(1 of 1\): drift differs from koreai\/drift: added app_definition\.json/
    )
    expect(s.failures[0]).toMatch(/the other tools were exported in full\. Review each change on the platform/)
    expect(s.outputs).toMatchObject({ changed: 'true', succeeded: '1', failed: '1' })
    expect(s.outputs.changes.split('\n')).toEqual([
      expect.stringMatching(/^added drift\/app_definition\.json/),
      expect.stringMatching(/^added drift\/env_variables\.json/),
      expect.stringMatching(/^added drift\/flow_definition\.json/)
    ])
    expect(readdirSync(s.workspace)).toEqual([])
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
