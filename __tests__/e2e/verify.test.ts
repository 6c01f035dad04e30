/**
 * A green run is a restorable export: the bundle verifies every download before it keeps,
 * unpacks or uploads it, and refuses anything else with one error that says what arrived,
 * keeping the bytes aside as `<name>.rejected`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { makeToolExport, makeZip, toolDefinitions } from '../../sim/zip.mjs'
import { commandLines, NODE, singleError, startWorld, type World } from './world.js'

const EXPORT = makeToolExport('Bot')
const HALF = EXPORT.subarray(0, Math.floor(EXPORT.length / 2))

let world: World
beforeAll(async () => {
  world = await startWorld({ tools: { 'a-bot': { flowId: 'cf-1', name: 'Bot', durationMs: 200 } } })
})
afterAll(() => world.close())
beforeEach(() => {
  world.reset()
  world.sim.tools['a-bot'] = { flowId: 'cf-1', name: 'Bot', durationMs: 200 }
})

const backup = (inputs: Record<string, string> = {}) =>
  world.run(NODE, { toolId: 'a-bot', flowId: 'cf-1', path: 'exports', extract: 'true', extractPath: 'tools/bot', ...inputs })

describe('refused downloads', () => {
  // [what arrives, how the simulator sends it, the file name it would have had, what the error says arrived]
  const cases: [string, () => void, string, string][] = [
    [
      'an HTML sign-in page answered 200',
      () =>
        world.sim.faults.download.push({
          kind: 'answer',
          contentType: 'text/html; charset=utf-8',
          body: '<html><head><title>Sign in</title></head><body>SSO</body></html>'
        }),
      'koreai-tool-a-bot.zip',
      'it is an HTML page titled "Sign in" (most likely a sign-in or proxy page: the download URL needs other authentication, or has expired) (Content-Type text/html; charset=utf-8, 64 bytes)'
    ],
    [
      'a JSON error answered 200',
      () =>
        world.sim.faults.download.push({
          kind: 'answer',
          contentType: 'application/json',
          body: '{"errors":[{"msg":"Export file has expired"}],"token":"tok-SECRET-123"}'
        }),
      'koreai-tool-a-bot.zip',
      'it is a JSON answer: "Export file has expired" (Content-Type application/json, 71 bytes)'
    ],
    [
      'an empty body',
      () => world.sim.faults.download.push({ kind: 'answer', contentType: 'application/zip', body: '' }),
      'koreai-tool-a-bot.zip',
      'it is an empty body (Content-Type application/zip, 0 bytes)'
    ],
    [
      'a 204',
      () => world.sim.faults.download.push({ kind: 'answer', status: 204 }),
      'koreai-tool-a-bot.zip',
      'it is an HTTP 204 No Content answer (no file at all) (no Content-Type, 0 bytes)'
    ],
    [
      'a 206',
      () =>
        world.sim.faults.download.push({
          kind: 'answer',
          status: 206,
          contentType: 'application/zip',
          body: HALF,
          headers: { 'content-range': `bytes 0-${HALF.length - 1}/${EXPORT.length}` }
        }),
      'koreai-tool-a-bot.zip',
      `it is an HTTP 206 Partial Content answer (a part of a file, to a request that asked for no range) (Content-Type application/zip, ${HALF.length} bytes)`
    ],
    [
      'a zip cut short whose Content-Length matches',
      () => world.sim.faults.download.push({ kind: 'answer', contentType: 'application/zip', body: HALF }),
      'koreai-tool-a-bot.zip',
      `it is a zip that ends before its central directory (most likely cut short on the way) (Content-Type application/zip, ${HALF.length} bytes)`
    ],
    [
      'a body cut short on a connection without Content-Length',
      () => world.sim.faults.download.push({ kind: 'unframed', body: HALF }),
      'koreai-tool-a-bot.zip',
      `it is a zip that ends before its central directory (most likely cut short on the way) (Content-Type application/zip, ${HALF.length} bytes)`
    ],
    [
      'a zip with a damaged entry',
      () =>
        (world.sim.tools['a-bot'].file = makeZip(
          toolDefinitions('Bot').map((d, i) => (i === 0 ? { ...d, crc: 0xdeadbeef } : d)),
          { method: 'deflate' }
        )),
      'koreai-tool-a-bot.zip',
      'it is a zip whose entry "flow_definition.json" fails its CRC check (Content-Type application/zip,'
    ],
    [
      'a zip without flow_definition.json',
      () => (world.sim.tools['a-bot'].file = makeZip([{ name: 'notes.txt', data: 'hello' }, toolDefinitions('Bot')[1]])),
      'koreai-tool-a-bot.zip',
      'it is a zip without flow_definition.json (it holds: notes.txt, app_definition.json) (Content-Type application/zip,'
    ],
    [
      'a definition that is not JSON',
      () =>
        (world.sim.tools['a-bot'].file = makeZip([
          { name: 'flow_definition.json', data: '{"nodes": [1, 2' },
          ...toolDefinitions('Bot').slice(1)
        ])),
      'koreai-tool-a-bot.zip',
      'it is a zip whose flow_definition.json is not valid JSON (the text ends in the middle of a value at byte 15) (Content-Type application/zip,'
    ]
  ]

  it.each(cases)(
    '%s: one error saying what arrived, the bytes aside, nothing kept, unpacked or uploaded',
    async (_label, arrange, fileName, arrived) => {
      arrange()
      const result = await backup()
      const error = singleError(result)
      const exports = path.join(result.workspace, 'exports')
      expect(error).toContain(`::error::The download is not a tool export: ${arrived}`)
      expect(error).toContain(
        `It was not kept as ${fileName}, not unpacked and not uploaded; the bytes are at ${path.join(exports, `${fileName}.rejected`)} for inspection.`
      )
      expect(readdirSync(exports)).toEqual([`${fileName}.rejected`])
      expect(existsSync(path.join(result.workspace, 'tools'))).toBe(false)
      expect(world.emu.artifacts).toEqual([])
      // The job did succeed; the file's outputs are never set for bytes that are not the export.
      expect(result.outputs.status).toBe('SUCCESS')
      for (const output of ['filePath', 'sha256', 'size', 'artifactId', 'extractedPath']) expect(result.outputs[output]).toBeUndefined()
      // What the body said beyond its message stays out of the log and the summary.
      expect(result.stdout + result.summary).not.toContain('tok-SECRET-123')
      expect(result.summary).toContain('The download is not a tool export')
    }
  )

  it('refuses a damaged entry even when verify is false', async () => {
    world.sim.tools['a-bot'].file = makeZip([{ name: 'tool.yaml', data: 'name: Bot', crc: 7 }])
    const result = await backup({ verify: 'false' })
    expect(singleError(result)).toContain('it is a zip whose entry "tool.yaml" fails its CRC check')
    expect(readdirSync(path.join(result.workspace, 'exports'))).toEqual(['koreai-tool-a-bot.zip.rejected'])
  })
})

describe('accepted downloads', () => {
  it("keeps an export made by Python's zipfile: the same bytes on disk and in the artifact, its contents in the summary", async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'koreai-pyzip-'))
    try {
      const zipPath = path.join(folder, 'export.zip')
      const script = [
        'import json, sys, zipfile',
        "with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:",
        "    z.writestr('flow_definition.json', json.dumps({'name': 'Py Bot', 'nodes': list(range(2000))}))",
        "    z.writestr('app_definition.json', json.dumps({'name': 'Py Bot', 'type': 'tool'}))",
        "    z.writestr('env_variables.json', json.dumps([{'key': 'REGION', 'value': 'eu'}]))"
      ].join('\n')
      execFileSync('python3', ['-c', script, zipPath])
      const made = readFileSync(zipPath)
      world.sim.tools['a-bot'].file = made
      const result = await backup({ extract: 'false' })
      expect(result.code).toBe(0)
      expect(readFileSync(result.outputs.filePath).equals(made)).toBe(true)
      const artifact = world.emu.artifacts.find(a => a.name === 'koreai-tool-a-bot.zip')!
      expect(readFileSync(artifact.filePath).equals(made)).toBe(true)
      expect(result.stdout).toContain(
        'Verified the export of tool "Py Bot": a zip of 3 files, every size and CRC-32 as recorded; flow_definition.json, app_definition.json and env_variables.json are valid JSON.'
      )
      expect(commandLines(result.stdout, 'warning')).toEqual([])
      expect(result.summary).toContain('<th>Tool</th><td>Py Bot (<code>a-bot</code>)</td>')
      expect(result.summary).toContain('What the export holds')
      expect(result.summary).toMatch(/<td><code>flow_definition\.json<\/code><\/td><td>[\d.]+ KiB \(\d+ bytes\)<\/td>/)
    } finally {
      rmSync(folder, { recursive: true, force: true })
    }
  })

  it('warns, and keeps the export, when an optional definition is missing', async () => {
    world.sim.tools['a-bot'].file = makeZip(toolDefinitions('Bot').slice(0, 2), { method: 'deflate' })
    const result = await backup({ extract: 'false' })
    expect(result.code).toBe(0)
    expect(commandLines(result.stdout, 'warning')).toEqual([
      '::warning::The export holds no env_variables.json; it can still be imported (only flow_definition.json is required).'
    ])
  })

  it('keeps any sound zip with verify: false, and says what was not checked', async () => {
    const renamed = makeZip([{ name: 'flow.json', data: '{"renamed": true}' }], { method: 'deflate' })
    world.sim.tools['a-bot'].file = renamed
    const result = await backup({ verify: 'false', extract: 'false' })
    expect(result.code).toBe(0)
    expect(readFileSync(result.outputs.filePath).equals(renamed)).toBe(true)
    expect(result.stdout).toContain(
      'Verified the zip: 1 file, every size and CRC-32 as recorded (verify is false: not checked to be a tool export).'
    )
  })

  it('needs no status check when the start answer already says SUCCESS', async () => {
    world.sim.tools['a-bot'] = { flowId: 'cf-1', name: 'Bot', variant: 'model', doneAtStart: true }
    const result = await backup({ extract: 'false' })
    expect(result.code).toBe(0)
    expect(result.outputs.status).toBe('SUCCESS')
    expect(world.sim.requests.filter(r => r.path.startsWith('/api/public/dock-status/'))).toEqual([])
    expect(commandLines(result.stdout, 'group')).not.toContain('::group::Wait for the export job (timeout 600 s)')
  })
})
