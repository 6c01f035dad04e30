/**
 * Every mistake gets one clear answer, before it costs a job, and nothing is lost or leaked:
 * hostile answers, odd inputs, the disk, cancellation and the summary, end to end against the
 * bundle.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import type { Socket } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { startRawServer, type RawAnswer } from '../../sim/raw-http.mjs'
import { makeZip, toolDefinitions } from '../../sim/zip.mjs'
import { commandLines, KEY, NODE, singleError, startWorld, type World } from './world.js'

const LONG_ID = `a-${'x'.repeat(300)}`

let world: World
beforeAll(async () => {
  world = await startWorld({
    tools: {
      'a-quick': { flowId: 'cf-1', name: 'Quick Tool', durationMs: 200 },
      'a-job': { flowId: 'cf-1', name: 'Job Tool', durationMs: 1500 },
      'a-never': { flowId: 'cf-1', outcome: 'NEVER' },
      'a-bom': { flowId: 'cf-1', name: 'Bom Tool', durationMs: 200, bom: true, variant: 'table' },
      [LONG_ID]: { flowId: 'cf-1', name: 'Long Tool', durationMs: 200 }
    }
  })
})
afterAll(() => world.close())
beforeEach(() => world.reset())

const run = (inputs: Record<string, string>, extra = {}) => world.run(NODE, { flowId: 'cf-1', ...inputs }, extra)
const noRequest = () => expect(world.sim.requests).toEqual([])

describe('nothing from a server starts a line of its own', () => {
  it('escapes line breaks in a dock status id and a status, so no workflow command is injected', async () => {
    world.sim.faults.export.push({
      kind: 'answer',
      body: JSON.stringify({ dockStatusId: 'ds-evil\n::add-mask::pwned\n::error::injected', status: 'FAILED\n::warning::x' })
    })
    const result = await run({ toolId: 'a-quick' })
    const error = singleError(result)
    expect(error).toContain('ds-evil%0A::add-mask::pwned%0A::error::injected')
    for (const line of result.stdout.split('\n')) expect(line).not.toMatch(/^::(add-mask|error|warning)::(pwned|injected|x)/)
    expect(result.stdout).toContain('Export started: dock status id ds-evil%0A::add-mask::pwned%0A::error::injected')
  })
})

describe('the summary keeps secrets', () => {
  it('shows neither the key a 401 echoes nor its HTML-escaped form', async () => {
    world.sim.faults.export.push({ kind: 'status', status: 401, body: `Invalid API key "${KEY}&x"` })
    const result = await run({ toolId: 'a-quick' })
    expect(singleError(result)).toContain('HTTP 401')
    expect(result.summary).toContain('The platform said')
    for (const form of [KEY, KEY.replace(/-/g, '&#45;'), encodeURIComponent(KEY)]) expect(result.summary).not.toContain(form)
    expect(result.summary).toContain('***')
  })
})

describe('inputs are checked before the export job starts', () => {
  it.each([
    [
      'timeoutSeconds beyond a job',
      { timeoutSeconds: '99999999' },
      'input "timeoutSeconds" must be from 1 to 21600 seconds (6 hours, a job\'s own limit); got "99999999"'
    ],
    ['timeoutSeconds under a second', { timeoutSeconds: '0.5' }, 'input "timeoutSeconds" must be from 1 to 21600 seconds'],
    [
      'a key with a zero-width space',
      { key: `${KEY.slice(0, 5)}\u200b${KEY.slice(5)}` },
      'input "key" holds the character U+200B (ZERO WIDTH SPACE) at position 6; API keys are printable ASCII'
    ]
  ])('refuses %s, naming the input, with no request', async (_label, inputs, message) => {
    const result = await run({ toolId: 'a-quick', ...inputs })
    expect(singleError(result)).toContain(message)
    noRequest()
  })

  it('refuses a path that is a file, and an extractPath inside one, before any request', async () => {
    const result = await world.run(
      NODE,
      { toolId: 'a-quick', flowId: 'cf-1', path: 'exports', extract: 'true', extractPath: 'notes.txt/tool' },
      {
        workspace: prepared(ws => {
          writeFileSync(path.join(ws, 'exports'), 'a file, not a folder')
          writeFileSync(path.join(ws, 'notes.txt'), 'a file')
        })
      }
    )
    const error = singleError(result)
    expect(error).toContain(`input "path" names a file, not a folder: ${path.join(result.workspace, 'exports')}`)
    expect(error).toContain(`input "extractPath" lies inside a file, ${path.join(result.workspace, 'notes.txt')}, not a folder`)
    noRequest()
  })

  it('checks the status at least once with the shortest timeout', async () => {
    const result = await run({ toolId: 'a-never', timeoutSeconds: '1' })
    expect(singleError(result)).toContain('did not finish within 1 s')
    expect(world.sim.requests.filter(r => r.path.startsWith('/api/public/dock-status/')).length).toBeGreaterThanOrEqual(1)
    expect(result.summary).toContain('❌ timed out after 1 s, still IN_PROGRESS')
  })

  it('exports a tool whose id is too long for a file name, into a shortened folder', async () => {
    const result = await run({ toolId: LONG_ID, uploadArtifact: 'false' }, { env: { ACTIONS_RUNTIME_TOKEN: undefined } })
    expect(result.code).toBe(0)
    expect(path.basename(path.dirname(result.outputs.filePath))).toMatch(/^a-x{46}-[0-9a-f]{12}$/)
  })

  it('takes a host given with /api/public as if it ended before it', async () => {
    const result = await run({ toolId: 'a-quick', host: `${world.sim.url}/api/public/` })
    expect(result.code).toBe(0)
    expect(world.sim.requests.every(r => !r.path.includes('/api/public/api/public'))).toBe(true)
  })

  it('never echoes a password given in a host that is not a URL', async () => {
    const result = await run({ toolId: 'a-quick', host: 'https://admin:hunter2-secret@exa mple.com' })
    const error = singleError(result)
    expect(error).toContain('input "host" is not usable')
    expect(result.stdout + result.summary).not.toContain('hunter2-secret')
    noRequest()
  })
})

describe('odd answers from the platform', () => {
  it('reads JSON answers that begin with a byte order mark', async () => {
    const result = await run({ toolId: 'a-bom' })
    expect(result.code).toBe(0)
    expect(commandLines(result.stdout, 'warning')).toEqual([])
  })

  it('does not trust a status answer about another job', async () => {
    world.sim.faults.status.push({ kind: 'answer', body: JSON.stringify({ _id: 'ds-someone-else', status: 'SUCCESS' }) })
    const result = await run({ toolId: 'a-job' })
    expect(result.code).toBe(0)
    expect(commandLines(result.stdout, 'warning')[0]).toMatch(
      /^::warning::Status check 1 failed \(unreadable answer \(the answer is about another job\)\)/
    )
    // The download came only after this job's own SUCCESS.
    const download = world.sim.requests.find(r => r.path.startsWith('/api/v1/account/'))!
    const job = [...world.sim.jobs.values()].find(j => j.toolId === 'a-job')!
    expect(download.at - job.startedAt).toBeGreaterThanOrEqual(1500)
  })

  it('reports a download URL that is not a URL as an unusable answer, without its query', async () => {
    world.sim.faults.export.push({
      kind: 'answer',
      body: JSON.stringify({ _id: 'ds-1', status: 'SUCCESS', downloadUrl: 'http://[::1/export?sig=abc' })
    })
    const result = await run({ toolId: 'a-quick' })
    const error = singleError(result)
    expect(error).toContain(`the platform's answer is unusable: its download URL "http://[::1/export" is not a URL`)
    expect(error).not.toContain('sig=abc')
  })
})

describe('the summary tells the truth', () => {
  it('shows an export that succeeded but whose upload failed as a failure of the upload', async () => {
    const first = await run({ toolId: 'a-quick', artifactName: 'same-name' })
    expect(first.code).toBe(0)
    const second = await run({ toolId: 'a-quick', artifactName: 'same-name' })
    expect(singleError(second)).toContain('Uploading the artifact "same-name.zip" failed')
    expect(second.summary).toContain('❌ the export job succeeded; the upload failed')
    expect(second.summary).not.toContain('✅')
  })
})

describe('cancellation leaves nothing behind', () => {
  it('during the upload: no staging folder, and the summary says the upload was cancelled', async () => {
    const action = world.start(
      NODE,
      { toolId: 'a-quick', flowId: 'cf-1', artifactName: 'cancelled-upload' },
      { env: { ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY: '1' } }
    )
    await action.waitForOutput(/::group::Upload the artifact/)
    action.child.kill('SIGINT')
    const result = await action.done
    expect(singleError(result)).toContain('The export was cancelled (SIGINT).')
    expect(result.summary).toContain('❌ the export job succeeded; the upload was cancelled')
    expect(result.summary).not.toContain('✅')
    expect(readdirSync(result.runnerTemp).filter(name => name.startsWith('koreai-upload-'))).toEqual([])
  })
})

/** A fresh workspace, arranged by `arrange` before the run. */
function prepared(arrange: (workspace: string) => void): string {
  const workspace = path.join(world.artifactsDir, `ws-${Math.random().toString(36).slice(2)}`)
  mkdirSync(workspace, { recursive: true })
  arrange(workspace)
  return workspace
}

