/**
 * The platform simulator's deploy and undeploy routes, driven over real HTTP as the
 * action will drive them: the answers and their variants, the dock statuses, the faults, the keys,
 * and the model of versions that lets a test see what a tool runs after a deploy or a rollback.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { ALL_SCOPES, startPlatformSimulator } from '../../sim/platform-simulator.mjs'
import { makeToolExport, readZip, toolDefinitions } from '../../sim/zip.mjs'

type Simulator = Awaited<ReturnType<typeof startPlatformSimulator>>
type Json = Record<string, unknown>

const KEY = 'kg-deploy-test-key'
const NO_DEPLOY_KEY = 'kg-every-scope-but-deploy'
const DEPLOY_MS = 150

let sim: Simulator
beforeAll(async () => {
  sim = await startPlatformSimulator({
    keys: { [KEY]: true, [NO_DEPLOY_KEY]: ALL_SCOPES.filter(scope => scope !== 'Deploy Tool'), 'kg-viewer-key': false },
    importDurationMs: 100,
    deploy: { durationMs: DEPLOY_MS },
    undeploy: { durationMs: 100 }
  })
})
afterAll(() => sim.close())
beforeEach(() => {
  sim.reset()
  // Every test configures its tools afresh: a tool's plan is configuration, which reset() keeps.
  for (const toolId of Object.keys(sim.tools)) delete sim.tools[toolId]
  sim.addTool('a-live', { flowId: 'cf-1', name: 'Banking Assistant', durationMs: 100 })
})

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/** One request to the simulator: the status, the body as text, and the body as JSON when it is JSON. */
async function call(method: string, path: string, options: { key?: string; body?: string; signal?: AbortSignal } = {}) {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'x-api-key': options.key ?? KEY, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: options.body,
    signal: options.signal
  })
  const text = await response.text()
  let json: Json = {}
  try {
    json = JSON.parse(text) as Json
  } catch {
    // not JSON: the test looks at the text
  }
  return { status: response.status, text, json }
}

const deploy = (toolId: string, body: unknown = { isAsync: false }, key = KEY) =>
  call('POST', `/api/public/tools/${encodeURIComponent(toolId)}/deploy`, { key, body: JSON.stringify(body) })
const undeploy = (toolId: string, key = KEY) => call('POST', `/api/public/tools/${encodeURIComponent(toolId)}/undeploy`, { key })
const dockStatus = async (id: string, key = KEY) => (await call('GET', `/api/public/dock-status/${id}`, { key })).json
/** The start answer's dock status id, whichever documented key carries it. */
const idOf = (answer: Json) => String(answer['dock-statusId'] ?? answer.dockStatusId ?? answer._id)

/** Polls a dock status until it is no longer IN_PROGRESS (as the action will), or fails the test after `ms`. */
async function settled(id: string, ms = 5000): Promise<Json> {
  const deadline = Date.now() + ms
  for (;;) {
    const answer = await dockStatus(id)
    if (answer.status !== 'IN_PROGRESS') return answer
    if (Date.now() > deadline) throw new Error(`dock status ${id} still IN_PROGRESS after ${ms} ms`)
    await sleep(30)
  }
}

/** Uploads one file through the File Upload API (one request), as the action does. */
async function upload(name: string, data: Buffer | string, key = KEY): Promise<string> {
  const form = new FormData()
  form.set('file', new Blob([new Uint8Array(Buffer.from(data))]), name)
  form.set('fileContext', 'bulkImport')
  const response = await fetch(`${sim.url}/api/public/files`, { method: 'POST', headers: { 'x-api-key': key }, body: form })
  expect(response.status).toBe(200)
  return String(((await response.json()) as Json).fileId)
}

type Definitions = Record<string, string | Buffer>
/** Definitions as a record of file name -> bytes, from zip.mjs's list. */
const definitionsOf = (toolName: string, version: number): Definitions =>
  Object.fromEntries(toolDefinitions(toolName, version).map(file => [file.name, file.data]))
/** A version's definitions as text, to compare. */
const text = (definitions: Record<string, Buffer> | null | undefined) =>
  definitions && Object.fromEntries(Object.entries(definitions).map(([name, bytes]) => [name, bytes.toString('utf8')]))

