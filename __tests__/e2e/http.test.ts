/**
 * The faults found when the action was tried against real servers and proxies (nginx,
 * tinyproxy) and hostile ones, each end to end against the bundle: compressed downloads, a body
 * that trickles, Retry-After beyond reason, answers cut short or without end, URLs of other
 * schemes, an IPv6 host, proxies that forward plain http or ask for credentials, NO_PROXY, and
 * the debug log. Real servers are used where installed (.ci/run installs them); a test that
 * needs one skips with a message saying so.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { startConnectProxy } from '../../sim/connect-proxy.mjs'
import { installed, startNginx, startTinyproxy } from '../../sim/real-servers.mjs'
import { makeTestCertificate } from '../../sim/test-cert.mjs'
import { makeToolExport } from '../../sim/zip.mjs'
import { KEY, NODE, commandLines, singleError, startWorld, type World } from './world.js'

const exported = makeToolExport('Wire Tool', 4)
const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')
const warnings = (stdout: string) => commandLines(stdout, 'warning')
/** An IPv4 address of this machine that is not loopback: proxies apply to it. */
const address = Object.values(os.networkInterfaces())
  .flat()
  .find(a => a && a.family === 'IPv4' && !a.internal)?.address
/** `it`, or `it.skip` with the reason in the test's name when a real server is missing. */
const withProgram = (program: 'nginx' | 'tinyproxy'): typeof it.only =>
  installed(program)
    ? it
    : (((name: string, fn: () => Promise<void>, timeout?: number) =>
        it.skip(`${name} [skipped: ${program} is not installed; apt-get install ${program}]`, fn, timeout)) as typeof it.only)

