/**
 * The round trip end to end: back up with the export bundle (its artifact uploaded to
 * the emulator), download that artifact with @actions/artifact's own downloadArtifact as
 * download-artifact v8 calls it (by default: unpacked, since the blob is a zip; with
 * skipDecompress: the zip), and restore from what arrived with the import bundle. The platform
 * must receive the same definitions, byte for byte, either way.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync, readdirSync } from 'node:fs'
import * as path from 'node:path'
import { toolDefinitions } from '../../sim/zip.mjs'
import { startArtifactAction } from '../../sim/workflow-runner.mjs'
import { NODE, commandLines, startWorld, type World } from './world.js'

const TOOL = 'a-round-trip'
const FLOW = 'cf-round-trip'

describe('back up, download the artifact, restore', () => {
  let world: World
  let workspace: string
  let exported: Record<string, string>
  beforeAll(async () => {
    world = await startWorld({ tools: { [TOOL]: { flowId: FLOW, name: 'Banking Assistant', durationMs: 200 } } })
    workspace = path.join(world.artifactsDir, 'workspace')
    const backup = await world.run(NODE, { toolId: TOOL, flowId: FLOW }, { workspace })
    expect(commandLines(backup.stdout, 'error')).toEqual([])
    expect(backup.code).toBe(0)
    exported = backup.outputs
  })
  afterAll(() => world.close())

  /** Downloads the export's artifact into `folder` of the workspace, as download-artifact v8 does. */
  const download = async (folder: string, inputs: Record<string, string>) => {
    const run = await startArtifactAction(
      'download',
      { name: exported.artifactName, path: folder, ...inputs },
      { node: NODE, workspace, base: path.join(world.artifactsDir, `download-${folder}`), env: world.emu.runtimeEnv() }
    ).done
    expect(commandLines(run.stdout, 'error')).toEqual([])
    expect(run.code).toBe(0)
    return run
  }
  const restore = (source: string, toolName: string) => world.run(NODE, { source, toolName }, { entry: 'import', workspace })
  /** What the platform received for one import: each definition, by the file id the import named. */
  const received = (index: number) => {
    const body = world.sim.imports[index].body
    const bytes = (field: string) => world.sim.files.get(String(body[field]))!.bytes
    return {
      'flow_definition.json': bytes('flowDataFileId'),
      'app_definition.json': bytes('toolDataFileId'),
      'env_variables.json': bytes('envVariablesFileId')
    }
  }

  it('the artifact is the export itself, served as application/zip', () => {
    const artifact = world.emu.artifacts.find(a => String(a.id) === exported.artifactId)!
    expect(artifact.name).toBe(`koreai-tool-${TOOL}.zip`)
    expect(artifact.contentType).toBe('application/zip')
    expect(readFileSync(artifact.filePath).equals(readFileSync(exported.filePath))).toBe(true)
  })

  it('restores the same definitions from the unpacked download and from the zip', async () => {
    // By default the client unpacks a zip artifact: the export's files, straight into the folder.
    const unpacked = await download('unpacked', {})
    expect(unpacked.stdout).not.toContain('Downloading raw file')
    expect(readdirSync(path.join(workspace, 'unpacked')).sort()).toEqual([
      'app_definition.json',
      'env_variables.json',
      'flow_definition.json'
    ])
    // skipDecompress: the zip, named after the artifact, byte for byte the export.
    await download('zipped', { 'skip-decompress': 'true' })
    expect(readdirSync(path.join(workspace, 'zipped'))).toEqual([exported.artifactName])
    expect(readFileSync(path.join(workspace, 'zipped', exported.artifactName)).equals(readFileSync(exported.filePath))).toBe(true)
    // Both downloads went the way of the runtime token: the artifact found by name (getArtifact),
    // then by id (downloadArtifact), its signed URL, the blob.
    const downloads = world.emu.requests.filter(request => /ListArtifacts|GetSignedArtifactURL|\/blob\/download\//.test(request.path))
    const once = ['ListArtifacts', 'ListArtifacts', 'GetSignedArtifactURL', exported.artifactId]
    expect(downloads.map(request => request.path.replace(/\?.*/, '').replace(/.*\//, ''))).toEqual([...once, ...once])

    const fromFolder = await restore('unpacked', 'Banking Assistant (from the folder)')
    expect(commandLines(fromFolder.stdout, 'error')).toEqual([])
    expect(fromFolder.outputs.status).toBe('SUCCESS')
    const fromZip = await restore(`zipped/${exported.artifactName}`, 'Banking Assistant (from the zip)')
    expect(commandLines(fromZip.stdout, 'error')).toEqual([])
    expect(fromZip.outputs.status).toBe('SUCCESS')

    // What the platform received: the export's own definitions, byte for byte, both times.
    expect(world.sim.imports.map(i => i.body.toolName)).toEqual(['Banking Assistant (from the folder)', 'Banking Assistant (from the zip)'])
    const source = Object.fromEntries(toolDefinitions('Banking Assistant').map(file => [file.name, Buffer.from(file.data)]))
    for (const index of [0, 1]) {
      const arrived = received(index)
      expect(arrived['flow_definition.json'].equals(source['flow_definition.json'])).toBe(true)
      expect(arrived['app_definition.json'].equals(source['app_definition.json'])).toBe(true)
      expect(JSON.parse(arrived['env_variables.json'].toString('utf8'))).toEqual(JSON.parse(source['env_variables.json'].toString('utf8')))
    }
    expect(received(0)).toEqual(received(1))
    // And the new tools hold them.
    for (const toolId of [fromFolder.outputs.toolId, fromZip.outputs.toolId]) {
      const definitions = world.sim.tool(toolId)!.inDevelopment.definitions!
      expect(definitions['flow_definition.json'].equals(source['flow_definition.json'])).toBe(true)
      expect(definitions['app_definition.json'].equals(source['app_definition.json'])).toBe(true)
    }
  })
})