/** Uploads the definitions and imports them (into `toolId`, or as a new tool named `toolName`); waits for the job. */
async function importDefinitions(target: { toolId: string } | { toolName: string }, definitions: Definitions, key = KEY) {
  const body: Json = {
    flowDataFileId: await upload('flow_definition.json', definitions['flow_definition.json'], key),
    toolDataFileId: await upload('app_definition.json', definitions['app_definition.json'], key),
    envVariablesFileId: await upload('env_variables.json', definitions['env_variables.json'], key)
  }
  const path = 'toolId' in target ? `/api/public/tools/${target.toolId}/import` : '/api/public/tools/import'
  if ('toolName' in target) body.toolName = target.toolName
  const started = await call('POST', path, { key, body: JSON.stringify(body) })
  expect(started.status).toBe(200)
  expect(await settled(idOf(started.json))).toMatchObject({ action: 'IMPORT', status: 'SUCCESS' })
  return String(started.json.toolId)
}

/** Exports the tool as the action does (start, wait, download) and reads the zip. */
async function exportOf(toolId: string, flowId: string) {
  const started = await call('POST', `/api/public/tools/${toolId}/export?flowId=${flowId}`)
  expect(started.status).toBe(200)
  const id = /"dock-statusId": "([^"]+)"/.exec(started.text)?.[1] ?? idOf(started.json)
  expect(await settled(id)).toMatchObject({ status: 'SUCCESS' })
  const url = (/"downloadUrl": " ([^"]+)"/.exec(started.text)?.[1] ?? started.json.downloadUrl ?? started.json.downloadURL) as string
  const download = await fetch(url, { headers: { 'x-api-key': KEY } })
  expect(download.status).toBe(200)
  return readZip(Buffer.from(await download.arrayBuffer()))
}