describe('on a loopback platform', () => {
  let world: World
  beforeAll(async () => {
    world = await startWorld({
      tools: {
        'a-wire': { flowId: 'cf-1', name: 'Wire Tool', durationMs: 200, file: exported },
        'a-job': { flowId: 'cf-1', name: 'Wire Tool', durationMs: 2500, file: exported },
        'a-never': { flowId: 'cf-1', outcome: 'NEVER' }
      }
    })
  })
  afterAll(() => world.close())
  beforeEach(() => world.reset())
  const run = (inputs: Record<string, string>, extra = {}) =>
    world.run(NODE, { toolId: 'a-wire', flowId: 'cf-1', uploadArtifact: 'false', ...inputs }, extra)
  const posts = () => world.sim.requests.filter(r => r.method === 'POST')
  const statusChecks = () => world.sim.requests.filter(r => r.path.startsWith('/api/public/dock-status/'))

  describe('a compressed download is stored as the export, not as it travelled', () => {
    it.each(['gzip', 'deflate', 'br'])('Content-Encoding: %s', async coding => {
      world.sim.faults.download.push({ kind: coding })
      const result = await run({ path: 'exports' })
      expect(result.code).toBe(0)
      expect(readFileSync(result.outputs.filePath).equals(exported)).toBe(true)
      expect(result.outputs.sha256).toBe(sha256(exported))
      expect(result.outputs.size).toBe(String(exported.length))
      expect(readdirSync(path.join(result.workspace, 'exports'))).toEqual(['koreai-tool-a-wire.zip'])
    })

    withProgram('nginx')('from nginx with gzip_static always (it ignores Accept-Encoding: identity)', async () => {
      const nginx = await startNginx({ files: { 'wire.zip': exported }, gzipStatic: true })
      try {
        world.sim.addTool('a-nginx', { flowId: 'cf-1', durationMs: 200, file: exported, downloadUrl: `${nginx.url}/wire.zip` })
        const result = await run({ toolId: 'a-nginx' })
        expect(result.code).toBe(0)
        expect(readFileSync(result.outputs.filePath).equals(exported)).toBe(true)
        expect(result.outputs.sha256).toBe(sha256(exported))
      } finally {
        await nginx.close()
      }
    })
  })

  it('refuses a downloadTimeoutSeconds beyond six hours before any request', async () => {
    const result = await run({ downloadTimeoutSeconds: '99999999' })
    expect(singleError(result)).toContain(
      'input "downloadTimeoutSeconds" must be at most 21600 (6 hours, a job\'s own limit); got "99999999"'
    )
    expect(world.sim.requests).toEqual([])
  })

  it('ends a download that trickles at downloadTimeoutSeconds, with progress every 10 s and no file left', async () => {
    world.sim.faults.download.push({ kind: 'trickle' })
    const result = await run({ path: 'exports', downloadTimeoutSeconds: '12' })
    const error = singleError(result)
    expect(error).toMatch(
      /^::error::The download did not finish within 12 s \(downloadTimeoutSeconds\); \d+ bytes had arrived of \d+\. Raise "downloadTimeoutSeconds"/
    )
    const progress = result.stdout.split('\n').filter(line => line.startsWith('Downloaded '))
    expect(progress).toHaveLength(1)
    expect(progress[0]).toMatch(/^Downloaded \d+ bytes of \d+ bytes \(\d+%\) at \d+ bytes\/s, about \d+ s left$/)
    expect(result.ms).toBeLessThan(20_000)
    expect(readdirSync(path.join(result.workspace, 'exports'))).toEqual([])
    expect(result.outputs.filePath).toBeUndefined()
  })

  describe('Retry-After is obeyed within reason', () => {
    it('waits for an HTTP date a few seconds ahead', async () => {
      // A date has whole seconds: 4 s ahead of the answer is 3 to 4 s after it.
      world.sim.faults.status.push({ kind: 'status', status: 503, retryAfterDateInMs: 4000, body: 'Busy' })
      const result = await run({ toolId: 'a-job' })
      expect(result.code).toBe(0)
      const [first, second] = statusChecks()
      expect(second.at - first.at).toBeGreaterThanOrEqual(2900)
    })

    it.each([
      ['3600', 'the 60 s the action waits at most'],
      ['99999999999', 'the 60 s the action waits at most']
    ])('ends the status checks at Retry-After: %s, quoting it, without a timer overflow', async (value, bound) => {
      world.sim.faults.status.push({ kind: 'status', status: 429, retryAfter: value, body: 'Slow down' })
      const result = await run({ toolId: 'a-never' })
      const error = singleError(result)
      expect(error).toContain(
        `Status check 1 failed (HTTP 429: Slow down) and the server asked to wait before trying again (Retry-After: "${value}"), longer than ${bound}; not retried.`
      )
      expect(statusChecks()).toHaveLength(1)
      expect(result.stderr).not.toContain('TimeoutOverflowWarning')
      expect(result.ms).toBeLessThan(10_000)
    })

    it('never waits past the time left before timeoutSeconds, nor re-POSTs the start for it', async () => {
      world.sim.faults.export.push({ kind: 'status', status: 503, retryAfter: '30', body: 'Maintenance' })
      const result = await run({ toolId: 'a-never', timeoutSeconds: '10' })
      expect(singleError(result)).toMatch(
        /^::error::Starting the export failed \(HTTP 503: Maintenance\) and the server asked to wait before trying again \(Retry-After: "30"\), longer than the \d+ s left before the time limit; not retried\./
      )
      expect(posts()).toHaveLength(1)
      expect(result.ms).toBeLessThan(10_000)
    })
  })

  describe('answers cut short', () => {
    it('retries a status answer cut short, as a passing fault', async () => {
      world.sim.faults.status.push({ kind: 'cut' })
      const result = await run({ toolId: 'a-job' })
      expect(result.code).toBe(0)
      expect(warnings(result.stdout)).toEqual([
        expect.stringMatching(
          /^::warning::Status check 1 failed \(the answer \(HTTP 200\) was cut short after \d+ bytes \(connection reset\)\); checking again in/
        )
      ])
      expect(readFileSync(result.outputs.filePath).equals(exported)).toBe(true)
    })

    it('retries a start whose 503 answer was cut short: nothing was started', async () => {
      world.sim.faults.export.push({ kind: 'cut', status: 503 })
      const result = await run({})
      expect(result.code).toBe(0)
      expect(posts()).toHaveLength(2)
      expect(world.sim.jobs.size).toBeGreaterThan(0)
    })

    it('never re-POSTs a start the platform accepted (200) before its answer broke off', async () => {
      const jobsBefore = world.sim.jobs.size
      world.sim.faults.export.push({ kind: 'cut' })
      const result = await run({})
      const error = singleError(result)
      expect(error).toMatch(
        /^::error::Starting the export: the platform accepted the request \(HTTP 200\), but its answer was cut short \(.*\); not started again, since that could start a second export job\./
      )
      expect(posts()).toHaveLength(1)
      expect(world.sim.jobs.size).toBe(jobsBefore + 1)
      expect(warnings(result.stdout)).toEqual([])
    })
  })

  describe('answers without end are refused at 1 MiB', () => {
    it.each([
      ['export', 'Starting the export'],
      ['status', 'Checking the export status']
    ] as const)('on the %s route', async (route, what) => {
      world.sim.faults[route].push({ kind: 'huge' })
      const result = await run({ toolId: route === 'status' ? 'a-never' : 'a-wire' })
      const error = singleError(result)
      expect(error).toContain(`${what} failed: the platform's answer (HTTP 200) was longer than 1 MiB and was refused unread.`)
      expect(posts()).toHaveLength(1)
      expect(result.ms).toBeLessThan(10_000)
    })
  })

  describe('only http and https are fetched', () => {
    it.each([
      ['data:application/zip;base64,UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==', 'data'],
      ['ftp://127.0.0.1/exports/tool.zip', 'ftp'],
      ['file:///etc/passwd', 'file']
    ])('refuses a downloadUrl %s', async (url, scheme) => {
      const toolId = `a-scheme-${scheme}`
      world.sim.addTool(toolId, { flowId: 'cf-1', durationMs: 200, file: exported, downloadUrl: url })
      const result = await run({ toolId })
      expect(singleError(result)).toContain(
        `::error::Downloading the export was refused: the URL uses the scheme ${scheme}, and only http and https are fetched.`
      )
      expect(warnings(result.stdout)).toEqual([])
      expect(result.outputs.filePath).toBeUndefined()
    })

    it('refuses a redirect to ftp:', async () => {
      world.sim.addTool('a-to-ftp', { flowId: 'cf-1', durationMs: 200, file: exported, redirectTo: 'ftp://127.0.0.1/tool.zip' })
      const result = await run({ toolId: 'a-to-ftp' })
      expect(singleError(result)).toContain(
        '::error::Downloading the export was refused: a redirect uses the scheme ftp, and only http and https are fetched.'
      )
    })
  })
})

