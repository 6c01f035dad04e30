/**
 * The import's story, run in-process from src/ against the platform simulator (File Upload,
 * import, dock status) and, for the backup, the artifact emulator: what a user notices of a run,
 * without a bundle. The bundle's own end-to-end tests are in __tests__/e2e/import.test.ts.
 */
import { describe, expect, it } from '@jest/globals'
import { mkdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { makeToolExport, toolDefinitions } from '../../../sim/zip.mjs'
import { run } from '../../../src/import/run.js'
import { storyWorld, type StoryRun } from '../story-io.js'

const world = storyWorld({
  tools: { 'a-1': { flowId: 'cf-1', name: 'Banking Assistant', durationMs: 200 } },
  importDurationMs: 300
})

/** A run of the import story whose workspace holds the export as backups/tool.zip. */
function story(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): StoryRun {
  const made = world.run('import', { source: 'backups/tool.zip', ...inputs }, env)
  mkdirSync(path.join(made.workspace, 'backups'), { recursive: true })
  writeFileSync(path.join(made.workspace, 'backups', 'tool.zip'), makeToolExport('Banking Assistant'))
  return made
}

describe('the import story, in-process', () => {
  it('imports a zip as a new tool: a group per step, the outputs, the summary', async () => {
    const s = story({ toolName: 'Banking Assistant (copy)' })
    await run(s.io)
    expect(s.failures).toEqual([])
    expect(s.lines.filter(line => line.startsWith('group: '))).toEqual([
      'group: Verify the source',
      'group: Upload the definitions',
      'group: Import',
      'group: Wait for the import job (timeout 600 s)'
    ])
    expect(s.outputs).toMatchObject({ status: 'SUCCESS', toolId: world.sim.imports[0].toolId ?? expect.stringMatching(/^a-new-/) })
    expect(world.sim.imports).toHaveLength(1)
    const [flow] = toolDefinitions('Banking Assistant')
    expect(world.sim.files.get(String(world.sim.imports[0].body.flowDataFileId))!.bytes.toString('utf8')).toBe(flow.data)
    expect(s.lines.at(-1)).toMatch(/^Import complete in \d+\.\d s\.$/)
    expect(s.summary()).toContain('✅ SUCCESS')
  })

  it('quotes the reason from the first answer when it already says FAILED', async () => {
    world.sim.faults.import.push({
      kind: 'answer',
      body: JSON.stringify({ dockStatusId: 'ds-first', toolId: 'a-new-9', status: 'FAILED', message: 'Missing guardrail "pii"' })
    })
    const s = story({ toolName: 'Banking Assistant (copy)' })
    await run(s.io)
    expect(s.failures).toEqual([
      expect.stringMatching(
        /^The platform reported the import job FAILED \(dock status id ds-first\)\. The platform said: "Missing guardrail "pii""\./
      )
    ])
    expect(s.outputs.status).toBe('FAILED')
  })

  it('a dry run reads, settles and plans, and sends nothing', async () => {
    const s = story({ toolName: 'Banking Assistant (copy)', dryRun: 'true' })
    await run(s.io)
    expect(s.failures).toEqual([])
    expect(world.sim.requests).toEqual([])
    expect(s.lines).toContain('No write request was sent.')
    expect(s.summary()).toContain('dry run')
  })

  it('into an existing tool: backed up first through the export pipeline, the backup artifact an output', async () => {
    await world.withRunnerVariables(async () => {
      const s = story({ toolId: 'a-1', flowId: 'cf-1' }, world.emu.runtimeEnv())
      await run(s.io)
      expect(s.failures).toEqual([])
      expect(s.lines).toContain('group: Back up the tool as it is now')
      expect(world.emu.artifacts).toHaveLength(1)
      expect(s.outputs.backupArtifactId).toBe(String(world.emu.artifacts[0].id))
      expect(world.sim.imports[0].toolId).toBe('a-1')
    })
  })
})
