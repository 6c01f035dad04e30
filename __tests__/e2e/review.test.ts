/**
 * Backups a reviewer can read and that leak no secret, against the bundle: the
 * repository copy is pretty-printed JSON, `changed` compares values, environment variable values
 * never reach the folder (nor the log or the summary) unless `envVariables: keep` says so, and
 * the artifact is the export byte for byte whatever the copy holds.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHmac } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { makeZip } from '../../sim/zip.mjs'
import { KEY, NODE, commandLines, startWorld, type World } from './world.js'

const PLACEHOLDER = /^<redacted:hmac-sha256:[0-9a-f]{64}>$/

/** Values a leak would show: each long and unusual enough not to appear by chance. */
const TOKEN = 'tok-9f8e7d6c-CRM-SECRET'
const PASSWORD = 'pw-Correct-Horse-Battery'
const REGION = 'eu-west-region-7'

/** The flow definition as an exporter writes it: one line; an integer-like key inside. */
const FLOW_TEXT =
  '{"name":"Bot","version":1,"nodes":[{"id":"start","next":"answer"},{"id":"answer","prompt":"Be \\"brief\\"."}],"retries":{"name":"backoff","10":"ten","2":"two"}}'
const FLOW = JSON.parse(FLOW_TEXT) as { nodes: unknown[]; retries: Record<string, string> }
/** How the repository holds it: two spaces, a newline at the end, and the integer-like keys where
 * the export put them (JSON.parse + JSON.stringify would move "10" and "2" before "name"). */
const PRETTY_FLOW =
  '{\n  "name": "Bot",\n  "version": 1,\n  "nodes": [\n    {\n      "id": "start",\n      "next": "answer"\n    },\n    {\n      "id": "answer",\n      "prompt": "Be \\"brief\\"."\n    }\n  ],\n  "retries": {\n    "name": "backoff",\n    "10": "ten",\n    "2": "two"\n  }\n}\n'
const APP_TEXT = JSON.stringify({ name: 'Bot', type: 'tool', guardrails: [] })
const envArray = (token: string) =>
  JSON.stringify([
    { key: 'REGION', value: REGION, isSecured: false },
    { key: 'CRM_TOKEN', value: token, isSecured: true },
    { key: 'DB_PASSWORD', value: PASSWORD, isSecured: true }
  ])

const zipOf = (files: Record<string, string>) =>
  makeZip(
    Object.entries(files).map(([name, data]) => ({ name, data })),
    { method: 'deflate' }
  )
const hmac = (name: string, value: unknown) =>
  `<redacted:hmac-sha256:${createHmac('sha256', KEY)
    .update(`${name}\u0000${JSON.stringify(value)}`)
    .digest('hex')}>`

let world: World
beforeAll(async () => {
  world = await startWorld({ tools: { 'a-bot': { flowId: 'cf-1', name: 'Bot', durationMs: 100 } } })
})
afterAll(() => world.close())

/** A repository checked out night after night: one workspace per story. */
// Under the world's own folder, removed with it: nothing is left in the temp folder.
const newWorkspace = () => path.join(mkdtempSync(path.join(world.artifactsDir, 'review-')), 'repo')

/** Runs the bundle on `file`; asserts it succeeded and that the file on disk and the artifact are `file`, byte for byte. */
async function backup(workspace: string, file: Buffer, inputs: Record<string, string> = {}) {
  world.sim.tools['a-bot'].file = file
  world.emu.reset()
  const result = await world.run(
    NODE,
    { toolId: 'a-bot', flowId: 'cf-1', extract: 'true', extractPath: 'tools/bot', path: 'exports', ...inputs },
    { workspace }
  )
  expect(commandLines(result.stdout, 'error')).toEqual([])
  expect(result.code).toBe(0)
  expect(readFileSync(result.outputs.filePath).equals(file)).toBe(true)
  const artifact = world.emu.artifacts.find(a => a.name === 'koreai-tool-a-bot.zip')
  expect(artifact).toBeDefined()
  expect(readFileSync(artifact!.filePath).equals(file)).toBe(true)
  return { ...result, folder: path.join(workspace, 'tools', 'bot') }
}

/** Every file under `folder`, by relative path. */
function filesUnder(folder: string): Record<string, string> {
  const files: Record<string, string> = {}
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const full = path.join(entry.parentPath, entry.name)
    files[path.relative(folder, full)] = readFileSync(full, 'utf8')
  }
  return files
}