describe('an IPv6 literal host', () => {
  const certificate = makeTestCertificate(['::1'])
  afterAll(() => rmSync(certificate.dir, { recursive: true, force: true }))
  let world: World
  beforeAll(async () => {
    world = await startWorld({
      hostname: '::1',
      tls: { key: certificate.key, cert: certificate.cert, on: ['platform', 'storage'] },
      tools: { 'a-six': { flowId: 'cf-1', name: 'Six', durationMs: 200, file: exported, redirect: true } }
    })
  })
  afterAll(() => world.close())

  it('works, the key included: https://[::1]:port', async () => {
    expect(world.sim.url).toMatch(/^https:\/\/\[::1\]:\d+$/)
    const result = await world.run(
      NODE,
      { toolId: 'a-six', flowId: 'cf-1', uploadArtifact: 'false' },
      { env: { NODE_EXTRA_CA_CERTS: certificate.caFile } }
    )
    expect(result.code).toBe(0)
    expect(readFileSync(result.outputs.filePath).equals(exported)).toBe(true)
    expect(world.sim.requests.filter(r => r.server === 'platform').every(r => r.apiKey === KEY)).toBe(true)
    expect(world.sim.requests.filter(r => r.server === 'storage').map(r => r.apiKey)).toEqual([undefined])
  })
})

