/**
 * The import entry end to end: the committed dist/import bundle, run as a runner runs
 * it, against the platform simulator's File Upload, import and dock status routes, with the
 * backup uploaded by the real @actions/artifact client to the emulator.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { placeholder } from '../../src/tool-export/env-variables.js'
import { makeToolExport, makeZip, toolDefinitions } from '../../sim/zip.mjs'
import { KEY, RUNTIMES, commandLines, singleError, startWorld, type World } from './world.js'

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex')
const SECRET_VALUE = 'vault-token-7f3a9c2e1b'

describe.each(RUNTIMES)('restore on %s', (_label, node) => {
  let world: World
  let workspaces = 0
  beforeAll(async () => {
    world = await startWorld({
      tools: { 'a-sample': { flowId: 'cf-1', name: 'Banking Assistant', durationMs: 300 } },
      importDurationMs: 600
    })
  })
  afterAll(() => world.close())
  beforeEach(() => world.reset())

  /** A workspace holding `files` (relative name -> bytes), under the world's folder. */
  const workspaceWith = (files: Record<string, Buffer | string>): string => {
    const workspace = path.join(world.artifactsDir, `workspace-${++workspaces}`)
    for (const [name, data] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(workspace, name)), { recursive: true })
      writeFileSync(path.join(workspace, name), data)
    }
    return workspace
  }
  const restore = (inputs: Record<string, string>, workspace: string) => world.run(node, inputs, { entry: 'import', workspace })
  /** What arrived through File Upload under the file id the import request named. */
  const arrived = (field: string): string => world.sim.files.get(String(world.sim.imports[0].body[field]))!.bytes.toString('utf8')
  const writes = () => world.sim.requests.filter(request => request.method === 'POST')
  const redactedEnv = JSON.stringify([{ key: 'REGION', value: placeholder('REGION', 'eu', KEY) }], null, 2)

  it('imports a zip as a new tool: what arrived for each file id is the source definitions', async () => {
    const zip = makeToolExport('Banking Assistant')
    const result = await restore(
      { source: 'backups/Banking Assistant.zip', toolName: 'Banking Assistant (restored)' },
      workspaceWith({ 'backups/Banking Assistant.zip': zip })
    )

    expect(commandLines(result.stdout, 'error')).toEqual([])
    expect(result.code).toBe(0)
    expect(result.outputs.status).toBe('SUCCESS')
    expect(result.outputs.toolId).toMatch(/^a-new-\d+$/)
    expect(result.outputs.dockStatusId).toBe(world.sim.imports[0].dockStatusId)
    // The platform's logs tell the entry point that sent each request.
    expect(new Set(world.sim.requests.filter(request => request.server === 'platform').map(request => request.userAgent))).toEqual(
      new Set(['koreai-tool-export/1 (import)'])
    )
    expect(result.outputs.backupArtifactId).toBeUndefined()
    expect(world.sim.imports).toHaveLength(1)
    expect(world.sim.imports[0].toolId).toBeUndefined()
    expect(world.sim.imports[0].body.toolName).toBe('Banking Assistant (restored)')
    const [flow, app, env] = toolDefinitions('Banking Assistant')
    expect(arrived('flowDataFileId')).toBe(flow.data)
    expect(arrived('toolDataFileId')).toBe(app.data)
    expect(arrived('envVariablesFileId')).toBe(env.data)
    expect([...world.sim.files.values()].every(file => file.via === 'one request')).toBe(true)
    expect(commandLines(result.stdout, 'group')).toEqual([
      '::group::Verify the source',
      '::group::Upload the definitions',
      '::group::Import',
      '::group::Wait for the import job (timeout 600 s)'
    ])
    expect(result.summary).toContain(sha256(zip))
    expect(result.summary).toContain('Banking Assistant (restored)')
    expect(result.summary).toContain('<code>REGION</code>')
    expect(result.stdout.replace(`::add-mask::${KEY}`, '')).not.toContain(KEY)
  })

  it('backs the existing tool up before importing a new version, and keeps a redacted value from it', async () => {
    const definitions = toolDefinitions('Banking Assistant', 2)
    const workspace = workspaceWith({
      'copy/flow_definition.json': JSON.stringify(JSON.parse(definitions[0].data), null, 2),
      'copy/app_definition.json': JSON.stringify(JSON.parse(definitions[1].data), null, 2),
      'copy/env_variables.json': redactedEnv
    })
    const result = await restore({ source: 'copy', toolId: 'a-sample', flowId: 'cf-1' }, workspace)

    expect(commandLines(result.stdout, 'error')).toEqual([])
    expect(result.code).toBe(0)
    // The backup: exported and uploaded before anything was uploaded or imported; it holds the tool as it was.
    const artifact = world.emu.artifacts.find(a => String(a.id) === result.outputs.backupArtifactId)!
    expect(artifact.name).toMatch(/^koreai-tool-a-sample-before-import-\d{8}T\d{9}Z\.zip$/)
    expect(readFileSync(artifact.filePath).equals(makeToolExport('Banking Assistant'))).toBe(true)
    const paths = writes().map(request => request.path)
    expect(paths[0]).toBe('/api/public/tools/a-sample/export?flowId=cf-1')
    expect(paths.at(-1)).toBe('/api/public/tools/a-sample/import')
    expect(result.summary).toContain(`/artifacts/${result.outputs.backupArtifactId}">${artifact.name}</a>`)
    // A folder of pretty JSON: its definitions go up as they are, the placeholder replaced by the tool's current value.
    expect(arrived('flowDataFileId')).toBe(JSON.stringify(JSON.parse(definitions[0].data), null, 2))
    expect(JSON.parse(arrived('envVariablesFileId'))).toEqual([{ key: 'REGION', value: 'eu' }])
    expect(world.sim.imports[0].body).not.toHaveProperty('toolName')
    expect(result.outputs.toolId).toBe('a-sample')
    expect(result.stdout).toMatch(/^Variable REGION: the existing tool's current value \(kept\)$/m)
  })

  it('refuses a redacted value left without one before any request, naming it', async () => {
    const workspace = workspaceWith({
      'copy/flow_definition.json': toolDefinitions()[0].data,
      'copy/app_definition.json': toolDefinitions()[1].data,
      'copy/env_variables.json': JSON.stringify({
        REGION: placeholder('REGION', 'eu', KEY),
        API_TOKEN: placeholder('API_TOKEN', 'x', KEY),
        MODE: 'live'
      })
    })
    const error = singleError(await restore({ source: 'copy', toolName: 'New' }, workspace))

    expect(error).toContain('REGION, API_TOKEN')
    expect(error).not.toContain('MODE')
    expect(error).toContain('envValues')
    expect(world.sim.requests).toEqual([])
  })

  it('fills a redacted value from envValues, and never shows it', async () => {
    const workspace = workspaceWith({
      'copy/flow_definition.json': toolDefinitions()[0].data,
      'copy/app_definition.json': toolDefinitions()[1].data,
      'copy/env_variables.json': redactedEnv
    })
    const result = await restore({ source: 'copy', toolName: 'New', envValues: JSON.stringify({ REGION: SECRET_VALUE }) }, workspace)

    expect(result.code).toBe(0)
    expect(JSON.parse(arrived('envVariablesFileId'))).toEqual([{ key: 'REGION', value: SECRET_VALUE }])
    expect(result.stdout).toContain(`::add-mask::${SECRET_VALUE}`)
    expect(result.stdout.replace(`::add-mask::${SECRET_VALUE}`, '')).not.toContain(SECRET_VALUE)
    expect(result.summary).not.toContain(SECRET_VALUE)
    expect(result.summary).toContain('from envValues')
  })

  it('dryRun sends no write and writes the plan', async () => {
    const zip = makeToolExport('Banking Assistant')
    const workspace = workspaceWith({ 'b.zip': zip })
    const artifactsBefore = world.emu.artifacts.length
    const result = await restore({ source: 'b.zip', toolId: 'a-sample', flowId: 'cf-1', dryRun: 'true' }, workspace)

    expect(result.code).toBe(0)
    expect(world.sim.requests).toEqual([])
    expect(world.emu.artifacts).toHaveLength(artifactsBefore)
    expect(result.summary).toContain('dry run')
    expect(result.summary).toContain(sha256(zip))
    expect(result.summary).toContain('flow_definition.json')
    expect(result.summary).toContain('kept, if the tool has one')
  })

  it('refuses a damaged source before any request', async () => {
    const [flow, ...rest] = toolDefinitions()
    const zip = makeZip([{ ...flow, crc: 0x1234 }, ...rest])
    const error = singleError(await restore({ source: 'bad.zip', toolName: 'New' }, workspaceWith({ 'bad.zip': zip })))

    expect(error).toContain('fails its CRC check')
    expect(error).toContain('Nothing was sent to the platform')
    expect(world.sim.requests).toEqual([])
  })

  it('refuses toolId with toolName, and toolId with backupBefore but no flowId, before any request', async () => {
    const workspace = workspaceWith({ 'b.zip': makeToolExport() })
    const both = singleError(await restore({ source: 'b.zip', toolName: 'New', toolId: 'a-sample', flowId: 'cf-1' }, workspace))
    expect(both).toContain('"toolId" and "toolName" cannot be given together')
    const noFlow = singleError(await restore({ source: 'b.zip', toolId: 'a-sample' }, workspace))
    expect(noFlow).toMatch(/"flowId".*"backupBefore"/)
    expect(world.sim.requests).toEqual([])
  })

  it('fails with the platform message when the import job FAILED', async () => {
    world.sim.importJob.outcome = 'FAILED'
    const result = await restore({ source: 'b.zip', toolName: 'New' }, workspaceWith({ 'b.zip': makeToolExport() }))
    const error = singleError(result)

    expect(error).toContain('FAILED')
    expect(error).toContain('incompatible tool version')
    expect(result.outputs.status).toBe('FAILED')
  })

  it('quotes the reason from the first answer when it already says FAILED', async () => {
    world.sim.faults.import.push({
      kind: 'answer',
      body: JSON.stringify({
        dockStatusId: 'ds-first',
        toolId: 'a-new-9',
        status: 'FAILED',
        errors: [{ msg: 'Guardrail "pii" is missing' }]
      })
    })
    const result = await restore({ source: 'b.zip', toolName: 'New' }, workspaceWith({ 'b.zip': makeToolExport() }))
    expect(singleError(result)).toMatch(
      /^::error::The platform reported the import job FAILED \(dock status id ds-first\)\. The platform said: "Guardrail "pii" is missing"\./
    )
    expect(result.outputs.status).toBe('FAILED')
    // The first answer settled it: no status check was made.
    expect(world.sim.requests.filter(request => request.path.includes('/dock-status/'))).toEqual([])
  })

  it('refuses one file id for two definitions before the import request', async () => {
    for (let i = 0; i < 3; i++)
      world.sim.faults.upload.push({
        kind: 'answer',
        body: JSON.stringify({ fileId: 'f-same', url: 'https://files.example/f?s=sig-0123456789' })
      })
    const result = await restore({ source: 'b.zip', toolName: 'New' }, workspaceWith({ 'b.zip': makeToolExport() }))
    const error = singleError(result)
    expect(error).toContain('The platform gave the same file id f-same for app_definition.json and flow_definition.json')
    expect(error).toContain('Nothing was imported.')
    expect(world.sim.imports).toEqual([])
  })

  it('does not send the import again after a 502: it may have started', async () => {
    world.sim.faults.import.push({ kind: 'status', status: 502 })
    const error = singleError(await restore({ source: 'b.zip', toolName: 'New' }, workspaceWith({ 'b.zip': makeToolExport() })))

    expect(world.sim.imports).toHaveLength(1)
    expect(error).toContain('HTTP 502')
    expect(error).toContain('the import may have started')
    expect(error).toContain('a new tool named "New"')
  })

  it('sends the import again after a 429, once Retry-After has passed', async () => {
    world.sim.faults.import.push({ kind: 'status', status: 429, retryAfter: '2' })
    const result = await restore({ source: 'b.zip', toolName: 'New' }, workspaceWith({ 'b.zip': makeToolExport() }))

    expect(result.code).toBe(0)
    expect(world.sim.imports).toHaveLength(2)
    expect(world.sim.imports[1].at - world.sim.imports[0].at).toBeGreaterThanOrEqual(2000)
    expect(world.sim.importJobs.size).toBeGreaterThan(0)
  })

  it('explains a 403: the Import Tool scope, and that only a deployed tool takes a version', async () => {
    world.sim.faults.import.push({ kind: 'status', status: 403, body: 'No scope for tools import' })
    const error = singleError(
      await restore({ source: 'b.zip', toolId: 'a-sample', backupBefore: 'false' }, workspaceWith({ 'b.zip': makeToolExport() }))
    )

    expect(error).toContain('HTTP 403 Forbidden')
    // The platform's own message is quoted, as the export quotes it.
    expect(error).toContain('The platform said: "No scope for tools import"')
    expect(error).toContain('"Import Tool" scope')
    expect(error).toContain('deployed')
    expect(world.sim.imports).toHaveLength(1)
  })

  it('uploads a file of 25 MB or more in chunks, numbered from 0', async () => {
    const big = Buffer.from(`{"name":"Big","nodes":["${'x'.repeat(26 * 1000 * 1000)}"]}`)
    const [, app, env] = toolDefinitions()
    const zip = makeZip([{ name: 'flow_definition.json', data: big }, app, env])
    const result = await restore({ source: 'big.zip', toolName: 'Big' }, workspaceWith({ 'big.zip': zip }))

    expect(result.code).toBe(0)
    const flow = world.sim.files.get(String(world.sim.imports[0].body.flowDataFileId))!
    expect(flow.via).toBe('chunks')
    expect(flow.chunks).toBe(Math.ceil(big.length / (5 * 1024 * 1024)))
    expect(flow.bytes.equals(big)).toBe(true)
    expect(world.sim.files.get(String(world.sim.imports[0].body.toolDataFileId))!.via).toBe('one request')
    expect(result.stdout).toMatch(/^Uploaded flow_definition\.json in 5 chunks: file id /m)
  })

  it('says an upload session expired, not that host is wrong, when a 404 comes midway through its chunks', async () => {
    const big = Buffer.from(`{"name":"Big","nodes":["${'x'.repeat(26 * 1000 * 1000)}"]}`)
    const [, app, env] = toolDefinitions()
    // app_definition.json in one request, the session started, two chunks taken; then the 404.
    for (let i = 0; i < 4; i++) world.sim.faults.upload.push({ kind: 'pass' })
    world.sim.faults.upload.push({ kind: 'status', status: 404, body: 'Upload session expired' })
    const result = await restore(
      { source: 'big.zip', toolName: 'Big' },
      workspaceWith({ 'big.zip': makeZip([{ name: 'flow_definition.json', data: big }, app, env]) })
    )
    const error = singleError(result)
    expect(error).toContain('Uploading chunk 2 of flow_definition.json failed: HTTP 404 Not Found')
    expect(error).toContain('The platform said: "Upload session expired"')
    expect(error).toContain('is no longer known to it: it most likely expired. Run the workflow again: a new run starts a new session.')
    expect(error).not.toContain('does not know the import API')
    expect(world.sim.imports).toEqual([])
  })
})
