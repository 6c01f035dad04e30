/**
 * The drift check (issue 25), against the bundle: `extract: check` compares the export with the
 * folder in git as `extract: true` would, writes nothing to it, sets `changed` and `changes`, and
 * fails the step with one error when they differ; the artifact is still uploaded. `redactionKey`
 * keys the placeholders instead of the API key, so that a rotated API key is no drift.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { createHmac } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { makeZip } from '../../sim/zip.mjs'
import { KEY, NODE, commandLines, singleError, startWorld, type World } from './world.js'

/** The API key after its rotation: the platform takes both. */
const KEY_B = 'kg-e2e-rotated-9876543210-secret'
/** A key for the placeholders alone, kept across API key rotations. */
const REDACTION_KEY = 'rk-0f1e2d3c4b5a69788796a5b4c3d2e1f0'
const TOKEN = 'tok-drift-7c6b5a-CRM-SECRET'

const FOLDER = 'koreai/banking'
const flow = (prompt: string) => JSON.stringify({ name: 'Banking', version: 1, nodes: [{ id: 'answer', prompt }] })
const APP = JSON.stringify({ name: 'Banking', type: 'tool' })
const ENV = JSON.stringify([
  { key: 'REGION', value: 'eu-west', isSecured: false },
  { key: 'CRM_TOKEN', value: TOKEN, isSecured: true }
])
const exportOf = (prompt: string, app = APP) =>
  makeZip(
    [
      { name: 'flow_definition.json', data: flow(prompt) },
      { name: 'app_definition.json', data: app },
      { name: 'env_variables.json', data: ENV }
    ],
    { method: 'deflate' }
  )
const RELEASED = exportOf('Be brief.')

let world: World
beforeAll(async () => {
  world = await startWorld({
    keys: { [KEY]: true, [KEY_B]: true },
    tools: {
      'a-bank': { flowId: 'cf-1', name: 'Banking', durationMs: 100 },
      'a-travel': { flowId: 'cf-2', name: 'Travel', durationMs: 100 }
    }
  })
})
afterAll(() => world.close())
beforeEach(() => {
  world.reset()
  world.sim.tools['a-bank'].file = RELEASED
  world.sim.tools['a-travel'].file = exportOf('Travel light.')
})

/** A repository of its own, under the world's folder (removed with it). */
const newWorkspace = () => path.join(mkdtempSync(path.join(world.artifactsDir, 'drift-')), 'repo')

/** One run of the bundle on tool a-bank into `koreai/banking`; the artifacts of earlier runs forgotten. */
function runOn(workspace: string, extract: string, inputs: Record<string, string> = {}) {
  world.emu.reset()
  return world.run(NODE, { toolId: 'a-bank', flowId: 'cf-1', extract, extractPath: FOLDER, path: 'exports', ...inputs }, { workspace })
}

/** What `extract: true` leaves in git: the release, unpacked. */
async function released(workspace: string, inputs: Record<string, string> = {}) {
  const result = await runOn(workspace, 'true', inputs)
  expect(commandLines(result.stdout, 'error')).toEqual([])
  expect(result.outputs.changed).toBe('true')
}

/**
 * Every entry under `root` with its bytes and mtime, and the mtime of `root` itself and of its
 * parent: a file written, touched, added or removed there (a staging folder too) changes it.
 */
function state(root: string) {
  const entries: Record<string, string> = {}
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name)
    const name = path.relative(root, full)
    entries[name] = entry.isFile() ? `${readFileSync(full, 'base64')} ${statSync(full).mtimeMs}` : `dir ${statSync(full).mtimeMs}`
  }
  return { entries, root: statSync(root).mtimeMs, parent: statSync(path.dirname(root)).mtimeMs }
}

/** Asserts the artifact of this run is `file`, byte for byte: a check is a backup too. */
function expectArtifact(file: Buffer, name = 'koreai-tool-a-bank.zip') {
  const artifact = world.emu.artifacts.find(a => a.name === name)
  expect(artifact).toBeDefined()
  expect(readFileSync(artifact!.filePath).equals(file)).toBe(true)
}

/** Nothing the run staged is left in its temp folder. */
function expectNothingStaged(runnerTemp: string) {
  expect(readdirSync(runnerTemp).filter(name => /unpack|check/.test(name))).toEqual([])
}

