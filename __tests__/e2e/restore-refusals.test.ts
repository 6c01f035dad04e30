/**
 * What a restore must refuse, and what it must never show, end to end: the committed
 * dist/import bundle run as a runner runs it, against the platform simulator. A link out of the
 * source, a placeholder nested in a value or damaged, and a secret the platform echoes back.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { placeholder } from '../../src/tool-export/env-variables.js'
import { makeZip, toolDefinitions } from '../../sim/zip.mjs'
import { KEY, NODE, commandLines, singleError, startWorld, type World } from './world.js'

/** What the runner's own folders hold that no import may send anywhere. */
const DOCKER_CONFIG = JSON.stringify({ auths: { 'ghcr.io': { auth: 'cnVubmVyOmdocF9wbGFudGVkLXRva2Vu' } } })

let world: World
let places = 0
beforeAll(async () => {
  world = await startWorld({ tools: { 'a-sample': { flowId: 'cf-1', name: 'Banking Assistant', durationMs: 300 } }, importDurationMs: 300 })
})
afterAll(() => world.close())
beforeEach(() => world.reset())

/** A fresh folder of the world's: `files` (relative name -> text) written into it. */
const place = (files: Record<string, string | Buffer> = {}): string => {
  const root = path.join(world.artifactsDir, `place-${++places}`)
  mkdirSync(root, { recursive: true })
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true })
    writeFileSync(path.join(root, name), data)
  }
  return root
}
/** A runner's home with a planted credential, outside every workspace. */
const plantedHome = (): string => path.join(place({ '.docker/config.json': DOCKER_CONFIG }), '.docker', 'config.json')
const [flow, app] = toolDefinitions()
const restore = (inputs: Record<string, string>, workspace: string) => world.run(NODE, inputs, { entry: 'import', workspace })
/** What arrived through File Upload under the file id the import request named. */
const arrived = (field: string): string => world.sim.files.get(String(world.sim.imports[0].body[field]))!.bytes.toString('utf8')
/** Every upload the simulator stored, as text. */
const uploaded = (): string => [...world.sim.files.values()].map(file => file.bytes.toString('utf8')).join('\n')

describe('a link in the source is refused before any request, naming it', () => {
  it('a folder whose app_definition.json links to a file elsewhere on the runner', async () => {
    const workspace = place({ 'copy/flow_definition.json': flow.data })
    symlinkSync(plantedHome(), path.join(workspace, 'copy', 'app_definition.json'))
    const error = singleError(await restore({ source: 'copy', toolName: 'New' }, workspace))

    expect(error).toContain('app_definition.json is a symbolic link')
    expect(error).toContain('Nothing was sent to the platform')
    expect(world.sim.requests).toEqual([])
    expect(uploaded()).not.toContain('ghcr.io')
  })

  it('a link anywhere in the folder, even one the import would not read', async () => {
    const workspace = place({ 'copy/flow_definition.json': flow.data, 'copy/app_definition.json': app.data })
    mkdirSync(path.join(workspace, 'copy', 'extra'))
    symlinkSync(plantedHome(), path.join(workspace, 'copy', 'extra', 'notes.json'))
    const error = singleError(await restore({ source: 'copy', toolName: 'New' }, workspace))

    expect(error).toContain('extra/notes.json is a symbolic link')
    expect(world.sim.requests).toEqual([])
  })

  it('a folder source that is itself a link, or lies below one in the workspace', async () => {
    const elsewhere = place({ 'bot/flow_definition.json': flow.data, 'bot/app_definition.json': app.data })
    const workspace = place()
    symlinkSync(path.join(elsewhere, 'bot'), path.join(workspace, 'bot'))
    symlinkSync(elsewhere, path.join(workspace, 'tools'))

    const itself = singleError(await restore({ source: 'bot', toolName: 'New' }, workspace))
    expect(itself).toContain(`The source ${path.join(workspace, 'bot')} cannot be imported: it is a symbolic link.`)
    const below = singleError(await restore({ source: 'tools/bot', toolName: 'New' }, workspace))
    expect(below).toContain(`its path goes through the symbolic link ${path.join(workspace, 'tools')}`)
    expect(world.sim.requests).toEqual([])
  })

  it('a zip whose app_definition.json entry is a link that unpacks to a file outside it', async () => {
    // The link's text must pass the verifier's JSON check, so it is a JSON string: through a
    // folder named `"` it climbs back, to a second link (not a definition, so never checked as JSON).
    const zip = makeZip([
      flow,
      { name: '"/keep', data: '' },
      { name: 'config"', symlinkTo: plantedHome() },
      { name: 'app_definition.json', symlinkTo: '"/../config"' }
    ])
    const error = singleError(await restore({ source: 'b.zip', toolName: 'New' }, place({ 'b.zip': zip })))

    expect(error).toContain('app_definition.json is a symbolic link')
    expect(world.sim.requests).toEqual([])
    expect(uploaded()).not.toContain('ghcr.io')
  })
})

