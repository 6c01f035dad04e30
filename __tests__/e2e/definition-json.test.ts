/**
 * One rule for what a definition's JSON is, against the bundles: a definition that
 * begins with a UTF-8 byte order mark is valid JSON to the verifier, to the unpack (pretty-printed
 * and redacted, written without the mark) and to the restore alike.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { makeZip } from '../../sim/zip.mjs'
import { placeholder } from '../../src/tool-export/env-variables.js'
import { KEY, NODE, commandLines, startWorld, type World } from './world.js'

const BOM = '\uFEFF'
const FLOW = { name: 'Bot', version: 1, nodes: ['start'] }
const APP = { name: 'Bot', type: 'tool' }
const ENV = [{ key: 'REGION', value: 'eu-west-region-7' }]
/** An export whose every definition begins with a byte order mark, as an editor on Windows writes it. */
const withBoms = makeZip(
  [
    { name: 'flow_definition.json', data: BOM + JSON.stringify(FLOW) },
    { name: 'app_definition.json', data: BOM + JSON.stringify(APP) },
    { name: 'env_variables.json', data: BOM + JSON.stringify(ENV) }
  ],
  { method: 'deflate' }
)

let world: World
beforeAll(async () => {
  world = await startWorld({ tools: { 'a-bot': { flowId: 'cf-1', name: 'Bot', durationMs: 100, file: withBoms } }, importDurationMs: 200 })
})
afterAll(() => world.close())
beforeEach(() => world.reset())

describe('a definition that begins with a byte order mark', () => {
  it('is verified, then unpacked: pretty-printed and redacted, written without the mark', async () => {
    const workspace = path.join(mkdtempSync(path.join(world.artifactsDir, 'bom-')), 'repo')
    const run = () => world.run(NODE, { toolId: 'a-bot', flowId: 'cf-1', extract: 'true', extractPath: 'tools/bot' }, { workspace })
    const result = await run()

    expect(commandLines(result.stdout, 'error')).toEqual([])
    expect(result.code).toBe(0)
    const folder = path.join(workspace, 'tools', 'bot')
    const read = (name: string) => readFileSync(path.join(folder, name), 'utf8')
    expect(read('app_definition.json')).toBe(`${JSON.stringify(APP, null, 2)}\n`)
    expect(read('flow_definition.json')).toBe(`${JSON.stringify(FLOW, null, 2)}\n`)
    expect(JSON.parse(read('env_variables.json'))).toEqual([{ key: 'REGION', value: placeholder('REGION', ENV[0].value, KEY) }])
    expect(result.stdout).toContain('envVariables redact: 1 value replaced by a placeholder.')

    // The same export again is no change, although the folder's files have no mark and the export's have.
    world.reset()
    const again = await run()
    expect(again.code).toBe(0)
    expect(again.outputs.changed).toBe('false')
  })

  it('is restored from a zip and from a folder: the tool named, each value read', async () => {
    const workspace = mkdtempSync(path.join(world.artifactsDir, 'bom-restore-'))
    writeFileSync(path.join(workspace, 'b.zip'), withBoms)
    const fromZip = await world.run(NODE, { source: 'b.zip', toolName: 'New' }, { entry: 'import', workspace })
    expect(commandLines(fromZip.stdout, 'error')).toEqual([])
    expect(fromZip.stdout).toContain('Verified the zip b.zip of tool "Bot"')
    expect(fromZip.stdout).toMatch(/^Variable REGION: the source's own value$/m)

    world.reset()
    const copy = path.join(workspace, 'copy')
    mkdirSync(copy)
    writeFileSync(path.join(copy, 'flow_definition.json'), BOM + JSON.stringify(FLOW))
    writeFileSync(path.join(copy, 'app_definition.json'), BOM + JSON.stringify(APP))
    writeFileSync(path.join(copy, 'env_variables.json'), BOM + JSON.stringify(ENV))
    const fromFolder = await world.run(NODE, { source: 'copy', toolName: 'New' }, { entry: 'import', workspace })
    expect(commandLines(fromFolder.stdout, 'error')).toEqual([])
    expect(fromFolder.stdout).toContain('Verified the folder copy of tool "Bot"')
    expect(fromFolder.stdout).toMatch(/^Variable REGION: the source's own value$/m)
  })
})