describe('a download on another origin', () => {
  it('answered 401 says the key goes only to host, names both origins, and how to fix the same platform under two names', async () => {
    // The platform named as localhost; its download URL points at 127.0.0.1, another origin.
    const port = new URL(world.sim.url).port
    const result = await run({ toolId: 'a-quick', host: `http://localhost:${port}` })
    const error = singleError(result)
    expect(error).toContain(
      `from http://127.0.0.1:${port}. The API key is sent only to http://localhost:${port} (the "host" input), never to another origin`
    )
    expect(error).toContain('such as localhost and 127.0.0.1')
    // No key went to the other origin.
    expect(world.sim.requests.filter(r => r.path.startsWith('/api/v1/account/')).every(r => r.apiKey === undefined)).toBe(true)
  })
})

describe('a redirect to signed storage', () => {
  it('masks the target and its signature before requesting it', async () => {
    world.sim.addTool('a-signed', { flowId: 'cf-1', name: 'Signed', durationMs: 200, redirect: true })
    const result = await run({ toolId: 'a-signed' })
    expect(result.code).toBe(0)
    const storage = world.sim.requests.find(r => r.server === 'storage')!
    const signature = new URL(storage.path, 'http://storage').searchParams.get('sig')!
    const mask = result.stdout.indexOf(`::add-mask::${signature}\n`)
    expect(mask).toBeGreaterThanOrEqual(0)
    // Masked before the storage saw the request: until then it shows only in the masks themselves.
    const shownBefore = result.stdout
      .slice(0, mask)
      .split('\n')
      .filter(line => line.includes(signature))
    expect(shownBefore.every(line => line.startsWith('::add-mask::'))).toBe(true)
    expect(result.summary).not.toContain(signature)
  })
})