describe('an https platform on another host', () => {
  const certificate = makeTestCertificate(address ? [address] : [])
  afterAll(() => rmSync(certificate.dir, { recursive: true, force: true }))
  let world: World
  let proxy: Awaited<ReturnType<typeof startConnectProxy>>
  let authProxy: Awaited<ReturnType<typeof startConnectProxy>>
  let clearText: Server
  let clearTextConnections = 0
  const env = { NODE_EXTRA_CA_CERTS: certificate.caFile, NO_PROXY: '127.0.0.1' }
  beforeAll(async () => {
    if (!address) throw new Error('these tests need an IPv4 address other than loopback on this machine')
    world = await startWorld({
      hostname: address,
      tls: { key: certificate.key, cert: certificate.cert, on: ['platform', 'storage'] },
      tools: {
        'a-remote': { flowId: 'cf-1', name: 'Remote', durationMs: 200, file: exported },
        'a-remote-redirect': { flowId: 'cf-1', name: 'Remote', durationMs: 200, file: exported, redirect: true }
      }
    })
    proxy = await startConnectProxy()
    authProxy = await startConnectProxy({ auth: 'builder:pr0xy-s3cret' })
    clearText = createServer(socket => (clearTextConnections++, socket.destroy()))
    await new Promise(resolve => clearText.listen(0, address, () => resolve(undefined)))
  })
  afterAll(async () => {
    await Promise.all([world.close(), proxy.close(), authProxy.close(), new Promise(resolve => clearText.close(resolve))])
  })
  beforeEach(() => world.reset())
  const run = (inputs: Record<string, string>, extra: Record<string, string | undefined> = {}) =>
    world.run(NODE, { toolId: 'a-remote', flowId: 'cf-1', uploadArtifact: 'false', ...inputs }, { env: { ...env, ...extra } })

  it('refuses a plain-http downloadUrl to another host: the signed URL would go out in clear', async () => {
    const port = (clearText.address() as { port: number }).port
    world.sim.addTool('a-clear', {
      flowId: 'cf-1',
      durationMs: 200,
      file: exported,
      downloadUrl: `http://${address}:${port}/bucket/x.zip?sig=abc`
    })
    const result = await run({ toolId: 'a-clear' })
    expect(singleError(result)).toContain(
      `::error::Downloading the export was refused: a plain http URL on ${address}:${port} was refused: the platform is on https, and the URL would travel in clear text.`
    )
    expect(clearTextConnections).toBe(0)
  })

  it('reports a proxy that asks for credentials, and never shows a password', async () => {
    for (const proxyUrl of [authProxy.url, authProxy.url.replace('http://', 'http://builder:wr0ng-pass@')]) {
      const before = world.sim.requests.length
      const result = await run({}, { HTTPS_PROXY: proxyUrl })
      const error = singleError(result)
      expect(error).toMatch(
        /^::error::The proxy 127\.0\.0\.1:\d+ answered HTTP 407: the proxy asks for credentials\. Give them in the proxy URL/
      )
      expect(warnings(result.stdout)).toEqual([])
      expect([result.stdout, result.stderr, result.summary].join('\n')).not.toContain('wr0ng-pass')
      expect(world.sim.requests).toHaveLength(before)
    }
  })

  it('goes through a proxy with credentials in its URL, and logs the proxy without them', async () => {
    const tunnelsBefore = authProxy.tunnels.length
    const result = await run(
      { toolId: 'a-remote-redirect' },
      { HTTPS_PROXY: authProxy.url.replace('http://', 'http://builder:pr0xy-s3cret@'), RUNNER_DEBUG: '1' }
    )
    expect(result.code).toBe(0)
    expect(readFileSync(result.outputs.filePath).equals(exported)).toBe(true)
    expect(authProxy.tunnels.length).toBeGreaterThan(tunnelsBefore)
    const debug = commandLines(result.stdout, 'debug')
    const proxyHost = new URL(authProxy.url).host
    const platform = new URL(world.sim.url)
    // One line per request: method, origin, path with the query masked, status, milliseconds, proxy.
    expect(debug).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^::debug::POST ${platform.origin.replace(/\./g, '\\.')}/api/public/tools/a-remote-redirect/export\\?\\*\\*\\* -> 200 in \\d+ ms via proxy ${proxyHost}$`
        )
      )
    )
    expect(debug).toContainEqual(
      expect.stringMatching(/^::debug::GET https:\/\/[\d.]+:\d+\/bucket\/[\w-]+\?\*\*\* -> 200 in \d+ ms via proxy /)
    )
    // A redirect hop: origins only.
    expect(debug).toContainEqual(`::debug::redirect 302: ${platform.origin} -> ${world.sim.storageUrl} (no key sent there)`)
    const everything = [result.stdout.replace(/^::add-mask::.*$/gm, ''), result.stderr, result.summary].join('\n')
    expect(everything).not.toContain('pr0xy-s3cret')
    expect(everything).not.toContain(KEY)
    expect(everything).not.toMatch(/sig=sig-/)
  })

  it('logs each retry decision at debug level', async () => {
    world.sim.faults.export.push({ kind: 'status', status: 503, body: 'Busy' })
    world.sim.faults.download.push({ kind: 'status', status: 404, body: 'Gone' })
    const result = await run({}, { RUNNER_DEBUG: '1' })
    expect(result.code).toBe(1)
    const debug = commandLines(result.stdout, 'debug')
    expect(debug).toContainEqual(
      expect.stringMatching(/^::debug::Starting the export: attempt 1 failed \(HTTP 503: Busy\); retrying after \d+ ms$/)
    )
    expect(debug).toContainEqual('::debug::The download: attempt 1 failed (HTTP 404: Gone); not a passing fault, not retried')
  })

  it.each([
    ['the host', () => address!],
    ['host:port', () => new URL(world.sim.url).host],
    ['*', () => '*'],
    ['a host among others, with spaces', () => `example.com, ${address} ,.internal`]
  ])('goes direct for a NO_PROXY entry naming %s', async (_form, entry) => {
    const tunnelsBefore = proxy.tunnels.length
    const result = await run({}, { HTTPS_PROXY: proxy.url, NO_PROXY: `127.0.0.1,${entry()}`, RUNNER_DEBUG: '1' })
    expect(result.code).toBe(0)
    expect(readFileSync(result.outputs.filePath).equals(exported)).toBe(true)
    expect(proxy.tunnels).toHaveLength(tunnelsBefore)
    expect(commandLines(result.stdout, 'debug').filter(line => line.includes(' via proxy '))).toEqual([])
  })

  it('goes direct for a NO_PROXY .domain entry (a name this machine cannot resolve: the direct attempt is what shows)', async () => {
    const host = 'platform.corp.example'
    const runAt = (extra: Record<string, string>) => run({ host: `https://${host}` }, { HTTPS_PROXY: proxy.url, ...extra })
    const asked = proxy.asked.length
    const direct = await runAt({ NO_PROXY: '127.0.0.1,.corp.example' })
    expect(singleError(direct)).toContain(`Starting the export failed 4 times; the last error: connection error ENOTFOUND (${host})`)
    expect(proxy.asked).toHaveLength(asked)
    // The same run without the entry asks the proxy for that host.
    const proxied = await runAt({ NO_PROXY: '127.0.0.1,.other.example' })
    expect(proxied.code).toBe(1)
    expect(proxy.asked.slice(asked)).toContain(`${host}:443`)
  })

  it('uses the proxy when NO_PROXY names another port of the host', async () => {
    const tunnelsBefore = proxy.tunnels.length
    const result = await run({}, { HTTPS_PROXY: proxy.url, NO_PROXY: `127.0.0.1,${address}:1` })
    expect(result.code).toBe(0)
    expect(proxy.tunnels.length).toBeGreaterThan(tunnelsBefore)
  })
})

