/**
 * The action end to end: the committed bundle, run as a runner runs it, against the platform
 * simulator over real HTTP, uploading with the real @actions/artifact client to the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { makeToolExport, makeZip } from '../../sim/zip.mjs'
import { KEY, RUNTIMES, commandLines, startWorld, type World, singleError } from './world.js'

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

describe.each(RUNTIMES)('on %s', (_label, node) => {
  let world: World
  beforeAll(async () => {
    world = await startWorld({
      tools: {
        'a-sample': { flowId: 'cf-1', name: 'Banking Assistant', durationMs: 1200, variant: 'sample', redirect: true },
        'a-table': { flowId: 'cf-2', name: 'Travel Desk', durationMs: 300, variant: 'table' },
        'a-model': { flowId: 'cf-3', name: 'HR Helper', durationMs: 300, variant: 'model', urlOnStatus: true },
        'a-failed': { flowId: 'cf-4', durationMs: 1200, outcome: 'FAILED' },
        'a-slow': { flowId: 'cf-5', outcome: 'NEVER' }
      }
    })
  })
  afterAll(() => world.close())

  it('succeeds: the file on disk and in the artifact, outputs, summary, logs', async () => {
    const expected = makeToolExport('Banking Assistant')
    const result = await world.run(node, { toolId: 'a-sample', flowId: 'cf-1' })

    expect(result.code).toBe(0)
    expect(commandLines(result.stdout, 'error')).toEqual([])
    expect(world.sim.requests.map(request => request.userAgent)).toContain('koreai-tool-export/1 (export)')
    const out = result.outputs
    expect(out.status).toBe('SUCCESS')
    expect(out.dockStatusId).toMatch(/^ds-/)
    expect(out.exportJobId).toMatch(/^tool-ej-/)
    expect(out.downloadUrl).toMatch(new RegExp(`^${world.sim.url}/api/v1/account/`))
    // The file, named after the artifact (the platform proposes "Banking Assistant.zip"), under the runner's temp folder.
    expect(out.filePath).toBe(path.join(result.runnerTemp, 'koreai-tool-export', 'a-sample', 'koreai-tool-a-sample.zip'))
    expect(readFileSync(out.filePath).equals(expected)).toBe(true)
    expect(out.sha256).toBe(sha256(expected))
    expect(out.size).toBe(String(expected.length))
    // Nothing half-written beside it.
    expect(readdirSync(path.dirname(out.filePath))).toEqual(['koreai-tool-a-sample.zip'])

    // The artifact: the export itself (not a zip in a zip), named after the artifact.
    expect(out.artifactName).toBe('koreai-tool-a-sample.zip')
    const artifact = world.emu.artifacts.find(a => a.name === 'koreai-tool-a-sample.zip')!
    expect(String(artifact.id)).toBe(out.artifactId)
    expect(readFileSync(artifact.filePath).equals(expected)).toBe(true)
    expect(artifact.hash).toBe(`sha256:${sha256(expected)}`)
    expect(artifact.mimeType).toBe('application/zip')
    expect(out.artifactUrl).toBe(`https://github.com/octo-org/agents/actions/runs/4242/artifacts/${artifact.id}`)

    // Logs a person can follow: a group per phase, the status change, the key never shown.
    expect(commandLines(result.stdout, 'group')).toEqual([
      '::group::Start the export',
      '::group::Wait for the export job (timeout 600 s)',
      '::group::Download and verify the export',
      '::group::Upload the artifact'
    ])
    expect(result.stdout).toMatch(/^Status: SUCCESS after \d+ s \(\d+ checks\)$/m)
    expect(result.stdout.replace(`::add-mask::${KEY}`, '')).not.toContain(KEY)
    // The artifact's signed upload URL shows in the upload client's debug lines: its signature
    // must be masked before it first appears, so the runner prints *** instead.
    const signatures = [...result.stdout.matchAll(/[?&]sig=([^&"\s]+)/g)]
    expect(signatures.length).toBeGreaterThan(0)
    for (const found of signatures) {
      const mask = result.stdout.indexOf(`::add-mask::${decodeURIComponent(found[1])}\n`)
      expect(mask).toBeGreaterThanOrEqual(0)
      expect(mask).toBeLessThan(found.index)
    }

    // The summary a person glances at.
    expect(result.summary).toContain('✅ SUCCESS')
    expect(result.summary).toContain(sha256(expected))
    expect(result.summary).toContain(`<a href="${out.artifactUrl}">koreai-tool-a-sample.zip</a>`)

    // What was sent where: the key to the platform only, not to the storage it redirected to.
    const mine = world.sim.requests.filter(r => r.path.includes('a-sample') || r.server === 'storage')
    expect(mine.find(r => r.server === 'storage')?.apiKey).toBeUndefined()
    expect(world.sim.requests.filter(r => r.server === 'platform').every(r => r.apiKey === KEY)).toBe(true)
  })

  it.each([
    ['a-table', 'cf-2', 'the parameter table (dockStatusId, downloadURL)'],
    ['a-model', 'cf-3', 'the _id variant, URL on the status answer']
  ])('succeeds with %s: %s', async (toolId, flowId) => {
    const result = await world.run(node, { toolId, flowId, artifactName: `${toolId}-snapshot` })
    expect(result.code).toBe(0)
    expect(result.outputs.status).toBe('SUCCESS')
    expect(result.outputs.exportJobId).toMatch(/^agent-ej-/)
    expect(path.basename(result.outputs.filePath)).toBe(`${toolId}-snapshot.zip`)
    expect(result.outputs.artifactName).toBe(`${toolId}-snapshot.zip`)
    const artifact = world.emu.artifacts.find(a => a.name === `${toolId}-snapshot.zip`)!
    expect(readFileSync(artifact.filePath).equals(readFileSync(result.outputs.filePath))).toBe(true)
  })

  it('fails when the job ends FAILED: one error, status FAILED, no file, no artifact', async () => {
    const result = await world.run(node, { toolId: 'a-failed', flowId: 'cf-4', path: 'exports' })
    const error = singleError(result)
    expect(error).toMatch(
      /^::error::The platform reported the export job FAILED \(dock status id ds-[^)]+\)\. Check tool a-failed and flow cf-4/
    )
    expect(result.outputs.status).toBe('FAILED')
    expect(result.outputs.dockStatusId).toMatch(/^ds-/)
    expect(result.outputs.filePath).toBeUndefined()
    expect(existsSync(path.join(result.workspace, 'exports'))).toBe(false)
    expect(world.emu.artifacts.some(a => a.name.includes('a-failed'))).toBe(false)
    expect(result.summary).toContain('❌ FAILED')
  })

  it('fails when the wait times out: status IN_PROGRESS, the timeout named', async () => {
    const result = await world.run(node, { toolId: 'a-slow', flowId: 'cf-5', timeoutSeconds: '2.5' })
    const error = singleError(result)
    expect(error).toContain('did not finish within 2.5 s (timeoutSeconds); it was still IN_PROGRESS')
    expect(error).toContain('Raise "timeoutSeconds"')
    expect(result.outputs.status).toBe('IN_PROGRESS')
    // It gave up at the timeout, not long after (process start included).
    expect(result.ms).toBeLessThan(8000)
  })

  it("uploads a big export with the README's low-memory settings: the same bytes, told to keep two blocks in flight", async () => {
    // 40 MiB: five 8 MiB blocks, so the number of blocks in flight has something to limit.
    const folder = mkdtempSync(path.join(os.tmpdir(), 'koreai-blocks-'))
    // A tool export whose flow definition is 40 MiB of JSON (a long prompt), stored as is.
    const big = makeZip([
      { name: 'flow_definition.json', data: JSON.stringify({ nodes: [{ prompt: randomBytes(30 << 20).toString('base64') }] }) }
    ])
    writeFileSync(path.join(folder, 'big.zip'), big)
    try {
      for (const [toolId, env, inFlight] of [
        ['a-big', {}, 5],
        ['a-big-lean', { NODE_OPTIONS: '--max-semi-space-size=1', ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY: '2' }, 2]
      ] as const) {
        world.sim.addTool(toolId, { flowId: 'cf-6', name: 'Big Tool', durationMs: 100, filePath: path.join(folder, 'big.zip') })
        const result = await world.run(node, { toolId, flowId: 'cf-6', artifactName: toolId }, { env })
        expect(result.code).toBe(0)
        expect(readFileSync(world.emu.artifacts.find(a => a.name === `${toolId}.zip`)!.filePath).equals(big)).toBe(true)
        // The upload client's own debug line: what it was told to keep in flight.
        expect(result.stdout).toContain(
          `::debug::Uploading artifact to blob storage with maxConcurrency: ${inFlight}, bufferSize: ${8 << 20},`
        )
      }
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })

  it('keeps the file on the runner only when uploadArtifact is false', async () => {
    const result = await world.run(
      node,
      { toolId: 'a-table', flowId: 'cf-2', uploadArtifact: 'false', path: 'out/tools' },
      { env: { ACTIONS_RUNTIME_TOKEN: undefined, ACTIONS_RESULTS_URL: undefined } }
    )
    expect(result.code).toBe(0)
    expect(result.outputs.filePath).toBe(path.join(result.workspace, 'out', 'tools', 'koreai-tool-a-table.zip'))
    expect(result.outputs.artifactId).toBeUndefined()
    expect(result.stdout).toContain('uploadArtifact is false: the file stays on the runner only.')
  })

  it('shows how far the job has come on its first status line, for a job that ends within one heartbeat', async () => {
    const result = await world.run(
      node,
      { toolId: 'a-sample', flowId: 'cf-1', uploadArtifact: 'false' },
      { env: { ACTIONS_RUNTIME_TOKEN: undefined } }
    )
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Status: IN_PROGRESS \(\d+ %\) after 1 s \(1 checks\)$/m)
    expect(result.stdout).toMatch(/^Status: SUCCESS after 2 s \(2 checks\)$/m)
    expect(result.stdout).not.toContain('Still IN_PROGRESS')
  })
})
