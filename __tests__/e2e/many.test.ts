/**
 * Many tools, one step: the bundle exports a list of tools, a few at a time, each in full, and a
 * failing one does not stop the others.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { readFileSync, readdirSync } from 'node:fs'
import * as path from 'node:path'
import { makeToolExport } from '../../sim/zip.mjs'
import { commandLines, NODE, singleError, startWorld, type World } from './world.js'

let world: World
beforeAll(async () => {
  world = await startWorld({
    tools: {
      'a-1': { flowId: 'cf-1', name: 'Banking Assistant', durationMs: 1500, file: makeToolExport('Banking Assistant') },
      'a-2': { flowId: 'cf-2', name: 'Travel Desk', durationMs: 1200, file: makeToolExport('Travel Desk') },
      'a-3': { flowId: 'cf-3', name: 'HR Helper', durationMs: 1200, outcome: 'FAILED' },
      'a-4': { flowId: 'cf-4', name: 'IT Desk', durationMs: 1000, file: makeToolExport('IT Desk') },
      'a-5': { flowId: 'cf-5', name: 'Sales Bot', durationMs: 1500, file: makeToolExport('Sales Bot') },
      'a-slow': { flowId: 'cf-6', outcome: 'NEVER' },
      // Its job ends first, so its download is the one a 'slow' fault holds open.
      'a-paced': { flowId: 'cf-7', durationMs: 200 }
    }
  })
})
afterAll(() => world.close())
beforeEach(() => world.reset())

const TOOLS = ['# nightly backup', 'a-1 cf-1 banking', 'a-2 cf-2 travel', '', 'a-3 cf-3 hr', 'a-4 cf-4', 'a-5 cf-5 sales'].join('\n')

describe('tools', () => {
  it('exports every tool in full, two at a time; one FAILED tool fails the step, naming it, and stops no other', async () => {
    const result = await world.run(NODE, {
      tools: TOOLS,
      concurrency: '2',
      path: 'exports',
      extract: 'true',
      extractPath: 'backup',
      artifactName: 'nightly-'
    })
    const error = singleError(result)
    expect(error).toMatch(
      /^::error::1 of 5 tools failed: hr: The platform reported the export job FAILED \(dock status id ds-[^)]+\)\. Check tool a-3 and flow cf-3/
    )

    // Every other tool: its own file, artifact and unpacked folder, byte for byte.
    const results = JSON.parse(result.outputs.results) as Record<string, unknown>[]
    expect(results.map(r => [r.name, r.status, r.error === null])).toEqual([
      ['banking', 'SUCCESS', true],
      ['travel', 'SUCCESS', true],
      ['hr', 'FAILED', false],
      ['a-4', 'SUCCESS', true],
      ['sales', 'SUCCESS', true]
    ])
    for (const [name, toolName] of [
      ['banking', 'Banking Assistant'],
      ['travel', 'Travel Desk'],
      ['a-4', 'IT Desk'],
      ['sales', 'Sales Bot']
    ]) {
      const entry = results.find(r => r.name === name)!
      const expected = makeToolExport(toolName)
      expect(entry.filePath).toBe(path.join(result.workspace, 'exports', name, `nightly-${name}.zip`))
      expect(readFileSync(entry.filePath as string).equals(expected)).toBe(true)
      expect(entry.artifactName).toBe(`nightly-${name}.zip`)
      const artifact = world.emu.artifacts.find(a => a.name === `nightly-${name}.zip`)!
      expect(String(artifact.id)).toBe(String(entry.artifactId))
      expect(readFileSync(artifact.filePath).equals(expected)).toBe(true)
      expect(readdirSync(path.join(result.workspace, 'backup', name)).sort()).toEqual([
        'app_definition.json',
        'env_variables.json',
        'flow_definition.json'
      ])
      expect(entry.changed).toBe(true)
    }
    // The set's changes: every tool's lines, each file named under its tool's folder.
    const changes = result.outputs.changes.split('\n')
    expect(changes).toHaveLength(12)
    expect(changes).toContain('added banking/app_definition.json (+4 -0 lines)')
    expect(changes.filter(line => line.startsWith('added sales/'))).toHaveLength(3)
    expect(result.outputs.changed).toBe('true')
    expect(world.emu.artifacts.some(a => a.name.includes('hr'))).toBe(false)
    expect([result.outputs.status, result.outputs.succeeded, result.outputs.failed, result.outputs.changed]).toEqual([
      'FAILED',
      '4',
      '1',
      'true'
    ])

    // Never more than two jobs in flight; every job on its own schedule.
    expect(world.sim.maxJobsInFlight()).toBe(2)
    for (const id of world.sim.jobs.keys()) {
      const checks = world.sim.requests.filter(r => r.path === `/api/public/dock-status/${id}`).map(r => r.at)
      for (let i = 1; i < checks.length; i++) expect(checks[i] - checks[i - 1]).toBeGreaterThanOrEqual(990)
    }

    // A log a person can follow: every tool's lines carry its name.
    for (const name of ['banking', 'travel', 'hr', 'a-4', 'sales'])
      expect(result.stdout).toContain(`[${name}] Export started: dock status id ds-`)
    expect(result.stdout).toMatch(/^\[hr\] Failed: The platform reported the export job FAILED/m)
    expect(result.stdout).toMatch(/^\[banking\] Done in \d+\.\d s: /m)
    expect(result.stdout).toContain('4 of 5 tools exported; 1 failed.')

    // The summary: one row per tool, failures first.
    const rows = result.summary.split('<tr>').slice(2)
    expect(rows[0]).toContain('<td>hr</td>')
    expect(rows).toHaveLength(5)
    expect(result.summary).toContain('❌ 4 of 5 tools exported')
  })

  it('refuses bad lines, and tools together with toolId, before any request', async () => {
    const bad = await world.run(NODE, { tools: 'a-1 cf-1\na-2\na-3 cf-3 no/slash' })
    const error = singleError(bad)
    expect(error).toContain('input "tools" line 2 has 1 field')
    expect(error).toContain('input "tools" line 3: the name "no/slash" may hold only letters')
    const both = await world.run(NODE, { tools: 'a-1 cf-1', toolId: 'a-2', flowId: 'cf-2' })
    expect(singleError(both)).toContain('input "tools" cannot be given together with "toolId"')
    expect(world.sim.requests).toEqual([])
  })

  it('stops every tool within two seconds when cancelled, naming the jobs left running', async () => {
    const action = world.start(
      NODE,
      { tools: 'a-slow cf-6 slow\na-1 cf-1 banking', uploadArtifact: 'false' },
      { env: { ACTIONS_RUNTIME_TOKEN: undefined } }
    )
    await action.waitForOutput(/\[slow\] Export started/)
    await action.waitForOutput(/\[banking\] Export started/)
    const sentAt = Date.now()
    action.child.kill('SIGTERM')
    const result = await action.done
    expect(Date.now() - sentAt).toBeLessThan(2000)
    const error = singleError(result)
    expect(error).toMatch(
      /^::error::The export was cancelled \(SIGTERM\)\. Not exported: slow \(cancelled during the wait\), banking \(cancelled during the wait\)\. Left running on the platform: slow \(dock status id ds-[^)]+\), banking \(dock status id ds-[^)]+\)\. No partial file was kept\./
    )
    expect(commandLines(result.stdout, 'warning')).toEqual([])
  })

  it('tells the truth after a cancellation: results, succeeded and failed set, a cut-off download never green', async () => {
    world.sim.faults.download.push({ kind: 'slow' })
    const action = world.start(NODE, {
      tools: 'a-1 cf-1 banking\na-paced cf-7 paced\na-slow cf-6 slow\na-2 cf-2 travel',
      concurrency: '2',
      path: 'exports'
    })
    await action.waitForOutput(/\[paced\] Downloading from/)
    await action.waitForOutput(/\[banking\] Done in/)
    action.child.kill('SIGINT')
    const result = await action.done
    const error = singleError(result)
    expect(error).toContain(
      'Not exported: paced (cancelled during the download), slow (cancelled during the wait), travel (cancelled before it started).'
    )
    expect(error).not.toContain('banking')
    // What the README's `if: always()` step reads.
    const results = JSON.parse(result.outputs.results) as Record<string, unknown>[]
    expect(results.map(({ name, state, phase }) => ({ name, state, phase }))).toEqual([
      { name: 'banking', state: 'exported', phase: null },
      { name: 'paced', state: 'cancelled', phase: 'download' },
      { name: 'slow', state: 'cancelled', phase: 'wait' },
      { name: 'travel', state: 'cancelled', phase: null }
    ])
    expect(results[0].sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(results[1].filePath).toBeUndefined()
    expect(result.outputs).toMatchObject({ status: 'FAILED', succeeded: '1', failed: '3' })
    // No tool that was not kept in full shows green.
    const rows = result.summary.split('<tr>').slice(2)
    expect(rows.filter(row => row.includes('✅'))).toHaveLength(1)
    expect(rows.find(row => row.includes('paced'))).toContain('❌ the export job succeeded; the download was cancelled')
    expect(readdirSync(path.join(result.workspace, 'exports', 'paced')).filter(name => !name.startsWith('.'))).toEqual([])
  })
})