describe('extract: check', () => {
  it('no drift: exit 0, changed=false, the folder untouched, the artifact uploaded, the summary says it was a check', async () => {
    const workspace = newWorkspace()
    await released(workspace)
    const folder = path.join(workspace, FOLDER)
    const before = state(folder)
    const result = await runOn(workspace, 'check')
    expect(commandLines(result.stdout, 'error')).toEqual([])
    expect(result.code).toBe(0)
    expect(result.outputs.changed).toBe('false')
    expect(result.outputs.changes).toBe('')
    expect(result.outputs.status).toBe('SUCCESS')
    expect(state(folder)).toEqual(before)
    expect(readdirSync(path.join(workspace, 'koreai'))).toEqual(['banking'])
    expectNothingStaged(result.runnerTemp)
    expectArtifact(RELEASED)
    expect(result.stdout).toContain(`Compared 3 files with ${folder}: identical in value. Nothing was written (extract: check).`)
    expect(result.summary).toContain(`<th>Compared with</th><td><code>${FOLDER}</code></td>`)
    expect(result.summary).toContain('<th>Drift check</th><td>✅ no drift: the export equals the folder in value; nothing was written</td>')
    expect(result.summary).not.toContain('Unpacked to')
  })

  it('drift: one error naming the folder and the files, changed=true, changes set, nothing written, the artifact uploaded', async () => {
    const workspace = newWorkspace()
    await released(workspace)
    const folder = path.join(workspace, FOLDER)
    const before = state(folder)
    // Edited on the platform, outside the release flow.
    const edited = exportOf('Be brief. Never promise a rate.')
    world.sim.tools['a-bank'].file = edited
    const result = await runOn(workspace, 'check')
    const error = singleError(result)
    expect(error).toBe(
      "::error::The platform's tool differs from koreai/banking: changed flow_definition.json (+1 -1 lines). Nothing was written (extract: check). " +
        'Review the change on the platform (was the tool edited outside the release flow?), or run with extract: true to take it into git.'
    )
    expect(result.outputs.changed).toBe('true')
    expect(result.outputs.changes).toBe('changed flow_definition.json (+1 -1 lines)')
    expect(result.outputs.status).toBe('SUCCESS')
    expect(result.outputs.extractedPath).toBeUndefined()
    expect(state(folder)).toEqual(before)
    expect(readdirSync(path.join(workspace, 'koreai'))).toEqual(['banking'])
    expectNothingStaged(result.runnerTemp)
    expectArtifact(edited)
    expect(result.summary).toContain('<th>Drift check</th><td>❌ drift: 1 file differs from the folder; nothing was written</td>')
    expect(result.summary).toContain('What differs from the repository copy')
    expect(result.summary).toContain('<td><code>flow_definition.json</code></td><td>changed</td><td>+1 -1 lines</td>')
    // The export itself went well: its status says so; the drift row says why the step is red.
    expect(result.summary).toContain('✅ SUCCESS')
  })

  it('a missing extractPath folder is drift: every file added, and nothing made, not even its parent', async () => {
    const workspace = newWorkspace()
    const result = await runOn(workspace, 'check')
    const error = singleError(result)
    expect(error).toContain(
      "The platform's tool differs from koreai/banking: added app_definition.json (+4 -0 lines), added env_variables.json (+12 -0 lines), added flow_definition.json (+10 -0 lines)."
    )
    expect(result.outputs.changed).toBe('true')
    expect(result.outputs.changes.split('\n')).toHaveLength(3)
    expect(existsSync(path.join(workspace, 'koreai'))).toBe(false)
    expectNothingStaged(result.runnerTemp)
    expectArtifact(RELEASED)
  })

  it("a set: one error naming each tool that differs and its folder; changes under each tool's folder; every folder untouched", async () => {
    const workspace = newWorkspace()
    const inputs = { tools: 'a-bank cf-1 banking\na-travel cf-2 travel', extractPath: 'koreai', path: 'exports' }
    world.emu.reset()
    const first = await world.run(NODE, { ...inputs, extract: 'true' }, { workspace })
    expect(first.code).toBe(0)
    const before = state(path.join(workspace, 'koreai'))
    world.sim.tools['a-bank'].file = exportOf('Be brief.', JSON.stringify({ name: 'Banking', type: 'tool', guardrails: ['pii'] }))
    world.emu.reset()
    const result = await world.run(NODE, { ...inputs, extract: 'check' }, { workspace })
    const error = singleError(result)
    expect(error).toBe(
      "::error::The platform's tools differ from git (1 of 2): banking differs from koreai/banking: changed app_definition.json (+4 -1 lines). Nothing was written (extract: check). " +
        'Review each change on the platform (was the tool edited outside the release flow?), or run with extract: true to take it into git.'
    )
    expect(result.outputs.changed).toBe('true')
    expect(result.outputs.changes).toBe('changed banking/app_definition.json (+4 -1 lines)')
    const results = JSON.parse(result.outputs.results) as { name: string; state: string; changed: boolean; error: unknown }[]
    expect(results.map(({ name, state, changed, error }) => ({ name, state, changed, error }))).toEqual([
      { name: 'banking', state: 'exported', changed: true, error: null },
      { name: 'travel', state: 'exported', changed: false, error: null }
    ])
    expect(state(path.join(workspace, 'koreai'))).toEqual(before)
    expectNothingStaged(result.runnerTemp)
    expect(world.emu.artifacts.map(a => a.name).sort()).toEqual(['koreai-tool-banking.zip', 'koreai-tool-travel.zip'])
    expect(result.summary).toContain('Compared with git (extract: check): 1 of 2 tools differ; nothing was written.')
    expect(result.summary).toContain('<th>Differs from git</th>')
  })

  it('refuses a mode it does not know, a check without extractPath, and a file in its place, before any request', async () => {
    for (const [inputs, problem] of [
      [{ extract: 'yes', extractPath: FOLDER }, 'input "extract" must be true, false or check; got "yes"'],
      [
        { extract: 'check', extractPath: '' },
        'input "extractPath" is required with extract: check: the folder in git to compare the export with'
      ]
    ] as const) {
      world.reset()
      const result = await world.run(NODE, { toolId: 'a-bank', flowId: 'cf-1', ...inputs }, { workspace: newWorkspace() })
      expect(singleError(result)).toContain(problem)
      expect(world.sim.requests).toEqual([])
    }
    // A check only reads the folder, but a file in its place is a mistake in extractPath.
    const workspace = newWorkspace()
    mkdirSync(path.join(workspace, 'koreai'), { recursive: true })
    writeFileSync(path.join(workspace, FOLDER), 'not a folder')
    world.reset()
    const result = await runOn(workspace, 'check')
    const error = singleError(result)
    expect(error).toContain(`input "extractPath" names a file, not a folder: ${path.join(workspace, FOLDER)}`)
    expect(error).toContain('Give "extractPath" as the folder in git that extract: true writes')
    expect(world.sim.requests).toEqual([])
  })
})