describe('deploy and undeploy answers', () => {
  it('starts a deploy with the vendor sample answer, then reports it through the dock status until SUCCESS', async () => {
    const started = await deploy('a-live', { isAsync: true })

    expect(started.status).toBe(200)
    expect(Object.keys(started.json)).toEqual(['dock-statusId', 'toolId', 'jobType', 'action', 'status'])
    expect(started.json).toMatchObject({ toolId: 'a-live', jobType: 'TOOLS', action: 'DEPLOY', status: 'IN_PROGRESS' })
    const id = idOf(started.json)
    expect(id).toMatch(/^ds-/)
    const running = await dockStatus(id)
    expect(running).toMatchObject({ _id: id, toolId: 'a-live', jobType: 'TOOLS', action: 'DEPLOY', status: 'IN_PROGRESS' })
    expect(running.percentageComplete).toBeGreaterThanOrEqual(0)
    expect(running.percentageComplete).toBeLessThan(100)
    const done = await settled(id)
    expect(done).toEqual({ _id: id, toolId: 'a-live', jobType: 'TOOLS', action: 'DEPLOY', status: 'SUCCESS', percentageComplete: 100 })
    expect(Date.now() - sim.deployJobs.get(id)!.startedAt).toBeGreaterThanOrEqual(DEPLOY_MS)

    // Recorded: the request as sent, and the tool's list of deploys.
    const request = sim.requests.find(r => r.path === '/api/public/tools/a-live/deploy')!
    expect(request).toMatchObject({ method: 'POST', body: '{"isAsync":true}', apiKey: KEY })
    expect(sim.tool('a-live')!.deploys).toEqual([
      {
        toolId: 'a-live',
        action: 'DEPLOY',
        body: '{"isAsync":true}',
        at: expect.any(Number),
        outcome: 'SUCCESS',
        dockStatusId: id,
        version: 1
      }
    ])
    expect(sim.requests.filter(r => r.status).map(r => r.status)).toContain('SUCCESS')
  })

  it('starts an undeploy (no body) with the undeploy sample id key, action UNDEPLOY', async () => {
    const started = await undeploy('a-live')

    expect(started.status).toBe(200)
    expect(started.json).toEqual({
      dockStatusId: expect.stringMatching(/^ds-/),
      toolId: 'a-live',
      jobType: 'TOOLS',
      action: 'UNDEPLOY',
      status: 'IN_PROGRESS'
    })
    expect(await settled(idOf(started.json))).toMatchObject({ action: 'UNDEPLOY', status: 'SUCCESS', percentageComplete: 100 })
    expect(sim.requests.find(r => r.path === '/api/public/tools/a-live/undeploy')).toMatchObject({ method: 'POST', body: '' })
  })

  it.each([
    ['table', 'dockStatusId'],
    ['model', '_id']
  ] as const)('answers with the %s variant id key', async (variant, idKey) => {
    sim.tools['a-live'].deploy = { variant }
    sim.tools['a-live'].undeploy = { variant }
    for (const started of [await deploy('a-live'), await undeploy('a-live')]) {
      expect(started.json[idKey]).toMatch(/^ds-/)
      expect(Object.keys(started.json).filter(name => /id$/i.test(name) && name !== 'toolId')).toEqual([idKey])
    }
  })

  it.each([
    ['no body', undefined],
    ['an empty object', {}],
    ['isAsync as a string', { isAsync: 'false' }],
    ['isAsync null', { isAsync: null }],
    ['a JSON array', [true]]
  ])('answers 400 in the platform error shape to %s, and starts nothing', async (_name, body) => {
    sim.tools['a-live'].deploy = { outcomes: ['FAILED'] }
    const answer = body === undefined ? await call('POST', '/api/public/tools/a-live/deploy', { body: '' }) : await deploy('a-live', body)

    expect(answer.status).toBe(400)
    expect(answer.json).toEqual({ errors: [{ msg: 'isAsync is required and must be a boolean', code: 400 }] })
    expect(sim.deployJobs.size).toBe(0)
    // A refused request takes no outcome: the first deploy that starts still takes outcomes[0].
    const started = await deploy('a-live')
    expect(await settled(idOf(started.json))).toMatchObject({ status: 'FAILED' })
  })

  it('answers 404 for an unknown tool, on both routes', async () => {
    for (const answer of [await deploy('a-missing'), await undeploy('a-missing')]) {
      expect(answer.status).toBe(404)
      expect(answer.json).toEqual({ errors: [{ msg: 'Tool a-missing was not found', code: 404 }] })
    }
    expect(sim.deploys.map(d => [d.toolId, d.action, d.outcome])).toEqual([
      ['a-missing', 'DEPLOY', undefined],
      ['a-missing', 'UNDEPLOY', undefined]
    ])
    expect(sim.tool('a-missing')).toBeUndefined()
  })
})

describe('keys and scopes', () => {
  it('answers 401 to an unknown key and 403 to a key without scopes, on both routes', async () => {
    for (const route of [(key: string) => deploy('a-live', { isAsync: false }, key), (key: string) => undeploy('a-live', key)]) {
      expect(await route('kg-wrong')).toMatchObject({ status: 401, json: { errors: [{ msg: 'Invalid API key', code: 401 }] } })
      expect((await route('kg-viewer-key')).status).toBe(403)
    }
    expect(sim.deployJobs.size).toBe(0)
  })

  it('a key with every scope but Deploy Tool imports, polls and undeploys, and gets 403 on the deploy alone', async () => {
    const toolId = await importDefinitions({ toolId: 'a-live' }, definitionsOf('Banking Assistant', 2), NO_DEPLOY_KEY)
    expect(toolId).toBe('a-live')

    const refused = await deploy('a-live', { isAsync: false }, NO_DEPLOY_KEY)
    expect(refused.status).toBe(403)
    expect(refused.json).toEqual({ errors: [{ msg: 'The API key does not have the Deploy Tool scope', code: 403 }] })
    expect(sim.deployJobs.size).toBe(0)
    // The export route still answers it (Export Tool scope), and so does the undeploy.
    expect((await call('POST', '/api/public/tools/a-live/export?flowId=cf-1', { key: NO_DEPLOY_KEY })).status).toBe(200)
    const undeployed = await undeploy('a-live', NO_DEPLOY_KEY)
    expect(undeployed.status).toBe(200)
    expect((await dockStatus(idOf(undeployed.json), NO_DEPLOY_KEY)).action).toBe('UNDEPLOY')
  })
})

