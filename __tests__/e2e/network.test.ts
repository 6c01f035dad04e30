/**
 * The networks self-hosted runners sit in: a download host with a certificate from a private CA,
 * and an HTTP proxy. The bundle runs on Node 24 as a runner starts it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import * as os from 'node:os'
import { startConnectProxy } from '../../sim/connect-proxy.mjs'
import { makeTestCertificate } from '../../sim/test-cert.mjs'
import { makeToolExport } from '../../sim/zip.mjs'
import { NODE, singleError, startWorld, type World } from './world.js'

const file = makeToolExport('Networked', 3)
const sha256 = createHash('sha256').update(file).digest('hex')
const tools = { 'a-tool': { flowId: 'cf-1', name: 'Networked', durationMs: 200, file, redirect: true } }

describe('a download host whose certificate comes from a private CA', () => {
  const certificate = makeTestCertificate()
  afterAll(() => rmSync(certificate.dir, { recursive: true, force: true }))
  let world: World
  beforeAll(async () => {
    world = await startWorld({ tools, tls: { key: certificate.key, cert: certificate.cert, on: ['storage'] } })
  })
  beforeEach(() => world.reset())
  afterAll(() => world.close())

  it('downloads over https once the runner trusts the CA (NODE_EXTRA_CA_CERTS)', async () => {
    const result = await world.run(NODE, { toolId: 'a-tool', flowId: 'cf-1' }, { env: { NODE_EXTRA_CA_CERTS: certificate.caFile } })
    expect(result.code).toBe(0)
    expect(result.outputs.sha256).toBe(sha256)
    expect(readFileSync(result.outputs.filePath)).toEqual(file)
    const storage = world.sim.requests.filter(r => r.server === 'storage')
    expect(world.sim.storageUrl).toMatch(/^https:\/\/127\.0\.0\.1:/)
    expect(storage.at(-1)?.apiKey).toBeUndefined()
  })

  it('stops at once, without retrying, when the CA is not trusted, and says how to trust it', async () => {
    const before = world.sim.requests.filter(r => r.server === 'storage').length
    const result = await world.run(NODE, { toolId: 'a-tool', flowId: 'cf-1' })
    const error = singleError(result)
    expect(error).toMatch(/^::error::The TLS certificate of 127\.0\.0\.1:\d+ could not be verified \([A-Z_]+\)\./)
    expect(error).toContain('set NODE_EXTRA_CA_CERTS')
    expect(result.stdout).not.toContain('::warning::The download failed')
    // The TLS handshake failed, so no request ever reached the storage.
    expect(world.sim.requests.filter(r => r.server === 'storage')).toHaveLength(before)
  })
})

describe('an HTTP proxy', () => {
  // A proxy is never used for loopback hosts, so the platform listens on another address of this
  // machine, over https (the action refuses to send its key over plain http to any other host).
  const address = Object.values(os.networkInterfaces())
    .flat()
    .find(a => a && a.family === 'IPv4' && !a.internal)?.address
  const certificate = makeTestCertificate(address ? [address] : [])
  afterAll(() => rmSync(certificate.dir, { recursive: true, force: true }))
  // The artifact backend's emulator is on loopback; the storage SDK under @actions/artifact, unlike
  // @actions/http-client, would send even loopback through the proxy unless NO_PROXY says not to.
  const env = { NODE_EXTRA_CA_CERTS: certificate.caFile, NO_PROXY: '127.0.0.1' }
  let world: World
  let proxy: Awaited<ReturnType<typeof startConnectProxy>>
  beforeAll(async () => {
    if (!address) throw new Error('these tests need an IPv4 address other than loopback on this machine')
    world = await startWorld({
      tools: { 'a-tool': { ...tools['a-tool'], redirect: false } },
      hostname: address,
      tls: { key: certificate.key, cert: certificate.cert, on: ['platform', 'storage'] }
    })
    proxy = await startConnectProxy()
  })
  beforeEach(() => world.reset()) // each run is a new workflow run: the artifact name is free
  afterAll(async () => {
    await Promise.all([world.close(), proxy.close()])
  })

  it('carries every request, the download included, when HTTPS_PROXY is set', async () => {
    const before = world.sim.requests.length
    const result = await world.run(NODE, { toolId: 'a-tool', flowId: 'cf-1' }, { env: { ...env, HTTPS_PROXY: proxy.url } })
    expect(result.code).toBe(0)
    expect(result.outputs.sha256).toBe(sha256)
    expect(readFileSync(result.outputs.filePath)).toEqual(file)
    const requests = world.sim.requests.slice(before)
    expect(requests.map(r => r.path)).toContainEqual(expect.stringMatching(/^\/api\/v1\/account\//))
    const tunnelled = new Set(proxy.tunnels.map(t => t.fromPort))
    expect(requests.every(r => tunnelled.has(r.fromPort))).toBe(true)
    expect(proxy.tunnels.every(t => t.target === new URL(world.sim.url).host)).toBe(true)
  })

  it('goes direct to hosts in NO_PROXY', async () => {
    const tunnelsBefore = proxy.tunnels.length
    const result = await world.run(
      NODE,
      { toolId: 'a-tool', flowId: 'cf-1' },
      { env: { ...env, HTTPS_PROXY: proxy.url, NO_PROXY: `127.0.0.1,${address}` } }
    )
    expect(result.code).toBe(0)
    expect(result.outputs.sha256).toBe(sha256)
    expect(proxy.tunnels).toHaveLength(tunnelsBefore)
  })

  it('points at the proxy settings when the proxy cannot be reached', async () => {
    const before = world.sim.requests.length
    const result = await world.run(NODE, { toolId: 'a-tool', flowId: 'cf-1' }, { env: { ...env, HTTPS_PROXY: 'http://127.0.0.1:9' } })
    const error = singleError(result)
    // The toolkit's tunnel reports a refused proxy as ECONNRESET.
    expect(error).toMatch(
      /^::error::Starting the export failed 4 times; the last error: connection error E[A-Z]+ \(\d+\.\d+\.\d+\.\d+:\d+\)\./
    )
    expect(error).toContain('proxy settings')
    expect(world.sim.requests).toHaveLength(before)
  })
})