describe('a placeholder is never imported, at any depth or damaged', () => {
  const folderWith = (env: unknown): string =>
    place({ 'copy/flow_definition.json': flow.data, 'copy/app_definition.json': app.data, 'copy/env_variables.json': JSON.stringify(env) })

  it.each([
    ['an object of variables', { DB: { user: 'admin', password: placeholder('DB', 'x', KEY) }, MODE: 'live' }],
    ['an array of variables', [{ key: 'DB', value: { user: 'admin', hosts: [{ password: placeholder('DB', 'x', KEY) }] } }]]
  ])('refuses a placeholder nested in a value, naming the variable (%s)', async (_label, env) => {
    const error = singleError(await restore({ source: 'copy', toolName: 'New' }, folderWith(env)))

    expect(error).toContain('holds a redacted placeholder and no value is given for it')
    expect(error).toContain(': DB.')
    expect(error).not.toContain('MODE')
    expect(world.sim.requests).toEqual([])
  })

  it('refuses a damaged placeholder by name, in other words than a missing value', async () => {
    const whole = placeholder('CUT', 'x', KEY)
    const env = {
      ABRIDGED: '<redacted:hmac-sha256:3f1c…9a0e>',
      CUT: whole.slice(0, 40),
      NESTED: { token: `Bearer ${placeholder('NESTED', 'x', KEY)}` },
      MASKED: '***',
      PLAIN: 'REDACTED'
    }
    const error = singleError(await restore({ source: 'copy', toolName: 'New' }, folderWith(env)))

    expect(error).toContain('3 environment variables of the source hold a damaged placeholder')
    expect(error).toContain(': ABRIDGED, CUT, NESTED.')
    expect(error).not.toContain('no value is given')
    expect(error).not.toMatch(/MASKED|PLAIN/)
    expect(world.sim.requests).toEqual([])
  })

  it('imports look-alikes as the values they are, and a damaged placeholder given a value in envValues', async () => {
    const env = { MASKED: '***', PLAIN: 'REDACTED', CUT: '<redacted:hmac-sha256:3f1c' }
    const result = await restore({ source: 'copy', toolName: 'New', envValues: JSON.stringify({ CUT: 'given' }) }, folderWith(env))

    expect(commandLines(result.stdout, 'error')).toEqual([])
    expect(result.code).toBe(0)
    expect(JSON.parse(arrived('envVariablesFileId'))).toEqual({ MASKED: '***', PLAIN: 'REDACTED', CUT: 'given' })
  })
})

describe('a value the platform echoes back never shows, not even in part', () => {
  const LONG = `s3cr3t-${'0123456789abcdef'.repeat(25)}`.slice(0, 400)
  const folder = (): string =>
    place({
      'copy/flow_definition.json': flow.data,
      'copy/app_definition.json': app.data,
      'copy/env_variables.json': JSON.stringify({ DB_PASSWORD: placeholder('DB_PASSWORD', 'x', KEY), CERT: 'clear-cert-value' })
    })
  /** Whether any 16 characters in a row of `secret` are in `text`. */
  const showsPartOf = (text: string, secret: string): boolean =>
    Array.from({ length: secret.length - 15 }, (_, at) => secret.slice(at, at + 16)).some(piece => text.includes(piece))
  const withoutMasks = (stdout: string): string =>
    stdout
      .split('\n')
      .filter(line => !line.startsWith('::add-mask::'))
      .join('\n')

  it("redacts a 400-character value in a FAILED import's message before cutting it", async () => {
    world.sim.importJob.outcome = 'FAILED'
    world.sim.importJob.message = `Import failed: DB_PASSWORD "${LONG}" is not accepted`
    const result = await restore({ source: 'copy', toolName: 'New', envValues: JSON.stringify({ DB_PASSWORD: LONG }) }, folder())
    const error = singleError(result)

    expect(error).toContain('The platform said: "Import failed: DB_PASSWORD "***" is not accepted"')
    expect(showsPartOf(withoutMasks(result.stdout), LONG)).toBe(false)
    expect(showsPartOf(result.summary, LONG)).toBe(false)
    expect(result.summary).toContain('is not accepted')
  })

  it("redacts it in an error answer's message before cutting it", async () => {
    world.sim.faults.import.push({ kind: 'status', status: 400, body: `Invalid env_variables.json: DB_PASSWORD "${LONG}" is too long` })
    const result = await restore({ source: 'copy', toolName: 'New', envValues: JSON.stringify({ DB_PASSWORD: LONG }) }, folder())
    const error = singleError(result)

    expect(error).toContain('The platform said: "Invalid env_variables.json: DB_PASSWORD "***" is too long"')
    expect(showsPartOf(withoutMasks(result.stdout), LONG)).toBe(false)
    expect(showsPartOf(result.summary, LONG)).toBe(false)
  })

  it('masks and redacts each line of a multi-line value', async () => {
    const lines = ['-----BEGIN PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', '-----END PRIVATE KEY-----']
    world.sim.importJob.outcome = 'FAILED'
    world.sim.importJob.message = `Import failed: CERT line 2 (${lines[1]}) is not base64`
    const result = await restore(
      { source: 'copy', toolName: 'New', envValues: JSON.stringify({ DB_PASSWORD: 'pw-1234567', CERT: lines.join('\n') }) },
      folder()
    )
    const error = singleError(result)

    expect(result.stdout).toContain(`::add-mask::${lines[1]}`)
    expect(error).toContain('CERT line 2 (***) is not base64')
    expect(withoutMasks(result.stdout)).not.toContain(lines[1])
    expect(result.summary).not.toContain(lines[1])
  })
})