describe('outcomes', () => {
  it('FAILED: the dock status carries a message, as a FAILED import does, and the deployed version stays', async () => {
    sim.tools['a-live'].deploy = { outcome: 'FAILED', message: 'Flow has 2 errors: fix them before deploying' }
    await importDefinitions({ toolId: 'a-live' }, definitionsOf('Banking Assistant', 2))
    const started = await deploy('a-live')

    expect(started.json.status).toBe('IN_PROGRESS')
    expect(await settled(idOf(started.json))).toEqual({
      _id: idOf(started.json),
      toolId: 'a-live',
      jobType: 'TOOLS',
      action: 'DEPLOY',
      status: 'FAILED',
      percentageComplete: 100,
      message: 'Flow has 2 errors: fix them before deploying'
    })
    const tool = sim.tool('a-live')!
    expect(tool.deployed).toMatchObject({ number: 1, from: 'configured' })
    expect(text(tool.deployed!.definitions)).toEqual(definitionsOf('Banking Assistant', 1))
    expect(tool.inDevelopment.number).toBe(2)
  })

  it('FAILED without a message of its own says why in the simulator words', async () => {
    sim.deployPlan.outcome = 'FAILED'
    const started = await deploy('a-live')
    expect((await settled(idOf(started.json))).message).toMatch(/^Deployment failed: /)
  })

  it('NEVER: the deploy stays IN_PROGRESS long past its duration, below 100 %, and deploys nothing', async () => {
    sim.tools['a-live'].deploy = { outcome: 'NEVER' }
    await importDefinitions({ toolId: 'a-live' }, definitionsOf('Banking Assistant', 2))
    const started = await deploy('a-live')
    await sleep(DEPLOY_MS * 3)

    const status = await dockStatus(idOf(started.json))
    expect(status).toMatchObject({ action: 'DEPLOY', status: 'IN_PROGRESS' })
    expect(status.percentageComplete).toBe(99)
    expect(sim.tool('a-live')!.deployed!.number).toBe(1)
  })

  it('403: no job, the scope answer, though the key has the scope', async () => {
    sim.tools['a-live'].deploy = { outcome: 403 }
    const answer = await deploy('a-live')

    expect(answer.status).toBe(403)
    expect(answer.json).toEqual({ errors: [{ msg: 'The API key does not have the Deploy Tool scope', code: 403 }] })
    expect(sim.deployJobs.size).toBe(0)
    expect(sim.tool('a-live')!.deploys.map(d => d.outcome)).toEqual([403])
  })

  it.each(['SUCCESS', 'FAILED'] as const)('doneAtStart %s: the first answer is already final; nothing to poll', async outcome => {
    sim.tools['a-live'].deploy = { doneAtStart: true, outcome, message: 'Flow has errors' }
    await importDefinitions({ toolId: 'a-live' }, definitionsOf('Banking Assistant', 2))
    const started = await deploy('a-live')

    expect(started.json.status).toBe(outcome)
    expect(started.json.message).toBe(outcome === 'FAILED' ? 'Flow has errors' : undefined)
    expect(sim.tool('a-live')!.deployed!.number).toBe(outcome === 'SUCCESS' ? 2 : 1)
    expect((await dockStatus(idOf(started.json))).status).toBe(outcome)
  })

  it('outcomes are taken in order, per tool: the first deploy fails, the next (a rollback) succeeds', async () => {
    sim.tools['a-live'].deploy = { outcomes: ['FAILED'] }
    sim.addTool('a-other', { flowId: 'cf-2', deploy: { outcomes: ['NEVER', 403] } })

    expect((await settled(idOf((await deploy('a-live')).json))).status).toBe('FAILED')
    expect((await settled(idOf((await deploy('a-live')).json))).status).toBe('SUCCESS')
    expect((await settled(idOf((await deploy('a-live')).json))).status).toBe('SUCCESS')
    expect((await dockStatus(idOf((await deploy('a-other')).json))).status).toBe('IN_PROGRESS')
    expect((await deploy('a-other')).status).toBe(403)
    expect(sim.deploys.map(d => [d.toolId, d.outcome])).toEqual([
      ['a-live', 'FAILED'],
      ['a-live', 'SUCCESS'],
      ['a-live', 'SUCCESS'],
      ['a-other', 'NEVER'],
      ['a-other', 403]
    ])
  })
})