describe('a disk that fills', () => {
  // A 1 MiB file system of the test's own; only root may mount one, and elsewhere these tests skip.
  // Probed (mounted and let go) while the tests are collected; mounted for real only when they run.
  const tiny = path.join(os.tmpdir(), `koreai-tiny-${process.pid}`)
  const mountTiny = (): void => {
    mkdirSync(tiny, { recursive: true })
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', tiny], { stdio: 'pipe' })
  }
  const unmountTiny = (): void => {
    execFileSync('umount', [tiny], { stdio: 'pipe' })
    rmSync(tiny, { recursive: true, force: true })
  }
  let canMount = true
  try {
    mountTiny()
    unmountTiny()
  } catch {
    canMount = false
    rmSync(tiny, { recursive: true, force: true })
    console.warn('Cannot mount a small tmpfs here (not root?): the full-disk tests are skipped.')
  }
  const itWithTinyDisk = canMount ? it : it.skip
  beforeAll(() => {
    if (canMount) mountTiny()
  })
  afterAll(() => {
    if (canMount) unmountTiny()
  })
  const flow = (data: string) =>
    makeZip([{ name: 'flow_definition.json', data }, ...toolDefinitions('Full').slice(1)], { method: 'deflate' })

  itWithTinyDisk('while downloading: ends at once with "no space left", the free and needed sizes, and nothing kept', async () => {
    world.sim.addTool('a-full', {
      flowId: 'cf-1',
      name: 'Full',
      durationMs: 200,
      file: makeZip([{ name: 'flow_definition.json', data: JSON.stringify({ blob: randomBytes(2 << 20).toString('base64') }) }])
    })
    const result = await run({ toolId: 'a-full', path: path.join(tiny, 'exports') })
    const error = singleError(result)
    expect(error).toMatch(
      /failed: no space left on the device after [\d.]+ \S+ \(\d+ bytes\) \([\d.]+ \S+ \(\d+ bytes\) free, 2\.7 MiB \(\d+ bytes\) needed\)\. Nothing was kept\./
    )
    expect(result.ms).toBeLessThan(15_000)
    expect(readdirSync(path.join(tiny, 'exports'))).toEqual([])
  })

  itWithTinyDisk('refuses a path on a read-only file system before any request', async () => {
    const readOnly = path.join(tiny, 'read-only')
    mkdirSync(readOnly, { recursive: true })
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', readOnly])
    try {
      const result = await run({ toolId: 'a-quick', path: path.join(readOnly, 'exports') })
      expect(singleError(result)).toContain(`input "path" cannot be made: its parent ${readOnly} is on a read-only file system`)
      expect(world.sim.requests).toEqual([])
    } finally {
      execFileSync('umount', [readOnly])
    }
  })

  itWithTinyDisk('before unpacking: the unpacked size against the free space, nothing written', async () => {
    world.sim.addTool('a-unpack', {
      flowId: 'cf-1',
      name: 'Full',
      durationMs: 200,
      file: flow(JSON.stringify({ text: 'x'.repeat(3 << 20) }))
    })
    const result = await run({ toolId: 'a-unpack', path: 'exports', extract: 'true', extractPath: path.join(tiny, 'tool') })
    expect(singleError(result)).toMatch(
      /Unpacking the export needs 3\.0 MiB \(\d+ bytes\) but .* has [\d.]+ \S+ \(\d+ bytes\) left: no space left on the device\. Nothing was written;/
    )
    expect(readdirSync(tiny).filter(name => name.includes('tool'))).toEqual([])
    expect(world.emu.artifacts).toEqual([])
  })
})

