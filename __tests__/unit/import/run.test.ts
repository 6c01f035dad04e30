/**
 * The import's story, run in-process from src/ against the platform simulator (File Upload,
 * import, dock status) and, for the backup, the artifact emulator: what a user notices of a run,
 * without a bundle. The bundle's own end-to-end tests are in __tests__/e2e/import.test.ts.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { startArtifactEmulator } from '../../../sim/artifact-emulator.mjs'
import { startPlatformSimulator } from '../../../sim/platform-simulator.mjs'
import { makeToolExport, toolDefinitions } from '../../../sim/zip.mjs'
import { run } from '../../../src/import/run.js'
import { storyRun, type StoryRun } from '../story-io.js'

const KEY = 'kg-story-0123456789-secret'
let sim: Awaited<ReturnType<typeof startPlatformSimulator>>
let emu: Awaited<ReturnType<typeof startArtifactEmulator>>
let artifactsDir: string
const runs: StoryRun[] = []

beforeAll(async () => {
  artifactsDir = mkdtempSync(path.join(os.tmpdir(), 'koreai-story-artifacts-'))
  sim = await startPlatformSimulator({
    keys: { [KEY]: true },
    tools: { 'a-1': { flowId: 'cf-1', name: 'Banking Assistant', durationMs: 200 } },
    importDurationMs: 300
  })
  emu = await startArtifactEmulator({ dir: artifactsDir })
})
afterAll(async () => {
  await Promise.all([sim.close(), emu.close()])
  rmSync(artifactsDir, { recursive: true, force: true })
})
beforeEach(() => {
  sim.reset()
  emu.reset()
})
afterEach(() => {
  for (const done of runs.splice(0)) done.dispose()
})

/** A run of the import story whose workspace holds the export as backups/tool.zip. */
function story(inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}): StoryRun {
  const made = storyRun('import', { host: sim.url, key: KEY, source: 'backups/tool.zip', ...inputs }, env)
  mkdirSync(path.join(made.workspace, 'backups'), { recursive: true })
  writeFileSync(path.join(made.workspace, 'backups', 'tool.zip'), makeToolExport('Banking Assistant'))
  runs.push(made)
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
    expect(s.outputs).toMatchObject({ status: 'SUCCESS', toolId: sim.imports[0].toolId ?? expect.stringMatching(/^a-new-/) })
    expect(sim.imports).toHaveLength(1)
    const [flow] = toolDefinitions('Banking Assistant')
    expect(sim.files.get(String(sim.imports[0].body.flowDataFileId))!.bytes.toString('utf8')).toBe(flow.data)
    expect(s.lines.at(-1)).toMatch(/^Import complete in \d+\.\d s\.$/)
    expect(s.summary()).toContain('✅ SUCCESS')
  })

  it('quotes the reason from the first answer when it already says FAILED', async () => {
    sim.faults.import.push({
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
    expect(sim.requests).toEqual([])
    expect(s.lines).toContain('No write request was sent.')
    expect(s.summary()).toContain('dry run')
  })

  it('into an existing tool: backed up first through the export pipeline, the backup artifact an output', async () => {
    const saved = { ...process.env }
    // The artifact client reads the runner's variables from the process itself.
    Object.assign(process.env, emu.runtimeEnv())
    try {
      const s = story({ toolId: 'a-1', flowId: 'cf-1' }, emu.runtimeEnv())
      await run(s.io)
      expect(s.failures).toEqual([])
      expect(s.lines).toContain('group: Back up the tool as it is now')
      expect(emu.artifacts).toHaveLength(1)
      expect(s.outputs.backupArtifactId).toBe(String(emu.artifacts[0].id))
      expect(sim.imports[0].toolId).toBe('a-1')
    } finally {
      process.env = saved
    }
  })
})