describe('faults on the new routes', () => {
  it('reset: the connection drops before anything starts', async () => {
    sim.faults.deploy.push({ kind: 'reset' })
    await expect(deploy('a-live')).rejects.toThrow()
    expect(sim.deployJobs.size).toBe(0)
    expect(sim.deploys).toHaveLength(1)
  })

  it('lost: the deploy starts, then the answer is dropped; the job runs to its end', async () => {
    sim.faults.deploy.push({ kind: 'lost' })
    await expect(deploy('a-live')).rejects.toThrow()
    const [[id, job]] = [...sim.deployJobs]
    expect(job.action).toBe('DEPLOY')
    expect((await settled(id)).status).toBe('SUCCESS')
    expect(sim.deploys[0]).toMatchObject({ outcome: 'SUCCESS', dockStatusId: id })
  })

  it('cut: the deploy starts, the answer is half sent', async () => {
    sim.faults.deploy.push({ kind: 'cut' })
    await expect(deploy('a-live')).rejects.toThrow()
    expect(sim.deployJobs.size).toBe(1)
  })

  it('status: a 502 (or a 429 with Retry-After) before anything starts', async () => {
    sim.faults.deploy.push({ kind: 'status', status: 502 }, { kind: 'status', status: 429, retryAfter: '3', body: 'Slow down' })
    expect(await deploy('a-live')).toMatchObject({ status: 502, json: { errors: [{ msg: 'Internal error', code: 502 }] } })
    const limited = await fetch(`${sim.url}/api/public/tools/a-live/deploy`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: '{"isAsync":false}'
    })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('3')
    expect(await limited.json()).toEqual({ errors: [{ msg: 'Slow down' }] })
    expect(sim.deployJobs.size).toBe(0)
    expect((await deploy('a-live')).status).toBe(200)
  })

  it('answer: a body of the test making, e.g. a 200 that is not JSON', async () => {
    sim.faults.undeploy.push({ kind: 'answer', body: '<html>proxy</html>', contentType: 'text/html' })
    expect(await undeploy('a-live')).toMatchObject({ status: 200, text: '<html>proxy</html>' })
    expect(sim.deployJobs.size).toBe(0)
  })

  it('stall: no answer at all, on the undeploy route too', async () => {
    sim.faults.deploy.push({ kind: 'stall' })
    sim.faults.undeploy.push({ kind: 'stall' })
    await expect(
      call('POST', '/api/public/tools/a-live/deploy', { body: '{"isAsync":false}', signal: AbortSignal.timeout(300) })
    ).rejects.toThrow()
    await expect(call('POST', '/api/public/tools/a-live/undeploy', { signal: AbortSignal.timeout(300) })).rejects.toThrow()
    expect(sim.deployJobs.size).toBe(0)
    expect(sim.deploys.map(d => d.action)).toEqual(['DEPLOY', 'UNDEPLOY'])
  })

  it('the dock status route faults apply to deploy jobs as to the others', async () => {
    const started = await deploy('a-live')
    sim.faults.status.push({ kind: 'status', status: 503 })
    expect((await call('GET', `/api/public/dock-status/${idOf(started.json)}`)).status).toBe(503)
    expect((await settled(idOf(started.json))).status).toBe('SUCCESS')
  })
})