describe('a plain-http download through HTTP_PROXY', () => {
  // The platform on loopback (plain http is allowed there, and never proxied), its storage on
  // another address of this machine, in plain http: the download goes through the proxy.
  let world: World
  beforeAll(async () => {
    if (!address) throw new Error('these tests need an IPv4 address other than loopback on this machine')
    world = await startWorld({
      storageHostname: address,
      tools: { 'a-plain': { flowId: 'cf-1', name: 'Plain', durationMs: 200, file: exported, redirect: true } }
    })
  })
  afterAll(() => world.close())
  const run = (proxyUrl: string) =>
    world.run(
      NODE,
      { toolId: 'a-plain', flowId: 'cf-1', uploadArtifact: 'false' },
      { env: { HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1' } }
    )

  it('is forwarded by the repository proxy, the request in absolute form', async () => {
    const proxy = await startConnectProxy()
    try {
      const result = await run(proxy.url)
      expect(result.code).toBe(0)
      expect(readFileSync(result.outputs.filePath).equals(exported)).toBe(true)
      expect(proxy.forwarded).toEqual([{ method: 'GET', target: world.sim.storageUrl }])
      expect(proxy.tunnels).toEqual([])
      expect(world.sim.requests.filter(r => r.server === 'storage').map(r => r.apiKey)).toEqual([undefined])
    } finally {
      await proxy.close()
    }
  })

  withProgram('tinyproxy')('is forwarded by tinyproxy', async () => {
    const tinyproxy = await startTinyproxy()
    try {
      const before = world.sim.requests.filter(r => r.server === 'storage').length
      const result = await run(tinyproxy.url)
      expect(result.code).toBe(0)
      expect(readFileSync(result.outputs.filePath).equals(exported)).toBe(true)
      expect(world.sim.requests.filter(r => r.server === 'storage')).toHaveLength(before + 1)
      expect(readFileSync(path.join(tinyproxy.dir, 'tinyproxy.log'), 'utf8')).toMatch(
        new RegExp(`GET http://${address!.replace(/\./g, '\\.')}:\\d+/bucket/`)
      )
    } finally {
      await tinyproxy.close()
    }
  })

  withProgram('tinyproxy')('reports tinyproxy asking for credentials (407), and never shows a password given', async () => {
    const tinyproxy = await startTinyproxy({ auth: 'builder:tiny-s3cret' })
    try {
      const result = await run(tinyproxy.url)
      expect(singleError(result)).toMatch(
        /^::error::The proxy 127\.0\.0\.1:\d+ answered HTTP 407: the proxy asks for credentials\. Give them in the proxy URL/
      )
      expect(result.outputs.filePath).toBeUndefined()
      // Wrong credentials: tinyproxy answers 401 for the target, which is reported as the download's;
      // either way the password stays out of everything a person sees.
      const wrong = await run(tinyproxy.url.replace('http://', 'http://builder:not-it@'))
      singleError(wrong)
      expect([wrong.stdout, wrong.stderr, wrong.summary].join('\n')).not.toContain('not-it')
    } finally {
      await tinyproxy.close()
    }
  })
})