const read = (folder: string, name: string) => readFileSync(path.join(folder, name), 'utf8')
const mtimes = (folder: string) => Object.fromEntries(readdirSync(folder).map(name => [name, statSync(path.join(folder, name)).mtimeMs]))

/** Asserts no value reached the folder, the log, the outputs or the summary. */
function expectNoValue(result: Awaited<ReturnType<typeof backup>>, values: string[]) {
  const everything = [
    Object.values(filesUnder(result.folder)).join('\n'),
    result.stdout,
    result.stderr,
    result.summary,
    JSON.stringify(result.outputs)
  ].join('\n')
  for (const value of values) expect(everything).not.toContain(value)
}

describe('a repository copy a reviewer can read', () => {
  /** The first night of a story: a fresh repository and the minified export unpacked into it. */
  const firstNight = async () => {
    const workspace = newWorkspace()
    const result = await backup(
      workspace,
      zipOf({ 'flow_definition.json': FLOW_TEXT, 'app_definition.json': APP_TEXT, 'env_variables.json': envArray(TOKEN) })
    )
    return { workspace, result }
  }

  it('writes a minified export pretty-printed, in its own key order, parsing to the same values; lists the files added', async () => {
    const { result } = await firstNight()
    const flow = read(result.folder, 'flow_definition.json')
    expect(flow).toBe(PRETTY_FLOW)
    expect(JSON.parse(flow)).toEqual(FLOW)
    expect(read(result.folder, 'app_definition.json')).toBe(`${JSON.stringify(JSON.parse(APP_TEXT), null, 2)}\n`)
    expect(result.outputs.changed).toBe('true')
    expect(result.outputs.changes).toBe(
      [
        'added app_definition.json (+5 -0 lines)',
        'added env_variables.json (+17 -0 lines)',
        'added flow_definition.json (+19 -0 lines)'
      ].join('\n')
    )
    expect(result.summary).toContain('What changed in the repository copy')
    expect(result.summary).toContain('<td><code>flow_definition.json</code></td><td>added</td><td>+19 -0 lines</td>')
  })

  it('sees an export equal in value but laid out differently as no change: changed=false, the folder untouched', async () => {
    const { workspace } = await firstNight()
    const before = mtimes(path.join(workspace, 'tools', 'bot'))
    const reordered = JSON.stringify(
      { retries: { '2': 'two', name: 'backoff', '10': 'ten' }, nodes: FLOW.nodes, version: 1, name: 'Bot' },
      null,
      4
    )
    const spacedApp = ` {\r\n "type" : "tool",\t"name":"Bot" , "guardrails" : [ ] } `
    const result = await backup(
      workspace,
      zipOf({ 'flow_definition.json': reordered, 'app_definition.json': spacedApp, 'env_variables.json': envArray(TOKEN) })
    )
    expect(result.outputs.changed).toBe('false')
    expect(result.outputs.changes).toBe('')
    expect(mtimes(result.folder)).toEqual(before)
    expect(result.stdout).toContain(`identical to what ${result.folder} held, left untouched.`)
    expect(result.summary).not.toContain('What changed in the repository copy')
  })

  it('a changed value changes its placeholder: one file changed, one line, and the old key order kept in the others', async () => {
    const { workspace } = await firstNight()
    const before = filesUnder(path.join(workspace, 'tools', 'bot'))
    const NEW_TOKEN = 'tok-rotated-0a1b2c-CRM-SECRET'
    // The flow comes in another key order again: equal in value, so it keeps the folder's bytes.
    const reordered = JSON.stringify({ version: 1, name: 'Bot', nodes: FLOW.nodes, retries: FLOW.retries })
    const result = await backup(
      workspace,
      zipOf({ 'flow_definition.json': reordered, 'app_definition.json': APP_TEXT, 'env_variables.json': envArray(NEW_TOKEN) })
    )
    expect(result.outputs.changed).toBe('true')
    expect(result.outputs.changes).toBe('changed env_variables.json (+1 -1 lines)')
    expect(result.summary).toContain('<td><code>env_variables.json</code></td><td>changed</td><td>+1 -1 lines</td>')
    const after = filesUnder(result.folder)
    expect(after['flow_definition.json']).toBe(before['flow_definition.json'])
    type EnvEntry = { key: string; value: unknown; isSecured?: boolean }
    const [oldEnv, newEnv] = [JSON.parse(before['env_variables.json']) as EnvEntry[], JSON.parse(after['env_variables.json']) as EnvEntry[]]
    expect(newEnv[1].value).not.toBe(oldEnv[1].value)
    expect(newEnv[1].value).toBe(hmac('CRM_TOKEN', NEW_TOKEN))
    expect(newEnv[0]).toEqual(oldEnv[0])
    expectNoValue(result, [TOKEN, NEW_TOKEN, PASSWORD, REGION])
  })

  it('a folder written by an earlier version (one-line JSON) is no change by itself, and takes the new layout at the next real change', async () => {
    const earlier = newWorkspace()
    const folder = path.join(earlier, 'tools', 'bot')
    mkdirSync(folder, { recursive: true })
    writeFileSync(path.join(folder, 'flow_definition.json'), FLOW_TEXT)
    writeFileSync(path.join(folder, 'app_definition.json'), APP_TEXT)
    const before = mtimes(folder)
    const same = await backup(earlier, zipOf({ 'flow_definition.json': FLOW_TEXT, 'app_definition.json': APP_TEXT }))
    expect(same.outputs.changed).toBe('false')
    expect(mtimes(folder)).toEqual(before)
    expect(read(folder, 'flow_definition.json')).toBe(FLOW_TEXT)

    const changedApp = JSON.stringify({ name: 'Bot', type: 'tool', guardrails: ['pii'] })
    const result = await backup(earlier, zipOf({ 'flow_definition.json': FLOW_TEXT, 'app_definition.json': changedApp }))
    // The changed file's count includes its new layout: one line out, seven in.
    expect(result.outputs.changes).toBe('changed app_definition.json (+7 -1 lines)')
    expect(read(folder, 'flow_definition.json')).toBe(PRETTY_FLOW)
  })
})