describe('versions: what the tool runs', () => {
  it('an import replaces the in-development version; a deploy makes it the deployed one, byte for byte', async () => {
    const v2 = definitionsOf('Banking Assistant', 2)
    await importDefinitions({ toolId: 'a-live' }, v2)

    let tool = sim.tool('a-live')!
    expect(tool.created).toBe(false)
    expect(tool.inDevelopment).toMatchObject({ number: 2, from: 'import', dockStatusId: sim.imports[0].dockStatusId })
    expect(text(tool.inDevelopment.definitions)).toEqual(v2)
    expect(tool.inDevelopment.fileIds!.flowDataFileId).toBe(sim.imports[0].body.flowDataFileId)
    expect(text(tool.deployed!.definitions)).toEqual(definitionsOf('Banking Assistant', 1))
    // Before the deploy an export still serves the deployed version (the vendor: "its deployed call flow").
    expect(text(await exportOf('a-live', 'cf-1'))).toEqual(definitionsOf('Banking Assistant', 1))

    const started = await deploy('a-live')
    expect(sim.tool('a-live')!.deployed!.number).toBe(1) // not before the job ends
    expect((await settled(idOf(started.json))).status).toBe('SUCCESS')
    tool = sim.tool('a-live')!
    expect(tool.deployed).toMatchObject({ number: 2, from: 'import' })
    expect(text(tool.deployed!.definitions)).toEqual(v2)
    expect(tool.deploys).toMatchObject([{ action: 'DEPLOY', version: 2, outcome: 'SUCCESS' }])
    expect(text(await exportOf('a-live', 'cf-1'))).toEqual(v2)
  })

  it('exportOf inDevelopment: an export after an import shows the import, deployed or not', async () => {
    sim.tools['a-live'].exportOf = 'inDevelopment'
    expect(text(await exportOf('a-live', 'cf-1'))).toEqual(definitionsOf('Banking Assistant', 1))
    await importDefinitions({ toolId: 'a-live' }, definitionsOf('Banking Assistant', 2))
    expect(text(await exportOf('a-live', 'cf-1'))).toEqual(definitionsOf('Banking Assistant', 2))
  })

  it('a rollback: the deploy of the new version fails, the backup is imported and deployed, and the tool runs the backup', async () => {
    sim.tools['a-live'].deploy = { outcomes: ['FAILED'] }
    const backup = await exportOf('a-live', 'cf-1')
    await importDefinitions({ toolId: 'a-live' }, definitionsOf('Banking Assistant', 2))
    expect((await settled(idOf((await deploy('a-live')).json))).status).toBe('FAILED')
    expect(sim.tool('a-live')!.deployed!.number).toBe(1)

    await importDefinitions({ toolId: 'a-live' }, backup)
    expect((await settled(idOf((await deploy('a-live')).json))).status).toBe('SUCCESS')
    const tool = sim.tool('a-live')!
    expect(tool.deployed).toMatchObject({ number: 3, from: 'import' })
    expect(text(tool.deployed!.definitions)).toEqual(definitionsOf('Banking Assistant', 1))
    expect(tool.deploys.map(d => [d.version, d.outcome])).toEqual([
      [2, 'FAILED'],
      [3, 'SUCCESS']
    ])
  })

  it('a deploy deploys what is in development when it is asked for, not an import that ends during it', async () => {
    sim.tools['a-live'].deploy = { durationMs: 400 }
    await importDefinitions({ toolId: 'a-live' }, definitionsOf('Banking Assistant', 2))
    const started = await deploy('a-live')
    await importDefinitions({ toolId: 'a-live' }, definitionsOf('Banking Assistant', 3))

    expect((await settled(idOf(started.json))).status).toBe('SUCCESS')
    const tool = sim.tool('a-live')!
    expect(text(tool.deployed!.definitions)).toEqual(definitionsOf('Banking Assistant', 2))
    expect(tool.inDevelopment.number).toBe(3)
  })

  it('an import that FAILED changes nothing', async () => {
    sim.importJob.outcome = 'FAILED'
    const body = JSON.stringify({
      flowDataFileId: await upload('flow_definition.json', 'x'),
      toolDataFileId: await upload('app_definition.json', 'y'),
      envVariablesFileId: await upload('env_variables.json', 'z')
    })
    const started = await call('POST', '/api/public/tools/a-live/import', { body })
    expect((await settled(idOf(started.json))).status).toBe('FAILED')
    expect(sim.tool('a-live')!.inDevelopment).toMatchObject({ number: 1, from: 'configured' })
  })

  it('an undeploy leaves nothing deployed; an export then serves the in-development version', async () => {
    await importDefinitions({ toolId: 'a-live' }, definitionsOf('Banking Assistant', 2))
    expect((await settled(idOf((await undeploy('a-live')).json))).status).toBe('SUCCESS')

    expect(sim.tool('a-live')!.deployed).toBeNull()
    expect(text(await exportOf('a-live', 'cf-1'))).toEqual(definitionsOf('Banking Assistant', 2))
    expect((await settled(idOf((await deploy('a-live')).json))).status).toBe('SUCCESS')
    expect(sim.tool('a-live')!.deployed!.number).toBe(2)
  })

  it('a tool configured as not deployed, and one with a fixed file: sim.tool() reads its export', () => {
    sim.addTool('a-draft', { flowId: 'cf-3', deployed: false, file: makeToolExport('Draft', 7) })
    const draft = sim.tool('a-draft')!
    expect(draft.deployed).toBeNull()
    expect(text(draft.inDevelopment.definitions)).toEqual(definitionsOf('Draft', 7))
    sim.addTool('a-odd', { flowId: 'cf-4', file: Buffer.from('<html>not a zip</html>') })
    expect(sim.tool('a-odd')!.deployed!.definitions).toBeNull()
  })

  it('a new-tool import makes a tool in development, not deployed; it deploys, exports, and takes the simulator plan', async () => {
    sim.deployPlan.outcomes = ['FAILED']
    const toolId = await importDefinitions({ toolName: 'Fresh Tool' }, definitionsOf('Fresh Tool', 1))

    expect(toolId).toMatch(/^a-new-\d+$/)
    let tool = sim.tool(toolId)!
    expect(tool).toMatchObject({ toolId, created: true, deployed: null, inDevelopment: { number: 1, from: 'import' } })
    expect(sim.tools[toolId]).toEqual({ flowId: `cf-${toolId}`, name: 'Fresh Tool' })
    expect((await settled(idOf((await deploy(toolId)).json))).status).toBe('FAILED')
    expect((await settled(idOf((await deploy(toolId)).json))).status).toBe('SUCCESS')
    tool = sim.tool(toolId)!
    expect(text(tool.deployed!.definitions)).toEqual(definitionsOf('Fresh Tool', 1))
    expect(text(await exportOf(toolId, `cf-${toolId}`))).toEqual(definitionsOf('Fresh Tool', 1))
  })

  it('no tool exists for a new-tool import until its job has succeeded', async () => {
    sim.importJob.durationMs = 400
    const body = JSON.stringify({
      flowDataFileId: await upload('flow_definition.json', 'x'),
      toolDataFileId: await upload('app_definition.json', 'y'),
      toolName: 'Slow'
    })
    const started = await call('POST', '/api/public/tools/import', { body })
    const toolId = String(started.json.toolId)
    expect(sim.tool(toolId)).toBeUndefined()
    expect((await deploy(toolId)).status).toBe(404)
    await settled(idOf(started.json))
    expect(Object.keys(sim.tool(toolId)!.inDevelopment.definitions!)).toEqual(['flow_definition.json', 'app_definition.json'])
  })
})

it('reset() forgets versions, deploys, jobs, made tools and plan changes', async () => {
  sim.deployPlan.outcome = 'FAILED'
  sim.faults.undeploy.push({ kind: 'reset' })
  await importDefinitions({ toolId: 'a-live' }, definitionsOf('Banking Assistant', 2))
  const toolId = await importDefinitions({ toolName: 'Made' }, definitionsOf('Made', 1))
  await deploy('a-live')

  sim.reset()

  expect(sim.tool(toolId)).toBeUndefined()
  expect(sim.tools[toolId]).toBeUndefined()
  expect(sim.tool('a-live')).toMatchObject({ inDevelopment: { number: 1, from: 'configured' }, deployed: { number: 1 }, deploys: [] })
  expect(sim.deploys).toEqual([])
  expect(sim.deployJobs.size).toBe(0)
  expect(sim.faults.undeploy).toEqual([])
  expect(sim.deployPlan).toEqual({ durationMs: DEPLOY_MS })
  expect(sim.undeployPlan).toEqual({ durationMs: 100 })
  // The counted outcomes start again too.
  sim.tools['a-live'].deploy = { outcomes: ['FAILED'] }
  expect((await settled(idOf((await deploy('a-live')).json))).status).toBe('FAILED')
})
