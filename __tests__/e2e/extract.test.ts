/**
 * Backups people can review: the bundle unpacks the export into a folder of the repository,
 * reports whether anything changed, and refuses hostile archives without touching the folder.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { makeToolExport, makeZip, toolDefinitions } from '../../sim/zip.mjs'
import { NODE, singleError, startWorld, type World } from './world.js'

const FILES = ['app_definition.json', 'env_variables.json', 'flow_definition.json']

let world: World
let root: string
let workspace: string
let target: string
beforeAll(async () => {
  world = await startWorld({ tools: {} })
})
afterAll(() => world.close())
// Each test is a repository of its own, checked out night after night. It sits one level down,
// so that anything escaping it would be seen in `root`.
beforeEach(() => {
  world.reset()
  world.sim.addTool('a-bot', { flowId: 'cf-1', name: 'Bot', durationMs: 200, file: makeToolExport('Bot', 1) })
  root = mkdtempSync(path.join(world.artifactsDir, 'extract-'))
  workspace = path.join(root, 'repo')
  target = path.join(workspace, 'tools', 'bot')
})

const backup = () => {
  world.emu.reset()
  return world.run(NODE, { toolId: 'a-bot', flowId: 'cf-1', extract: 'true', extractPath: 'tools/bot', path: 'exports' }, { workspace })
}
const snapshot = (folder: string) =>
  Object.fromEntries(readdirSync(folder).map(name => [name, readFileSync(path.join(folder, name), 'utf8')]))

describe('extract', () => {
  it('unpacks the first export into the folder: changed=true', async () => {
    const result = await backup()
    expect(result.code).toBe(0)
    expect(result.outputs.extractedPath).toBe(target)
    expect(result.outputs.changed).toBe('true')
    expect(readdirSync(target).sort()).toEqual(FILES)
    expect(JSON.parse(readFileSync(path.join(target, 'flow_definition.json'), 'utf8'))).toMatchObject({ name: 'Bot', version: 1 })
    expect(result.stdout).toContain(`Unpacked 3 files into ${target}: 3 added (${FILES.join(', ')}).`)
    expect(result.summary).toContain('Changed since the last run</th><td>yes')
    // Nothing left beside it.
    expect(readdirSync(path.join(workspace, 'tools'))).toEqual(['bot'])
  })

  it('leaves the folder untouched when the export is the same: changed=false', async () => {
    await backup()
    const before = statSync(path.join(target, 'flow_definition.json')).mtimeMs
    const result = await backup()
    expect(result.code).toBe(0)
    expect(result.outputs.changed).toBe('false')
    expect(statSync(path.join(target, 'flow_definition.json')).mtimeMs).toBe(before)
    expect(result.stdout).toContain(`Unpacked 3 files: identical to what ${target} held, left untouched.`)
  })

  it('replaces the folder when a file changed and another was removed: changed=true, the removed one gone', async () => {
    await backup()
    world.sim.tools['a-bot'].file = makeZip([
      { name: 'flow_definition.json', data: JSON.stringify({ name: 'Bot', version: 2 }) },
      // The same app definition as the first export's.
      toolDefinitions('Bot', 1)[1]
    ])
    const result = await backup()
    expect(result.code).toBe(0)
    expect(result.outputs.changed).toBe('true')
    expect(readdirSync(target).sort()).toEqual(['app_definition.json', 'flow_definition.json'])
    expect(JSON.parse(readFileSync(path.join(target, 'flow_definition.json'), 'utf8'))).toMatchObject({ version: 2 })
    expect(result.stdout).toContain('Unpacked 2 files into')
    expect(result.stdout).toContain('1 changed (flow_definition.json), 1 removed (env_variables.json)')
    expect(readdirSync(path.join(workspace, 'tools'))).toEqual(['bot'])
  })

  it.each([
    [
      'an entry that climbs out with ..',
      [
        { name: 'flow_definition.json', data: '{}' },
        { name: '../../escaped.json', data: 'pwned' }
      ],
      'the entry "../../escaped.json" climbs out of the folder with ".."'
    ],
    [
      'an absolute entry',
      [{ name: `${os.tmpdir()}/koreai-absolute.json`, data: 'pwned' }],
      `the entry "${os.tmpdir()}/koreai-absolute.json" has an absolute path`
    ]
  ])('refuses %s before unpacking: an error, the folder as it was, the bytes kept aside', async (_label, entries, reason) => {
    await backup()
    const before = snapshot(target)
    const lastGoodExport = readFileSync(path.join(workspace, 'exports', 'koreai-tool-a-bot.zip'))
    world.sim.tools['a-bot'].file = makeZip(entries)
    const result = await backup()
    const error = singleError(result)
    // The verification refuses it as soon as it arrives: it never reaches the extractor.
    expect(error).toContain(
      `The download is not a tool export: it is a zip whose ${reason.replace('the entry', 'entry')} (Content-Type application/zip,`
    )
    expect(readFileSync(path.join(workspace, 'exports', 'koreai-tool-a-bot.zip.rejected')).equals(world.sim.tools['a-bot'].file)).toBe(true)
    // The last good export, kept by an earlier run, is not overwritten by the refused bytes.
    expect(readFileSync(path.join(workspace, 'exports', 'koreai-tool-a-bot.zip')).equals(lastGoodExport)).toBe(true)
    expect(snapshot(target)).toEqual(before)
    expect(readdirSync(path.join(workspace, 'tools'))).toEqual(['bot'])
    expect(readdirSync(root)).toEqual(['repo'])
    expect(existsSync(path.join(os.tmpdir(), 'koreai-absolute.json'))).toBe(false)
    expect(result.outputs.changed).toBeUndefined()
    expect(world.emu.artifacts).toEqual([])
  })

  it('refuses a link pointing out of the folder: an error, the folder as it was, nothing outside it', async () => {
    await backup()
    const before = snapshot(target)
    world.sim.tools['a-bot'].file = makeZip([
      { name: 'escape', symlinkTo: '../../../..' },
      { name: 'flow_definition.json', data: '{}' }
    ])
    const result = await backup()
    const error = singleError(result)
    expect(error).toContain(
      `Refusing to unpack koreai-tool-a-bot.zip: the link "escape" points outside the folder. Nothing was written; ${target} was left as it was.`
    )
    expect(error).toContain(`inspect the file kept at ${path.join(workspace, 'exports', 'koreai-tool-a-bot.zip')} (it was not uploaded)`)
    expect(snapshot(target)).toEqual(before)
    expect(readdirSync(path.join(workspace, 'tools'))).toEqual(['bot'])
    expect(readdirSync(root)).toEqual(['repo'])
    // A refused export is not published as an artifact either.
    expect(world.emu.artifacts).toEqual([])
  })
})