describe('envVariables', () => {
  it.each([
    ['an array of {key, value}', envArray(TOKEN)],
    ['a plain object', JSON.stringify({ REGION, CRM_TOKEN: TOKEN, DB_PASSWORD: PASSWORD })]
  ])('redact (the default), %s: every name kept, no value anywhere under extractPath, nor in the log or summary', async (_label, env) => {
    const result = await backup(
      newWorkspace(),
      zipOf({ 'flow_definition.json': FLOW_TEXT, 'app_definition.json': APP_TEXT, 'env_variables.json': env })
    )
    expectNoValue(result, [TOKEN, PASSWORD, REGION])
    const written = JSON.parse(read(result.folder, 'env_variables.json')) as
      { key: string; value: unknown; isSecured?: boolean }[] | Record<string, unknown>
    const pairs: [string, unknown][] = Array.isArray(written) ? written.map(v => [v.key, v.value]) : Object.entries(written)
    expect(pairs.map(([name]) => name)).toEqual(['REGION', 'CRM_TOKEN', 'DB_PASSWORD'])
    for (const [, value] of pairs) expect(value).toMatch(PLACEHOLDER)
    expect(Object.fromEntries(pairs)).toEqual({
      REGION: hmac('REGION', REGION),
      CRM_TOKEN: hmac('CRM_TOKEN', TOKEN),
      DB_PASSWORD: hmac('DB_PASSWORD', PASSWORD)
    })
    if (Array.isArray(written)) expect(written.map(v => v.isSecured)).toEqual([false, true, true])
    expect(result.stdout).toContain('envVariables redact: 3 values replaced by placeholders.')
    expect(result.summary).toContain('<th>Environment variables</th><td>redact: 3 values replaced by placeholders</td>')
    expect(commandLines(result.stdout, 'warning')).toEqual([])
  })

  it('redact: a copy of the variables in a subfolder, in another case, is redacted too', async () => {
    const result = await backup(
      newWorkspace(),
      zipOf({
        'flow_definition.json': FLOW_TEXT,
        'app_definition.json': APP_TEXT,
        'env_variables.json': envArray(TOKEN),
        'old/ENV_VARIABLES.json': JSON.stringify({ CRM_TOKEN: TOKEN })
      })
    )
    expectNoValue(result, [TOKEN, PASSWORD, REGION])
    expect(JSON.parse(read(result.folder, 'old/ENV_VARIABLES.json'))).toEqual({ CRM_TOKEN: hmac('CRM_TOKEN', TOKEN) })
    expect(result.stdout).toContain('envVariables redact: 4 values replaced by placeholders.')
  })

  it('redact, a layout not recognised: every value replaced, and a warning that quotes nothing of the file', async () => {
    const env = JSON.stringify({ variables: [{ id: 'CRM_TOKEN', secret: TOKEN }] })
    const result = await backup(
      newWorkspace(),
      zipOf({ 'flow_definition.json': FLOW_TEXT, 'app_definition.json': APP_TEXT, 'env_variables.json': env })
    )
    // A plain object: its one member, "variables", is taken as a name, and its value replaced whole.
    expect(JSON.parse(read(result.folder, 'env_variables.json'))).toEqual({
      variables: hmac('variables', [{ id: 'CRM_TOKEN', secret: TOKEN }])
    })
    expectNoValue(result, [TOKEN])

    const odd = JSON.stringify([TOKEN, { key: 'REGION', value: REGION }])
    const second = await backup(
      newWorkspace(),
      zipOf({ 'flow_definition.json': FLOW_TEXT, 'app_definition.json': APP_TEXT, 'env_variables.json': odd })
    )
    expectNoValue(second, [TOKEN, REGION])
    const warnings = commandLines(second.stdout, 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('env_variables.json is neither a list of {"key", "value"} objects nor an object of names and values')
    expect(second.summary).toContain('redact: 3 values replaced by placeholders (a layout not recognised: every value in the file)')
  })

  it('omit: the file is left out of the repository copy, and removed from a folder that held it', async () => {
    const workspace = newWorkspace()
    const file = zipOf({ 'flow_definition.json': FLOW_TEXT, 'app_definition.json': APP_TEXT, 'env_variables.json': envArray(TOKEN) })
    await backup(workspace, file)
    const result = await backup(workspace, file, { envVariables: 'omit' })
    expect(readdirSync(result.folder).sort()).toEqual(['app_definition.json', 'flow_definition.json'])
    expect(result.outputs.changed).toBe('true')
    expect(result.outputs.changes).toBe('removed env_variables.json (+0 -17 lines)')
    expect(result.summary).toContain('<th>Environment variables</th><td>omit: env_variables.json left out of the repository copy</td>')
    expectNoValue(result, [TOKEN, PASSWORD, REGION])
  })

  it('keep: the file is written with its values, pretty-printed', async () => {
    const env = envArray(TOKEN)
    const result = await backup(
      newWorkspace(),
      zipOf({ 'flow_definition.json': FLOW_TEXT, 'app_definition.json': APP_TEXT, 'env_variables.json': env }),
      { envVariables: 'keep' }
    )
    expect(read(result.folder, 'env_variables.json')).toBe(`${JSON.stringify(JSON.parse(env), null, 2)}\n`)
    expect(result.summary).toContain('<th>Environment variables</th><td>keep: env_variables.json written with its values</td>')
    // Written to the folder, as asked, but still never to the log or the summary.
    expect([result.stdout, result.summary].join('\n')).not.toContain(TOKEN)
  })

  it('redact, with verify: false and an env_variables.json that is not JSON: refused, nothing of it written, the folder as it was', async () => {
    const workspace = newWorkspace()
    await backup(
      workspace,
      zipOf({ 'flow_definition.json': FLOW_TEXT, 'app_definition.json': APP_TEXT, 'env_variables.json': envArray(TOKEN) })
    )
    const folder = path.join(workspace, 'tools', 'bot')
    const before = filesUnder(folder)
    world.sim.tools['a-bot'].file = zipOf({
      'flow_definition.json': FLOW_TEXT,
      'env_variables.json': `REGION=${REGION}\nCRM_TOKEN=${TOKEN}`
    })
    world.emu.reset()
    const result = await world.run(
      NODE,
      { toolId: 'a-bot', flowId: 'cf-1', extract: 'true', extractPath: 'tools/bot', path: 'exports', verify: 'false' },
      { workspace }
    )
    const errors = commandLines(result.stdout, 'error')
    expect(result.code).toBe(1)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain(
      'Refusing to unpack koreai-tool-a-bot.zip: env_variables.json is not valid JSON, so its values cannot be redacted (set envVariables: omit to leave it out).'
    )
    expect(filesUnder(folder)).toEqual(before)
    expect(readdirSync(path.join(workspace, 'tools'))).toEqual(['bot'])
    expect([result.stdout, result.summary].join('\n')).not.toContain(TOKEN)
    expect(world.emu.artifacts).toEqual([])
  })

  it('refuses a policy it does not know before any request', async () => {
    world.reset()
    const result = await world.run(
      NODE,
      { toolId: 'a-bot', flowId: 'cf-1', extract: 'true', envVariables: 'mask' },
      { workspace: newWorkspace() }
    )
    expect(result.code).toBe(1)
    expect(commandLines(result.stdout, 'error')).toEqual([
      expect.stringContaining('input "envVariables" must be redact, keep or omit; got "mask"')
    ])
    expect(world.sim.requests).toEqual([])
  })
})
