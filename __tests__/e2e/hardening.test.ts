/**
 * Failure modes, end to end against the bundle on the runtime action.yml declares: passing faults
 * injected into the simulator, client errors, bad input, secrets, the file on disk, cancellation,
 * and environments where uploads cannot work. Each test asserts what a user would see: the log,
 * the exit code, what is on disk, what was sent to which origin.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { makeToolExport } from '../../sim/zip.mjs'
import { KEY, NODE, commandLines, startWorld, type World, singleError } from './world.js'

let world: World
beforeAll(async () => {
  world = await startWorld({
    tools: {
      'a-quick': { flowId: 'cf-1', name: 'Quick Tool', durationMs: 200 },
      'a-job': { flowId: 'cf-1', name: 'Job Tool', durationMs: 2500 },
      'a-never': { flowId: 'cf-1', outcome: 'NEVER' },
      'a/../b': { flowId: 'f&x=1 2', name: 'Odd Id', durationMs: 200 },
      'a-evil-name': { flowId: 'cf-1', durationMs: 200, contentDisposition: 'attachment; filename="../../escaped.zip"' },
      'a-evil-abs': { flowId: 'cf-1', durationMs: 200, contentDisposition: "attachment; filename*=UTF-8''%2Ftmp%2Fabsolute.zip" },
      'a-redirect': { flowId: 'cf-1', name: 'Redirected', durationMs: 200, redirect: true }
    }
  })
})
afterAll(() => world.close())
beforeEach(() => world.reset())

const run = (inputs: Record<string, string>, extra = {}) => world.run(NODE, { flowId: 'cf-1', ...inputs }, extra)
const warnings = (stdout: string) => commandLines(stdout, 'warning')
const statusRequests = () => world.sim.requests.filter(r => r.path.startsWith('/api/public/dock-status/'))

describe('passing faults are survived', () => {
  it('retries the start after a 503 and a 429, which surely started nothing, one warning each', async () => {
    world.sim.faults.export.push({ kind: 'status', status: 503, body: 'Service busy' }, { kind: 'status', status: 429, body: 'Slow down' })
    const result = await run({ toolId: 'a-quick' })
    expect(result.code).toBe(0)
    const lines = warnings(result.stdout)
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^::warning::Starting the export failed \(HTTP 503: Service busy\); retrying in \d+\.\d s \(attempt 2 of 4\)$/)
    expect(lines[1]).toMatch(/^::warning::Starting the export failed \(HTTP 429: Slow down\); retrying in \d+\.\d s \(attempt 3 of 4\)$/)
    expect(world.sim.requests.filter(r => r.method === 'POST')).toHaveLength(3)
  })

  it('gives up on the start after four attempts, naming the last error', async () => {
    for (let i = 0; i < 4; i++) world.sim.faults.export.push({ kind: 'status', status: 503, body: 'Maintenance' })
    const result = await run({ toolId: 'a-quick' })
    expect(warnings(result.stdout)).toHaveLength(3)
    expect(singleError(result)).toMatch(
      /^::error::Starting the export failed 4 times; the last error: HTTP 503: Maintenance \(127\.0\.0\.1:\d+\)\. Check that the platform is reachable/
    )
    expect(result.outputs.status).toBeUndefined()
  })

  it('explains a platform that cannot be reached at all', async () => {
    const result = await run({ toolId: 'a-quick', host: 'http://127.0.0.1:9' })
    expect(singleError(result)).toContain('Starting the export failed 4 times; the last error: connection error ECONNREFUSED (127.0.0.1:9)')
  })

  it('never sends a start again once the platform may have received it: a connection reset after sending', async () => {
    world.sim.faults.export.push({ kind: 'lost' })
    const jobsBefore = world.sim.jobs.size
    const result = await run({ toolId: 'a-quick' })
    expect(singleError(result)).toMatch(
      /^::error::Starting the export failed after the request was sent \(connection error ECONNRESET, 127\.0\.0\.1:\d+\): the platform may have started an export job\. Not sent again, since that could start a second one\. Check the tool's export jobs on/
    )
    expect(world.sim.requests.filter(r => r.method === 'POST')).toHaveLength(1)
    // The one job the platform did start is the only one.
    expect(world.sim.jobs.size - jobsBefore).toBe(1)
  })

  it('reports a 200 it cannot read, quoting what came back, and never sends the start again', async () => {
    world.sim.faults.export.push({ kind: 'answer', contentType: 'text/html', body: '<html><head><title>Company SSO</title></head></html>' })
    const result = await run({ toolId: 'a-quick' })
    expect(singleError(result)).toContain(
      'Starting the export: the platform accepted the request, but its answer cannot be read (the answer is not a JSON object): it is an HTML page titled "Company SSO"'
    )
    expect(singleError(result)).toContain('Not started again, since that could start a second export job.')
    expect(world.sim.requests.filter(r => r.method === 'POST')).toHaveLength(1)
  })

  it('rides out failed status checks (429 with Retry-After, invalid JSON, 500, reset) and honours Retry-After', async () => {
    world.sim.faults.status.push(
      { kind: 'status', status: 429, retryAfter: '3', body: 'Too many requests' },
      { kind: 'badjson' },
      { kind: 'status', status: 500 },
      { kind: 'reset' }
    )
    const result = await run({ toolId: 'a-job' })
    expect(result.code).toBe(0)
    expect(result.outputs.status).toBe('SUCCESS')
    const lines = warnings(result.stdout)
    expect(lines.map(l => l.replace(/ in \d+\.\d s/, ' in N s'))).toEqual([
      '::warning::Status check 1 failed (HTTP 429: Too many requests); checking again in N s or later',
      '::warning::Status check 2 failed (unreadable answer (the answer is not a JSON object)); checking again in N s or later',
      '::warning::Status check 3 failed (HTTP 500: Internal error); checking again in N s or later',
      '::warning::Status check 4 failed (connection error ECONNRESET); checking again in N s or later'
    ])
    const [first, second] = statusRequests()
    expect(second.at - first.at).toBeGreaterThanOrEqual(2900)
  })

  it('never sends two status requests within a second', async () => {
    const result = await run({ toolId: 'a-job', pollIntervalSeconds: '1' })
    expect(result.code).toBe(0)
    const times = statusRequests().map(r => r.at)
    expect(times.length).toBeGreaterThanOrEqual(2)
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(990)
  })

  it('gives up at the timeout with the last error when every check fails', async () => {
    for (let i = 0; i < 20; i++) world.sim.faults.status.push({ kind: 'status', status: 502, body: 'Bad gateway' })
    const result = await run({ toolId: 'a-never', timeoutSeconds: '4' })
    const error = singleError(result)
    expect(error).toMatch(
      /^::error::Checking the export status failed \d+ times in a row; the last error: HTTP 502: Bad gateway\. The job \(dock status id ds-[^)]+\) may still be running/
    )
    expect(result.outputs.status).toBe('IN_PROGRESS')
  })

  it('does not let a status check that hangs stretch the wait past the timeout', async () => {
    world.sim.faults.status.push({ kind: 'stall' }, { kind: 'stall' }, { kind: 'stall' })
    const result = await run({ toolId: 'a-never', timeoutSeconds: '3' })
    expect(singleError(result)).toContain('the last error: no answer within')
    expect(result.ms).toBeLessThan(8000)
  })

  it('retries a download cut short, and keeps only the complete file', async () => {
    world.sim.faults.download.push({ kind: 'truncate' }, { kind: 'reset' })
    const result = await run({ toolId: 'a-quick', path: 'exports' })
    expect(result.code).toBe(0)
    const lines = warnings(result.stdout)
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^::warning::The download failed \(the download (ended after \d+ of \d+ bytes|was cut short after \d+ bytes)/)
    expect(readFileSync(result.outputs.filePath).equals(makeToolExport('Quick Tool'))).toBe(true)
    expect(readdirSync(path.join(result.workspace, 'exports'))).toEqual(['koreai-tool-a-quick.zip'])
  })

  it('fails after the last download attempt without leaving any file', async () => {
    for (let i = 0; i < 4; i++) world.sim.faults.download.push({ kind: 'truncate' })
    const result = await run({ toolId: 'a-quick', path: 'exports' })
    expect(singleError(result)).toMatch(
      /^::error::Downloading the export failed: the download .*Check that the runner can reach the download host/
    )
    expect(readdirSync(path.join(result.workspace, 'exports'))).toEqual([])
    expect(result.outputs.filePath).toBeUndefined()
  })
})

describe('client errors fail fast and explain', () => {
  it.each([
    [
      'a wrong key',
      { key: 'kg-wrong' },
      401,
      'HTTP 401 Unauthorized',
      'The platform said: "Invalid API key"',
      'The API key (input "key") is wrong, revoked or expired'
    ],
    [
      'a key without the Export Tool scope',
      { key: 'kg-viewer-key' },
      403,
      'HTTP 403 Forbidden',
      'does not have the Export Tool scope',
      'lacks the "Export Tool" scope'
    ],
    [
      'an unknown tool',
      { toolId: 'a-missing' },
      404,
      'HTTP 404 Not Found',
      'was not found',
      'Check that the tool "a-missing" (input "toolId")'
    ]
  ])('%s: HTTP %i, no retry, one error', async (_name, inputs, _status, statusText, said, fix) => {
    const result = await run({ toolId: 'a-quick', ...inputs })
    const error = singleError(result)
    expect(error).toContain(`Starting the export failed: ${statusText} from 127.0.0.1:`)
    expect(error).toContain(said)
    expect(error).toContain(fix)
    expect(world.sim.requests).toHaveLength(1)
    expect(warnings(result.stdout)).toEqual([])
  })

  it('HTTP 400 is not retried either', async () => {
    world.sim.faults.export.push({ kind: 'status', status: 400, body: 'flowId is invalid' })
    const result = await run({ toolId: 'a-quick' })
    const error = singleError(result)
    expect(error).toContain('HTTP 400 from 127.0.0.1:')
    expect(error).toContain('The platform said: "flowId is invalid"')
    expect(world.sim.requests).toHaveLength(1)
  })
})

describe('bad input is refused before any request', () => {
  it.each([
    [{ host: 'http://agent-platform.kore.ai' }, 'input "host" is not usable: plain http would send the API key in clear text'],
    [{ host: 'https://user:pw@example.com' }, 'input "host" is not usable: it must not contain a user name or password'],
    [{ timeoutSeconds: 'ten' }, 'input "timeoutSeconds" must be a positive number of seconds; got "ten"'],
    [{ pollIntervalSeconds: '0' }, 'input "pollIntervalSeconds" must be a positive number of seconds; got "0"'],
    [{ retentionDays: '-1' }, 'input "retentionDays" must be a whole number of days, 1 or more; got "-1"'],
    [{ toolId: '' }, 'input "toolId" is required and was not given'],
    [{ flowId: ' ' }, 'input "flowId" is required and was not given'],
    [{ key: '' }, 'input "key" is required and was not given'],
    [{ artifactName: 'nightly:backup' }, 'input "artifactName" is not a valid artifact name: it contains ":"']
  ])('%j', async (inputs, message) => {
    const result = await run({ toolId: 'a-quick', ...inputs })
    const error = singleError(result)
    expect(error).toContain(message)
    expect(world.sim.requests).toEqual([])
  })

  it('percent-encodes opaque ids: a/../b stays one path segment', async () => {
    const result = await run({ toolId: 'a/../b', flowId: 'f&x=1 2' })
    expect(result.code).toBe(0)
    expect(world.sim.requests[0].path).toBe('/api/public/tools/a%2F..%2Fb/export?flowId=f%26x%3D1+2')
    expect(result.outputs.artifactName).toBe('koreai-tool-a-..-b.zip')
  })
})

describe('secrets', () => {
  it('masks the key first and never shows it, even with debug logging on', async () => {
    const result = await run({ toolId: 'a-redirect' }, { env: { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' } })
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines[0]).toBe(`::add-mask::${KEY}`)
    const everywhere = [lines.slice(1).join('\n'), result.stderr, JSON.stringify(result.outputs), result.summary].join('\n')
    expect(everywhere).not.toContain(KEY)
  })

  it('masks the download URL before it could be shown', async () => {
    const result = await run({ toolId: 'a-quick' })
    const url = result.outputs.downloadUrl
    const mask = result.stdout.indexOf(`::add-mask::${url}`)
    expect(mask).toBeGreaterThanOrEqual(0)
    expect(result.stdout.indexOf(url)).toBe(mask + '::add-mask::'.length)
  })

  it('sends the key only to the platform origin, not to the host a download redirects to', async () => {
    const result = await run({ toolId: 'a-redirect' })
    expect(result.code).toBe(0)
    const storage = world.sim.requests.filter(r => r.server === 'storage')
    expect(storage).toHaveLength(1)
    expect(storage[0].apiKey).toBeUndefined()
    expect(world.sim.requests.filter(r => r.server === 'platform').every(r => r.apiKey === KEY)).toBe(true)
  })

  it('keeps the key out of the error of a failed run', async () => {
    const result = await run({ toolId: 'a-missing' })
    expect(result.code).toBe(1)
    expect(result.stdout.replace(`::add-mask::${KEY}`, '')).not.toContain(KEY)
    expect(result.summary).not.toContain(KEY)
  })
})

describe('the file on disk', () => {
  it.each([
    ['a-evil-name', '../../escaped.zip'],
    ['a-evil-abs', '/tmp/absolute.zip']
  ])('never uses a server file name as a path (%s proposes %s)', async (toolId, proposed) => {
    const result = await run({ toolId, path: 'exports/deep' })
    expect(result.code).toBe(0)
    expect(result.outputs.filePath).toBe(path.join(result.workspace, 'exports', 'deep', `koreai-tool-${toolId}.zip`))
    expect(readdirSync(path.join(result.workspace, 'exports'))).toEqual(['deep'])
    expect(existsSync(path.resolve(result.workspace, 'exports', 'deep', proposed))).toBe(false)
  })

  it("replaces an earlier run's export of the same tool in the same folder", async () => {
    const workspace = path.join(world.artifactsDir, 'ws-replace')
    mkdirSync(path.join(workspace, 'exports'), { recursive: true })
    writeFileSync(path.join(workspace, 'exports', 'koreai-tool-a-quick.zip'), 'old export')
    const result = await run({ toolId: 'a-quick', path: 'exports', uploadArtifact: 'false' }, { workspace })
    expect(result.code).toBe(0)
    expect(readFileSync(result.outputs.filePath).equals(makeToolExport('Quick Tool'))).toBe(true)
    expect(readdirSync(path.join(workspace, 'exports'))).toEqual(['koreai-tool-a-quick.zip'])
    expect(commandLines(result.stdout, 'warning')).toEqual([])
  })
})

describe('cancellation', () => {
  it('stops within two seconds of SIGINT while waiting, naming the job left running', async () => {
    const action = world.start(NODE, { toolId: 'a-never', flowId: 'cf-1' })
    await action.waitForOutput(/Export started: dock status id/)
    const sentAt = Date.now()
    action.child.kill('SIGINT')
    const result = await action.done
    expect(Date.now() - sentAt).toBeLessThan(2000)
    const error = singleError(result)
    expect(error).toBe(
      `::error::The export was cancelled (SIGINT). The export job (dock status id ${result.outputs.dockStatusId}) was left running on the platform. No partial file was kept.`
    )
    expect(result.outputs.status).toBe('IN_PROGRESS')
  })

  it('stops within two seconds of SIGTERM mid-download and removes the partial file', async () => {
    world.sim.faults.download.push({ kind: 'slow' })
    const action = world.start(NODE, { toolId: 'a-quick', flowId: 'cf-1', path: 'exports' })
    await action.waitForOutput(/::group::Download and verify the export/)
    await new Promise(resolve => setTimeout(resolve, 300))
    const folder = path.join(action.base, 'workspace', 'exports')
    expect(readdirSync(folder).some(name => name.endsWith('.part'))).toBe(true)
    const sentAt = Date.now()
    action.child.kill('SIGTERM')
    const result = await action.done
    expect(Date.now() - sentAt).toBeLessThan(2000)
    expect(singleError(result)).toContain('The export was cancelled (SIGTERM).')
    expect(readdirSync(folder)).toEqual([])
  })
})

describe('where uploads cannot work', () => {
  it('refuses GitHub Enterprise Server before starting, pointing at uploadArtifact: false', async () => {
    const result = await run({ toolId: 'a-quick' }, { env: { GITHUB_SERVER_URL: 'https://github.acme.corp' } })
    const error = singleError(result)
    expect(error).toContain('Uploading artifacts is not supported on GitHub Enterprise Server (https://github.acme.corp)')
    expect(error).toContain('Set "uploadArtifact: false"')
    expect(world.sim.requests).toEqual([])
  })

  it('works on GHES with uploadArtifact: false', async () => {
    const result = await run({ toolId: 'a-quick', uploadArtifact: 'false' }, { env: { GITHUB_SERVER_URL: 'https://github.acme.corp' } })
    expect(result.code).toBe(0)
    expect(existsSync(result.outputs.filePath)).toBe(true)
  })

  it('explains a run outside Actions (no runtime variables)', async () => {
    const result = await run({ toolId: 'a-quick' }, { env: { ACTIONS_RUNTIME_TOKEN: undefined, ACTIONS_RESULTS_URL: undefined } })
    expect(singleError(result)).toContain(
      'ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set: this is not running as a step of a GitHub Actions job'
    )
    expect(world.sim.requests).toEqual([])
  })
})