describe('two runs at once into one folder', () => {
  const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')
  const blob = (run: number, bytes: number) =>
    makeZip([{ name: 'flow_definition.json', data: JSON.stringify({ run, blob: randomBytes(bytes).toString('base64') }) }])

  it('of two tools the server names alike: each filePath holds the bytes its sha256 describes, and so does each artifact', async () => {
    const exports = [0, 1].map(i => blob(i, 1_100_000))
    // Served from disk at 1 MiB/s, so that the two downloads overlap (checked below).
    for (const i of [0, 1]) {
      const file = path.join(world.artifactsDir, `twin-${i}.zip`)
      writeFileSync(file, exports[i])
      world.sim.addTool(`a-twin-${i}`, { flowId: 'cf-1', name: 'Twin', durationMs: 200, filePath: file, paceBytesPerSecond: 1 << 20 })
    }
    const workspace = prepared(() => undefined)
    const runs = await Promise.all(
      [0, 1].map(i => run({ toolId: `a-twin-${i}`, path: 'exports', artifactName: `twin-${i}` }, { workspace }))
    )
    const [first, second] = world.sim.requests.filter(r => r.path.startsWith('/api/v1/account/'))
    expect(Math.max(first.at, second.at)).toBeLessThan(Math.min(first.finishedAt!, second.finishedAt!))
    for (const [i, result] of runs.entries()) {
      expect(result.code).toBe(0)
      expect(result.outputs.sha256).toBe(sha256(exports[i]))
      expect(result.outputs.size).toBe(String(exports[i].length))
      expect(sha256(readFileSync(result.outputs.filePath))).toBe(result.outputs.sha256)
      const artifact = world.emu.artifacts.find(a => a.name === `twin-${i}.zip`)!
      expect(readFileSync(artifact.filePath).equals(exports[i])).toBe(true)
    }
    expect(readdirSync(path.join(workspace, 'exports')).sort()).toEqual(['twin-0.zip', 'twin-1.zip'])
  })

  it('of one tool, with other bytes each: neither replaces the file the other saved, and each filePath holds its own bytes', async () => {
    const raw = await startRawServer()
    try {
      const versions = [0, 1].map(i => blob(i, 200_000))
      // Each download is held until both have been asked for, so that they surely overlap.
      const held: Socket[] = []
      const release: RawAnswer = socket => {
        held.push(socket)
        if (held.length < 2) return
        for (const [i, waiting] of held.entries()) {
          const head = `HTTP/1.1 200 OK\r\ncontent-type: application/zip\r\ncontent-length: ${versions[i].length}\r\n\r\n`
          waiting.end(Buffer.concat([Buffer.from(head), versions[i]]))
        }
      }
      raw.answers.push(release, release)
      world.sim.addTool('a-same', { flowId: 'cf-1', name: 'Same', durationMs: 200, downloadUrl: `${raw.url}/same.zip` })
      const workspace = prepared(() => undefined)
      const runs = await Promise.all(
        [0, 1].map(() =>
          run({ toolId: 'a-same', path: 'exports', uploadArtifact: 'false' }, { workspace, env: { ACTIONS_RUNTIME_TOKEN: undefined } })
        )
      )
      for (const result of runs) {
        expect(result.code).toBe(0)
        expect(sha256(readFileSync(result.outputs.filePath))).toBe(result.outputs.sha256)
      }
      expect(runs.map(r => r.outputs.sha256).sort()).toEqual(versions.map(sha256).sort())
      const named = path.join(workspace, 'exports', 'koreai-tool-a-same.zip')
      expect(runs.map(r => r.outputs.filePath)).toContain(named)
      // The run that saved second says where its file went instead.
      const beside = runs.find(r => r.outputs.filePath !== named)!
      expect(path.dirname(beside.outputs.filePath)).toBe(path.dirname(named))
      expect(commandLines(beside.stdout, 'warning')).toContainEqual(
        `::warning::Another run saved ${named} while this one ran, with other bytes: this run's file is ${beside.outputs.filePath} instead (output filePath), so that it holds the bytes this run's sha256 describes.`
      )
      const first = runs.find(r => r !== beside)!
      expect(first.stdout).not.toContain('Another run saved')
      expect(readdirSync(path.dirname(named)).sort()).toEqual([path.basename(named), path.basename(beside.outputs.filePath)].sort())
    } finally {
      await raw.close()
    }
  })
})

