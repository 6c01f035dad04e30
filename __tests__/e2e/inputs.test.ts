/**
 * Inputs that looked valid but were not, end to end against both bundles: each is
 * refused by name before any request, or, for a host copied from the browser, its 404 says so.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { makeToolExport } from '../../sim/zip.mjs'
import { NODE, singleError, startWorld, type World } from './world.js'

let world: World
beforeAll(async () => {
  world = await startWorld({
    tools: {
      'a-1': { flowId: 'cf-1', name: 'Banking Assistant', durationMs: 200, file: makeToolExport('Banking Assistant') },
      'a-2': { flowId: 'cf-2', name: 'Travel Desk', durationMs: 200, file: makeToolExport('Travel Desk') }
    }
  })
})
afterAll(() => world.close())
beforeEach(() => world.reset())

const exportWith = (inputs: Record<string, string>) => world.run(NODE, inputs)
const noRequest = () => expect(world.sim.requests).toEqual([])
let workspaces = 0
/** A workspace holding the export of 'Banking Assistant' as backups/tool.zip, for the import. */
const importWorkspace = (): string => {
  const workspace = path.join(world.artifactsDir, `import-ws-${++workspaces}`)
  mkdirSync(path.join(workspace, 'backups'), { recursive: true })
  writeFileSync(path.join(workspace, 'backups', 'tool.zip'), makeToolExport('Banking Assistant'))
  return workspace
}
const importWith = (inputs: Record<string, string>) =>
  world.run(NODE, { source: 'backups/tool.zip', ...inputs }, { entry: 'import', workspace: importWorkspace() })

describe('two names that make one artifact or one folder', () => {
  it('refuses "nightly" and "nightly.zip" in tools, naming both and the artifact name they share, before any request', async () => {
    const result = await exportWith({ tools: 'a-1 cf-1 nightly\na-2 cf-2 nightly.zip' })
    const error = singleError(result)
    expect(error).toContain('input "tools" gives the tools "nightly" and "nightly.zip" one artifact name, "koreai-tool-nightly.zip"')
    noRequest()
    expect(world.emu.artifacts).toEqual([])
  })

  it('refuses two names one folder on a Windows runner ("nightly" and "nightly."), before any request', async () => {
    const result = await exportWith({ tools: 'a-1 cf-1 nightly\na-2 cf-2 nightly.', path: 'exports' })
    const error = singleError(result)
    expect(error).toContain(
      `input "tools" gives the tools "nightly" and "nightly." one folder for their files, ${path.join(result.workspace, 'exports', 'nightly')}`
    )
    noRequest()
  })
})

describe('extractPath outside the workspace', () => {
  it.each([
    ['a relative path that climbs out', '../outside'],
    ['an absolute path elsewhere', 'ABSOLUTE']
  ])('refuses %s, by name, before any request, and writes nothing there', async (_label, given) => {
    const elsewhere = path.join(world.artifactsDir, 'elsewhere')
    const extractPath = given === 'ABSOLUTE' ? elsewhere : given
    const result = await exportWith({ toolId: 'a-1', flowId: 'cf-1', extract: 'true', extractPath })
    const error = singleError(result)
    const target = path.resolve(result.workspace, extractPath)
    expect(error).toContain(`input "extractPath" must be a folder inside the workspace (${result.workspace})`)
    expect(error).toContain(`"${extractPath}" is ${target}, outside it`)
    noRequest()
    expect(existsSync(target)).toBe(false)
  })

  it('refuses it with tools too', async () => {
    const result = await exportWith({ tools: 'a-1 cf-1 banking\na-2 cf-2 travel', extract: 'true', extractPath: '../outside' })
    expect(singleError(result)).toContain('input "extractPath" must be a folder inside the workspace')
    noRequest()
  })
})

describe('ids holding whitespace or control characters', () => {
  it.each([
    [
      'a toolId with a space',
      { toolId: 'a-banking assistant', flowId: 'cf-1' },
      'input "toolId" holds the character U+0020 (SPACE) at position 10'
    ],
    [
      'a flowId with a tab',
      { toolId: 'a-1', flowId: 'cf-\t1' },
      'input "flowId" holds the character U+0009 (CHARACTER TABULATION) at position 4'
    ],
    [
      'a toolId with a zero-width space',
      { toolId: 'a-\u200b1', flowId: 'cf-1' },
      'input "toolId" holds the character U+200B (ZERO WIDTH SPACE) at position 3'
    ],
    [
      'a tool id in tools with a control character',
      { tools: 'a-1 cf-1 banking\na-\u00072 cf-2 travel' },
      'input "tools" line 2: the tool id holds the character U+0007 at position 3'
    ]
  ])('the export refuses %s, before any request', async (_label, inputs, message) => {
    const result = await exportWith(inputs)
    expect(singleError(result)).toContain(message)
    noRequest()
  })

  it.each([
    [
      'a toolId with a space',
      { toolId: 'a-banking assistant', flowId: 'cf-1' },
      'input "toolId" holds the character U+0020 (SPACE) at position 10'
    ],
    [
      'a flowId with a line break',
      { toolId: 'a-1', flowId: 'cf\n-1' },
      'input "flowId" holds the character U+000A (LINE FEED) at position 3'
    ]
  ])('the import refuses %s, before any request', async (_label, inputs, message) => {
    const result = await importWith(inputs)
    expect(singleError(result)).toContain(message)
    noRequest()
  })
})

describe('a host copied from the browser', () => {
  const advice = (url: string) =>
    `The "host" input has the path "/agents/home", which is sent before /api/public/… in every call: a host copied from the browser's address bar usually should not have one (give ${url}).`

  it('the export: its 404 names the path, before the tool and flow', async () => {
    const result = await exportWith({ toolId: 'a-1', flowId: 'cf-1', host: `${world.sim.url}/agents/home/` })
    const error = singleError(result)
    expect(error).toContain('HTTP 404 Not Found')
    expect(error).toContain(advice(world.sim.url))
    expect(error.indexOf('/agents/home')).toBeLessThan(error.indexOf('input "toolId"'))
    expect(world.sim.requests.map(r => r.path)).toEqual(['/agents/home/api/public/tools/a-1/export?flowId=cf-1'])
  })

  it('the import of a new tool: its 404 names the path too', async () => {
    const result = await importWith({ toolName: 'Restored', host: `${world.sim.url}/agents/home` })
    const error = singleError(result)
    expect(error).toContain('HTTP 404 Not Found')
    expect(error).toContain(advice(world.sim.url))
  })

  it('a host without a path gets the advice of old: the tool and flow', async () => {
    const result = await exportWith({ toolId: 'a-unknown', flowId: 'cf-1' })
    const error = singleError(result)
    expect(error).toContain('HTTP 404 Not Found')
    expect(error).not.toContain('address bar')
    expect(error).toContain('Check that the tool "a-unknown" (input "toolId")')
  })
})