describe('redactionKey', () => {
  const hmac = (key: string, name: string, value: unknown) =>
    `<redacted:hmac-sha256:${createHmac('sha256', key)
      .update(`${name}\u0000${JSON.stringify(value)}`)
      .digest('hex')}>`

  it('keys the placeholders, so a rotated API key is no drift; without it, only env_variables.json differs', async () => {
    const workspace = newWorkspace()
    await released(workspace, { redactionKey: REDACTION_KEY })
    const folder = path.join(workspace, FOLDER)
    const written = JSON.parse(readFileSync(path.join(folder, 'env_variables.json'), 'utf8')) as { key: string; value: string }[]
    expect(written.map(v => v.value)).toEqual([hmac(REDACTION_KEY, 'REGION', 'eu-west'), hmac(REDACTION_KEY, 'CRM_TOKEN', TOKEN)])
    const before = state(folder)

    // The API key rotated, the redaction key kept: no drift.
    const same = await runOn(workspace, 'check', { key: KEY_B, redactionKey: REDACTION_KEY })
    expect(commandLines(same.stdout, 'error')).toEqual([])
    expect(same.code).toBe(0)
    expect(same.outputs.changed).toBe('false')
    // Masked before anything else, and never shown.
    expect(same.stdout.split('\n').slice(0, 2)).toEqual([`::add-mask::${KEY_B}`, `::add-mask::${REDACTION_KEY}`])
    const shown = [same.stdout.replace(/^::add-mask::.*$/gm, ''), same.stderr, same.summary, JSON.stringify(same.outputs)].join('\n')
    for (const secret of [REDACTION_KEY, KEY_B, TOKEN]) expect(shown).not.toContain(secret)

    // The same rotation without redactionKey: every placeholder differs, and nothing else.
    const rotated = await runOn(workspace, 'check', { key: KEY_B })
    expect(singleError(rotated)).toContain("The platform's tool differs from koreai/banking: changed env_variables.json (+2 -2 lines).")
    expect(rotated.outputs.changes).toBe('changed env_variables.json (+2 -2 lines)')
    expect(state(folder)).toEqual(before)
  })

  it('refuses a redaction key too short to keep a guess from being checked, and masks it all the same', async () => {
    const result = await runOn(newWorkspace(), 'true', { redactionKey: 'short-key' })
    expect(singleError(result)).toContain('input "redactionKey" is 9 characters long; use at least 16 random characters')
    expect(result.stdout).toContain('::add-mask::short-key')
    expect(result.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain('short-key')
    expect(world.sim.requests).toEqual([])
  })
})