describe('a folder in the way of the file', () => {
  it("refuses the run, naming the folder, and leaves no file of the run's own anywhere", async () => {
    // The server proposes the artifact's file name: the file takes that name whichever of the two names it.
    world.sim.addTool('a-folder', { flowId: 'cf-1', name: 'koreai-tool-a-folder', durationMs: 200 })
    const taken = 'koreai-tool-a-folder.zip'
    const workspace = prepared(ws => mkdirSync(path.join(ws, 'exports', taken), { recursive: true }))
    const result = await run(
      { toolId: 'a-folder', path: 'exports', uploadArtifact: 'false' },
      { workspace, env: { ACTIONS_RUNTIME_TOKEN: undefined } }
    )
    expect(readdirSync(path.join(workspace, 'exports'))).toEqual([taken])
    expect(readdirSync(path.join(workspace, 'exports', taken))).toEqual([])
    expect(readdirSync(result.runnerTemp)).toEqual([])
    expect(singleError(result)).toBe(
      `::error::Saving the export as ${path.join(workspace, 'exports', taken)} failed: a folder has that name. ` +
        'Move or remove that folder, or save the export elsewhere with the input "path" (its file is named after the artifact, "artifactName").'
    )
    expect(result.outputs.filePath).toBeUndefined()
  })
})

describe('a host given without a scheme', () => {
  it('whose server answers in plain http gets a hint that says so, not a bare TLS error, and no retries', async () => {
    const result = await run({ toolId: 'a-quick', host: new URL(world.sim.url).host })
    const error = singleError(result)
    expect(error).toContain(`${new URL(world.sim.url).host} answered in plain http, not https`)
    expect(error).toContain('A "host" without a scheme means https.')
    expect(commandLines(result.stdout, 'warning')).toEqual([])
  })
})

describe('cancelled while unpacking', () => {
  it('leaves no staging folder, only the target whole or not at all, and says so in the summary', async () => {
    // Enough files that unzip is still at work when the signal comes.
    const entries = Array.from({ length: 400 }, (_, i) => ({
      name: `nodes/node-${i}.json`,
      data: JSON.stringify({ i, text: randomBytes(30_000).toString('base64') })
    }))
    world.sim.addTool('a-unpack-big', {
      flowId: 'cf-1',
      name: 'Big',
      durationMs: 100,
      file: makeZip([...toolDefinitions('Big'), ...entries], { method: 'deflate' })
    })
    const workspace = prepared(ws => mkdirSync(path.join(ws, 'tools'), { recursive: true }))
    const action = world.start(
      NODE,
      { toolId: 'a-unpack-big', flowId: 'cf-1', extract: 'true', extractPath: 'tools/big', uploadArtifact: 'false' },
      { workspace, env: { ACTIONS_RUNTIME_TOKEN: undefined } }
    )
    await action.waitForOutput(/::group::Unpack the export/)
    action.child.kill('SIGINT')
    const result = await action.done
    expect(singleError(result)).toContain('The export was cancelled (SIGINT).')
    expect(result.summary).toContain('❌ the export job succeeded; unpacking was cancelled')
    // Give any unzip still running a moment: no staging folder may be left, and a target that was
    // swapped in before the signal took effect is whole.
    await new Promise(resolve => setTimeout(resolve, 1500))
    const left = readdirSync(path.join(workspace, 'tools'))
    expect(left.filter(name => name !== 'big')).toEqual([])
    if (left.includes('big')) expect(readdirSync(path.join(workspace, 'tools', 'big', 'nodes'))).toHaveLength(400)
  })
})
