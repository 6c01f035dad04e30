// @ts-check
/**
 * A loopback simulator of the Kore.ai Agent Platform's export APIs, faithful to the vendor's pages
 * and their contradictions: the start answer comes in the documented variants, the
 * dock status answer as documented, the download from a URL that may redirect to another origin
 * (an "object store"). Faults can be injected per route. Every request is recorded, so tests can
 * assert what was sent where. Used by the end-to-end tests, the demo and the benchmark.
 *
 * Tools have versions, as the platform's UI guides describe them: an in-development version (what an
 * import into the tool replaces) and a deployed one (what the tool runs). A configured tool starts with
 * its configured export as both; a finished import makes the next in-development version; `sim.tool(id)`
 * tells a test what the tool holds.
 */
import { createServer } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import { createReadStream, readFileSync, statSync } from 'node:fs'
import { createHash, randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'
import { makeToolExport, makeZip, readZip } from './zip.mjs'

/**
 * @typedef {'sample' | 'table' | 'model'} AnswerVariant
 *   sample: the vendor's sample answer, verbatim in shape (`dock-statusId`, `response.downloadUrl`
 *           starting with a space, and the missing comma that makes it invalid JSON);
 *   table:  the parameter table's names (`dockStatusId`, `downloadURL`);
 *   model:  the model-export sample's `_id`.
 *
 * @typedef {'Export Tool' | 'Import Tool' | 'Deploy Tool' | 'Undeploy Tool'} Scope   an API scope a key may have
 *
 * @typedef {object} SimTool
 * @property {string} flowId
 * @property {string} [name]            the file name the download proposes (Content-Disposition)
 * @property {number} [durationMs]      how long the job stays IN_PROGRESS (default 1500)
 * @property {'SUCCESS' | 'FAILED' | 'NEVER'} [outcome]   NEVER: stays IN_PROGRESS forever
 * @property {AnswerVariant} [variant]
 * @property {Buffer} [file]            the export's bytes (default: a real three-file export)
 * @property {string} [filePath]        serve this file from disk instead (large exports)
 * @property {boolean} [redirect]       the download URL redirects to the storage origin
 * @property {boolean} [urlOnStatus]    the SUCCESS status answer also carries a download URL
 * @property {string} [contentDisposition]  a raw Content-Disposition header to send instead
 * @property {boolean} [bom]             every JSON answer about the tool starts with a UTF-8 byte order mark
 * @property {boolean} [doneAtStart]     the start answer already says SUCCESS (percentageComplete 100),
 *                                      as the vendor's model-export and import samples do
 * @property {string} [downloadUrl]     the download URL the answers give, as is, instead of the simulator's
 * @property {string} [redirectTo]      where the download redirects (a raw Location), instead of the storage
 * @property {number} [paceBytesPerSecond]  send the download in 1 MiB steps on a timer, at this rate (a paced link)
 * @property {boolean} [deployed]       false: the configured version is in development only, never deployed (default true:
 *                                      the UI guide says a tool must be deployed to take an imported version)
 * @property {ExportOf} [exportOf]      which version an export serves, instead of the simulator's `exportOf`
 * @property {DeployPlan} [deploy]      how its deploys go, field by field over the simulator's `deployPlan`
 * @property {DeployPlan} [undeploy]    how its undeploys go, field by field over the simulator's `undeployPlan`
 *
 * @typedef {'SUCCESS' | 'FAILED' | 'NEVER' | 403} DeployOutcome   how one deploy (or undeploy) request goes:
 *   SUCCESS / FAILED: the job ends so after `durationMs`; NEVER: it stays IN_PROGRESS (a hang);
 *   403: no job, the answer the platform gives a key without the Deploy (Undeploy) Tool scope.
 *
 * @typedef {object} DeployPlan   how a tool's deploy or undeploy requests go
 * @property {DeployOutcome[]} [outcomes]  the outcomes of the tool's first, second, … request (counted per tool
 *                                    and action since the last reset; a request counts once past faults, key,
 *                                    tool and body checks); later ones get `outcome`. E.g. ['FAILED'] fails the
 *                                    first deploy and lets the next (a rollback's) succeed.
 * @property {DeployOutcome} [outcome]  default SUCCESS
 * @property {number} [durationMs]     how long the job stays IN_PROGRESS (default 1000 for a deploy, 500 for an undeploy)
 * @property {boolean} [doneAtStart]   the start answer already carries the end (SUCCESS or FAILED; not NEVER)
 * @property {string} [message]        what a FAILED job's status says (`message`, as a FAILED import's does)
 * @property {AnswerVariant} [variant]  the start answer's id key: sample the vendor's sample's (`dock-statusId` for a
 *                                    deploy, `dockStatusId` for an undeploy), table `dockStatusId`, model `_id`
 *
 * @typedef {object} DeployRequest   a deploy or undeploy request the simulator received
 * @property {string} toolId
 * @property {'DEPLOY' | 'UNDEPLOY'} action
 * @property {string} body        as received
 * @property {number} at          epoch ms it arrived
 * @property {DeployOutcome} [outcome]   the outcome it took, once past faults, key, tool and body checks
 * @property {string} [dockStatusId]    the job it started, when it started one
 * @property {number} [version]   a deploy that started: the number of the in-development version it deploys
 *
 * @typedef {object} DeployJob   a deploy or undeploy job, by dock status id
 * @property {string} toolId
 * @property {'DEPLOY' | 'UNDEPLOY'} action
 * @property {number} startedAt   epoch ms
 * @property {'SUCCESS' | 'FAILED' | 'NEVER'} outcome
 * @property {number} durationMs  how long it stays IN_PROGRESS (0: done at start)
 * @property {string} message     what its FAILED status says
 * @property {Version} [version]  a deploy's: the in-development version when it was asked for (what SUCCESS deploys)
 * @property {boolean} [settled]  its end has been applied to the tool
 *
 * @typedef {'deployed' | 'inDevelopment'} ExportOf   which version of a tool an export serves:
 *   deployed:      the deployed version, as the vendor's Export page says ("along with its deployed call
 *                  flow"; callflowId is "the callflow ID for the deployed tool"); the in-development one
 *                  when nothing is deployed (the pages say nothing of that case);
 *   inDevelopment: the in-development version.
 *   A configured version exports as before (file, filePath or the default export); an imported one as a
 *   zip of its definitions (deflated, flow, app, env).
 *
 * @typedef {object} Version   a version of a tool
 * @property {number} number   the configured version is 1 (a new tool's first import too); each import makes the next
 * @property {'configured' | 'import'} from   configured: what the tool's options make it export
 * @property {Record<string, Buffer>} [definitions]   an imported version's definitions as uploaded, by file name
 *                                    (flow_definition.json, app_definition.json, env_variables.json when sent)
 * @property {Record<string, string>} [fileIds]   an imported version's import body: field -> file id
 * @property {string} [dockStatusId]  the import job that made it
 *
 * @typedef {object} ToolState   a tool's versions, once an import, deploy or undeploy touched it
 * @property {Version} inDevelopment
 * @property {Version | null} deployed
 * @property {number} versions   how many versions the tool has had
 *
 * @typedef {object} VersionView   a version as `sim.tool()` shows it
 * @property {number} number
 * @property {'configured' | 'import'} from
 * @property {Record<string, Buffer> | null} definitions   by file name; a configured version's are read from
 *                                    its export, null when that is not a zip this simulator can read
 * @property {Record<string, string>} [fileIds]
 * @property {string} [dockStatusId]
 *
 * @typedef {object} ToolView   what `sim.tool(toolId)` returns
 * @property {string} toolId
 * @property {boolean} created   made by a new-tool import (not configured)
 * @property {VersionView} inDevelopment
 * @property {VersionView | null} deployed   null: not deployed (a new tool, or undeployed)
 * @property {DeployRequest[]} deploys   every deploy and undeploy request naming the tool, in order
 *
 * @typedef {object} ImportJob   an import job, by dock status id
 * @property {string} toolId     the tool imported into, or the new tool's id
 * @property {number} startedAt  epoch ms
 * @property {'SUCCESS' | 'FAILED' | 'NEVER'} outcome
 * @property {number} durationMs  how long it stays IN_PROGRESS (importJob.durationMs when it started)
 * @property {string} message     what its FAILED status says (importJob.message when it started)
 * @property {Version} version    what it makes the in-development version, if it succeeds
 * @property {string} [toolName]  a new tool's name
 * @property {boolean} [settled]  its end has been applied to the tool
 *
 * @typedef {{ kind: string, status?: number, retryAfter?: string, retryAfterDateInMs?: number, body?: string | Buffer,
 *             contentType?: string, headers?: Record<string, string> }} Fault
 *   retryAfterDateInMs: send Retry-After as an HTTP date this far ahead of the answer (whole seconds, as dates go)
 *   kinds: 'pass' (this request goes through: a fault meant for a later one waits behind it),
 *   'status' (answer `status` with `body`), 'reset' (destroy the socket), 'badjson',
 *   'stall' (never answer), 'answer' (answer `status`, default 200, with `body` as it is); on the export, deploy and
 *   undeploy routes 'lost' (start the job, then drop the answer);
 *   on the download 'truncate' (announce the full length, send half, close) and 'slow' (send
 *   half, then hold the connection open)
 *   More kinds: on the export, deploy, undeploy and status routes 'cut' (answer `status`, default 200, announce
 *   the full length, send half, close; a 2xx start does start the job) and 'huge' (a 200 answer that
 *   never ends, until the client hangs up; on a start route, after the job started); on the download 'gzip', 'deflate', 'br' (the export
 *   sent with that Content-Encoding, whatever the request accepts, as nginx `gzip_static always`
 *   does) and 'trickle' (announce the full length, then send one byte a second)
 *
 * @typedef {object} StoredFile   what arrived through the File Upload API
 * @property {string} fileId
 * @property {string} name        the file part's file name
 * @property {Buffer} bytes
 * @property {'one request' | 'chunks'} via
 * @property {number} [chunks]   how many chunks made it
 *
 * @typedef {object} ImportRequest   an import the simulator received
 * @property {string} [toolId]   the tool imported into (undefined: a new tool)
 * @property {Record<string, unknown>} body
 * @property {string} [dockStatusId]  the job it started, when it started one
 * @property {number} at   epoch ms it arrived
 *
 * @typedef {object} RecordedRequest
 * @property {'platform' | 'storage'} server
 * @property {string} method
 * @property {string} path   path and query as received
 * @property {string | undefined} apiKey   the x-api-key header, if any
 * @property {string | undefined} userAgent   the User-Agent header, if any
 * @property {number} at     epoch ms the request arrived
 * @property {number} fromPort  the client's port: which connection it came on
 * @property {number} [finishedAt]  epoch ms the response was fully sent
 * @property {string} [status]      on a dock status request: the status answered
 * @property {string} [body]        on a deploy or undeploy request: the body as received
 */

/** Which definition file each of the import body's file id fields carries (by their names: the vendor's pages do not say). */
const DEFINITION_OF = Object.freeze({
  flowDataFileId: 'flow_definition.json',
  toolDataFileId: 'app_definition.json',
  envVariablesFileId: 'env_variables.json'
})

/** @type {readonly Scope[]} Every scope a key can have on these routes (a key given `true` has them all). */
export const ALL_SCOPES = Object.freeze(['Export Tool', 'Import Tool', 'Deploy Tool', 'Undeploy Tool'])

/** What a FAILED import job's status says, unless a test says otherwise (importJob.message). */
const FAILED_IMPORT = 'Import failed: incompatible tool version'
/** Files of this size or more are refused by the one-request upload (the page: "smaller than 25 MB"). */
export const ONE_REQUEST_LIMIT = 25 * 1000 * 1000

/**
 * @param {{ keys?: Record<string, boolean | readonly Scope[]>, tools?: Record<string, SimTool>,
 *           faults?: { export?: Fault[], status?: Fault[], download?: Fault[], upload?: Fault[], import?: Fault[],
 *                     deploy?: Fault[], undeploy?: Fault[] },
 *           deploy?: DeployPlan, undeploy?: DeployPlan,
 *           importOutcome?: 'SUCCESS' | 'FAILED' | 'NEVER', importDurationMs?: number, exportOf?: ExportOf,
 *           hostname?: string, storageHostname?: string, tls?: { key: string, cert: string, on: ('platform' | 'storage')[] },
 *           publicOrigin?: string }} [options]
 *   publicOrigin: the origin the answers name in the URLs they give (the download URL, File Upload's signed URL),
 *     when clients reach the platform origin under another name than its address, e.g. https://agent-platform.kore.ai
 *     through a proxy that routes that name here (the README's examples, run by sim/workflow-runner.mjs).
 *   storageHostname: the address the storage origin listens on, when not `hostname`.
 *   hostname: the address both origins listen on and are named by (default 127.0.0.1); another
 *     address of this machine is not loopback, so proxies apply to it.
 *   tls: the origins named in `on` speak https with this key and certificate.
 *   exportOf: which version of a tool an export serves (default 'deployed'); a tool's own `exportOf` wins.
 *   deploy, undeploy: how deploys and undeploys go for every tool (a tool's own plan wins, field by field),
 *     tools new imports make included.
 *   keys: API key -> its scopes: true every one (ALL_SCOPES), false none (a Viewer's key), or a list,
 *     e.g. every scope but Deploy Tool: `ALL_SCOPES.filter(scope => scope !== 'Deploy Tool')`. Each
 *     route needs its scope (export: Export Tool, both imports: Import Tool, deploy: Deploy Tool,
 *     undeploy: Undeploy Tool); File Upload, dock status and the download need a key with any scope.
 */
export async function startPlatformSimulator(options = {}) {
  const keys = options.keys ?? { 'kg-test-key': true }
  /** @type {Record<string, SimTool>} */
  const tools = { ...(options.tools ?? {}) }
  const faults = {
    export: [...(options.faults?.export ?? [])],
    status: [...(options.faults?.status ?? [])],
    download: [...(options.faults?.download ?? [])],
    upload: [...(options.faults?.upload ?? [])],
    import: [...(options.faults?.import ?? [])],
    deploy: [...(options.faults?.deploy ?? [])],
    undeploy: [...(options.faults?.undeploy ?? [])]
  }
  /** @type {Map<string, StoredFile>} */
  const files = new Map()
  /** @type {Map<string, { fileName: string, fileSize: number, totalChunks: number, chunks: Map<number, Buffer> }>} */
  const sessions = new Map()
  /** @type {ImportRequest[]} */
  const imports = []
  /** @type {Map<string, ImportJob>} import jobs by dock status id */
  const importJobs = new Map()
  /** New tools' ids count up for the simulator's life, never reused: a late request of an earlier test finds no tool of a later one. */
  let newTools = 0
  /** @type {Map<string, ToolState>} versions of the tools an import, deploy or undeploy touched */
  const states = new Map()
  /** @type {Set<string>} tools a new-tool import made (in `tools` until reset) */
  const created = new Set()
  /** @type {DeployRequest[]} */
  const deploys = []
  /** @type {Map<string, DeployJob>} deploy and undeploy jobs by dock status id */
  const deployJobs = new Map()
  /** How many deploy and undeploy requests each tool took an outcome for: the index into its plan's `outcomes`. */
  const asked = { DEPLOY: new Map(), UNDEPLOY: new Map() }
  /** How deploys and undeploys go for every tool; tests may change them between runs. @type {DeployPlan} */
  const deployPlan = { ...options.deploy }
  /** @type {DeployPlan} */
  const undeployPlan = { ...options.undeploy }
  /** How import jobs end; tests may change it between runs. */
  const importJob = { outcome: options.importOutcome ?? 'SUCCESS', durationMs: options.importDurationMs ?? 800, message: FAILED_IMPORT }
  /** @type {RecordedRequest[]} */
  const requests = []
  /** @type {Map<string, { toolId: string, startedAt: number, token: string, file?: Buffer }>} export jobs; file: an imported version's export */
  const jobs = new Map()
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set()

  const hostname = options.hostname ?? '127.0.0.1'
  /** @type {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => unknown} */
  const storageHandler = (req, res) => {
    record('storage', req, res)
    const url = new URL(req.url ?? '/', 'http://storage')
    const job = [...jobs.values()].find(j => url.pathname === `/bucket/${j.token}` && url.searchParams.get('sig') === `sig-${j.token}`)
    if (!job) return send(res, 403, '<Error><Code>AccessDenied</Code></Error>', 'application/xml')
    serveFile(req, res, job)
  }
  const tls = (/** @type {'platform' | 'storage'} */ name) => (options.tls?.on.includes(name) ? options.tls : undefined)
  const storageTls = tls('storage')
  const storage = storageTls ? createTlsServer(storageTls, storageHandler) : createServer(storageHandler)

  /** @type {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => unknown} */
  const platformHandler = (req, res) => {
    const entry = record('platform', req, res)
    settle()
    const url = new URL(req.url ?? '/', 'http://platform')
    const key = header(req, 'x-api-key')
    /** @type {RegExpExecArray | null} */
    let match
    if (req.method === 'POST' && (match = /^\/api\/public\/tools\/([^/]+)\/export$/.exec(url.pathname))) {
      // These faults come after the job started: the platform did act on the request.
      const afterStart = ['lost', 'cut', 'huge'].includes(faults.export[0]?.kind ?? '') && (faults.export[0].status ?? 200) < 300
      const lost = afterStart ? faults.export.shift() : undefined
      if (!lost && applyFault(faults.export, res)) return
      if (!authorised(key, res, 'Export Tool')) return
      const toolId = decodeURIComponent(match[1])
      const tool = tools[toolId]
      if (!tool || url.searchParams.get('flowId') !== tool.flowId) {
        return sendJson(res, 404, { errors: [{ msg: `Tool ${toolId} with that flowId was not found`, code: 404 }] })
      }
      const id = `ds-${randomUUID()}`
      const token = randomUUID()
      jobs.set(id, { toolId, startedAt: Date.now(), token, file: exportedFile(toolId) })
      if (lost?.kind === 'lost') return res.socket?.destroy()
      if (lost?.kind === 'cut') return sendHalf(res, 200, exportAnswer(tool, toolId, id, token))
      if (lost?.kind === 'huge') return sendEndless(res)
      return send(res, 200, `${tool.bom ? '\uFEFF' : ''}${exportAnswer(tool, toolId, id, token)}`, 'application/json')
    }
    if (req.method === 'POST' && url.pathname.startsWith('/api/public/files')) return fileUpload(req, res, url.pathname, key)
    if (req.method === 'POST' && (match = /^\/api\/public\/tools\/([^/]+)\/(deploy|undeploy)$/.exec(url.pathname))) {
      return deployTool(req, res, entry, decodeURIComponent(match[1]), match[2] === 'deploy' ? 'DEPLOY' : 'UNDEPLOY', key)
    }
    if (req.method === 'POST' && (match = /^\/api\/public\/tools\/(?:([^/]+)\/)?import$/.exec(url.pathname))) {
      return importTool(req, res, match[1] === undefined ? undefined : decodeURIComponent(match[1]), key)
    }
    if (
      req.method === 'GET' &&
      (match = /^\/api\/public\/dock-status\/([^/]+)$/.exec(url.pathname)) &&
      importJobs.has(decodeURIComponent(match[1]))
    ) {
      if (applyFault(faults.status, res)) return
      if (!authorised(key, res)) return
      const id = decodeURIComponent(match[1])
      const job = /** @type {ImportJob} */ (importJobs.get(id))
      const status = ended(job) ? job.outcome : 'IN_PROGRESS'
      entry.status = status
      /** @type {Record<string, unknown>} */
      const answer = { _id: id, toolId: job.toolId, jobType: 'TOOLS', action: 'IMPORT', status }
      if (status === 'FAILED') answer.message = job.message
      return sendJson(res, 200, answer)
    }
    if (
      req.method === 'GET' &&
      (match = /^\/api\/public\/dock-status\/([^/]+)$/.exec(url.pathname)) &&
      deployJobs.has(decodeURIComponent(match[1]))
    ) {
      if (applyFault(faults.status, res)) return
      if (!authorised(key, res)) return
      const id = decodeURIComponent(match[1])
      const job = /** @type {DeployJob} */ (deployJobs.get(id))
      const status = ended(job) ? job.outcome : 'IN_PROGRESS'
      entry.status = status
      /** @type {Record<string, unknown>} */
      const answer = { _id: id, toolId: job.toolId, jobType: 'TOOLS', action: job.action, status }
      answer.percentageComplete =
        status === 'IN_PROGRESS' ? Math.min(99, Math.floor(((Date.now() - job.startedAt) / Math.max(1, job.durationMs)) * 100)) : 100
      if (status === 'FAILED') answer.message = job.message
      return sendJson(res, 200, answer)
    }
    if (req.method === 'GET' && (match = /^\/api\/public\/dock-status\/([^/]+)$/.exec(url.pathname))) {
      if (applyFault(faults.status, res)) return
      if (!authorised(key, res)) return
      const id = decodeURIComponent(match[1])
      const job = jobs.get(id)
      if (!job) return sendJson(res, 404, { errors: [{ msg: 'Dock status not found', code: 404 }] })
      const tool = tools[job.toolId]
      const status = statusOf(tool, job)
      entry.status = status
      /** @type {Record<string, unknown>} */
      const answer = {
        _id: id,
        toolId: job.toolId,
        jobType: 'TOOLS',
        action: 'EXPORT',
        status,
        percentageComplete: percentOf(tool, job, status)
      }
      if (status === 'SUCCESS' && tool.urlOnStatus) answer.downloadUrl = downloadUrlFor(job.token)
      if (tool.bom) return send(res, 200, `\uFEFF${JSON.stringify(answer)}`, 'application/json')
      return sendJson(res, 200, answer)
    }
    if (req.method === 'GET' && (match = /^\/api\/v1\/account\/([^/]+)$/.exec(url.pathname))) {
      const token = match[1]
      const job = [...jobs.values()].find(j => j.token === token)
      if (!job) return sendJson(res, 404, { errors: [{ msg: 'File not found', code: 404 }] })
      if (!authorised(key, res)) return
      if (statusOf(tools[job.toolId], job) !== 'SUCCESS') return sendJson(res, 404, { errors: [{ msg: 'Export not ready', code: 404 }] })
      if (tools[job.toolId].redirect || tools[job.toolId].redirectTo) {
        res.writeHead(302, {
          location: tools[job.toolId].redirectTo ?? `${storageOrigin}/bucket/${job.token}?sig=sig-${job.token}&expires=3600`
        })
        return res.end()
      }
      return serveFile(req, res, job)
    }
    sendJson(res, 404, { errors: [{ msg: 'No such route', code: 404 }] })
  }
  const platformTls = tls('platform')
  const platform = platformTls ? createTlsServer(platformTls, platformHandler) : createServer(platformHandler)

  for (const server of [platform, storage]) {
    server.on('connection', socket => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
  }
  const origin = await listen(platform, hostname, platformTls ? 'https' : 'http')
  const storageOrigin = await listen(storage, options.storageHostname ?? hostname, storageTls ? 'https' : 'http')

  /**
   * @param {'platform' | 'storage'} server @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   */
  function record(server, req, res) {
    /** @type {RecordedRequest} */
    const entry = {
      server,
      method: req.method ?? '',
      path: req.url ?? '',
      apiKey: header(req, 'x-api-key'),
      userAgent: header(req, 'user-agent'),
      at: Date.now(),
      fromPort: req.socket.remotePort ?? 0
    }
    res.on('finish', () => (entry.finishedAt = Date.now()))
    requests.push(entry)
    return entry
  }

  /**
   * The File Upload API: one multipart request (below the limit), or a session of numbered chunks.
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
   * @param {string} pathname @param {string | undefined} key
   */
  async function fileUpload(req, res, pathname, key) {
    if (applyFault(faults.upload, res)) return req.resume()
    if (!authorised(key, res)) return req.resume()
    /** @type {RegExpExecArray | null} */
    let match
    if (pathname === '/api/public/files') {
      if (Number(req.headers['content-length'] ?? 0) > ONE_REQUEST_LIMIT + 64 * 1024) {
        req.resume()
        return sendJson(res, 413, { errors: [{ msg: 'File too large: use an upload session for files of 25 MB or more', code: 413 }] })
      }
      const form = await readForm(req)
      const file = form?.get('file')
      if (!form || !(file instanceof Blob) || form.get('fileContext') !== 'bulkImport') {
        return sendJson(res, 400, { errors: [{ msg: 'file and fileContext (bulkImport) are required', code: 400 }] })
      }
      if (file.size >= ONE_REQUEST_LIMIT)
        return sendJson(res, 413, { errors: [{ msg: 'File too large: use an upload session', code: 413 }] })
      return sendJson(res, 200, store(/** @type {File} */ (file).name, Buffer.from(await file.arrayBuffer()), 'one request'))
    }
    if (pathname === '/api/public/files/session/start') {
      const body = await readJson(req)
      const missing = ['fileContext', 'totalChunks', 'fileExtension', 'fileName', 'fileSize'].filter(name => body?.[name] === undefined)
      if (!body || missing.length || body.fileContext !== 'bulkImport')
        return sendJson(res, 400, { errors: [{ msg: `Missing or wrong: ${missing.join(', ') || 'fileContext'}`, code: 400 }] })
      const sessionId = `fs-${randomUUID()}`
      sessions.set(sessionId, {
        fileName: String(body.fileName),
        fileSize: Number(body.fileSize),
        totalChunks: Number(body.totalChunks),
        chunks: new Map()
      })
      return sendJson(res, 200, { sessionId, expirationDate: new Date(Date.now() + 3600_000).toISOString() })
    }
    if ((match = /^\/api\/public\/files\/session\/([^/]+)(\/complete)?$/.exec(pathname))) {
      const session = sessions.get(decodeURIComponent(match[1]))
      if (!session) {
        req.resume()
        return sendJson(res, 404, { errors: [{ msg: 'Upload session not found', code: 404 }] })
      }
      if (match[2]) {
        const numbers = [...session.chunks.keys()]
        const missingChunks = Array.from({ length: session.totalChunks }, (_, i) => i).filter(i => !session.chunks.has(i))
        if (missingChunks.length || numbers.length !== session.totalChunks) {
          return sendJson(res, 400, { errors: [{ msg: `Missing chunk numbers: ${missingChunks.join(', ')}`, code: 400 }] })
        }
        const bytes = Buffer.concat(
          missingChunks.length ? [] : numbers.sort((a, b) => a - b).map(i => /** @type {Buffer} */ (session.chunks.get(i)))
        )
        if (bytes.length !== session.fileSize)
          return sendJson(res, 400, { errors: [{ msg: 'The merged file has the wrong size', code: 400 }] })
        sessions.delete(decodeURIComponent(match[1]))
        return sendJson(res, 200, store(session.fileName, bytes, 'chunks', session.totalChunks))
      }
      const form = await readForm(req)
      const file = form?.get('file')
      const chunkNumber = form?.get('chunkNumber')
      if (!(file instanceof Blob) || typeof chunkNumber !== 'string' || !/^\d+$/.test(chunkNumber)) {
        return sendJson(res, 400, { errors: [{ msg: 'file and chunkNumber are required', code: 400 }] })
      }
      if (file.size >= ONE_REQUEST_LIMIT) return sendJson(res, 413, { errors: [{ msg: 'Chunk too large', code: 413 }] })
      session.chunks.set(Number(chunkNumber), Buffer.from(await file.arrayBuffer()))
      return sendJson(res, 200, { chunkNumber, sessionId: match[1] })
    }
    req.resume()
    sendJson(res, 404, { errors: [{ msg: 'No such route', code: 404 }] })
  }

  /** @param {string} name @param {Buffer} bytes @param {'one request' | 'chunks'} via @param {number} [chunks] */
  function store(name, bytes, via, chunks) {
    const fileId = `file-${randomUUID()}`
    files.set(fileId, { fileId, name, bytes, via, chunks })
    const token = createHash('sha256').update(fileId).digest('hex').slice(0, 32)
    return { url: `${options.publicOrigin ?? origin}/api/public/files/${fileId}/signed?e=3600&s=sig${token}`, fileId }
  }

  /**
   * The two import routes: a new tool, or a new version of an existing (deployed) one.
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
   * @param {string | undefined} toolId @param {string | undefined} key
   */
  async function importTool(req, res, toolId, key) {
    const body = await readJson(req)
    /** @type {ImportRequest} */
    const received = { toolId, body: body ?? {}, at: Date.now() }
    imports.push(received)
    if (applyFault(faults.import, res)) return
    if (!authorised(key, res, 'Import Tool')) return
    if (toolId !== undefined && !tools[toolId]) return sendJson(res, 404, { errors: [{ msg: `Tool ${toolId} was not found`, code: 404 }] })
    const required =
      toolId === undefined ? ['toolDataFileId', 'flowDataFileId', 'toolName'] : ['toolDataFileId', 'flowDataFileId', 'envVariablesFileId']
    const missing = required.filter(name => typeof body?.[name] !== 'string' || !body[name])
    if (!body || missing.length) return sendJson(res, 400, { errors: [{ msg: `Required: ${missing.join(', ')}`, code: 400 }] })
    const unknown = ['toolDataFileId', 'flowDataFileId', 'envVariablesFileId'].filter(
      name => body[name] !== undefined && !files.has(String(body[name]))
    )
    if (unknown.length) return sendJson(res, 400, { errors: [{ msg: `Unknown file id in ${unknown.join(', ')}`, code: 400 }] })
    const id = `ds-${randomUUID()}`
    const target = toolId ?? `a-new-${++newTools}`
    /** @type {Record<string, Buffer>} */
    const definitions = {}
    /** @type {Record<string, string>} */
    const fileIds = {}
    for (const [field, name] of Object.entries(DEFINITION_OF)) {
      if (body[field] === undefined) continue
      fileIds[field] = String(body[field])
      definitions[name] = /** @type {StoredFile} */ (files.get(fileIds[field])).bytes
    }
    importJobs.set(id, {
      toolId: target,
      startedAt: Date.now(),
      outcome: /** @type {'SUCCESS' | 'FAILED' | 'NEVER'} */ (importJob.outcome),
      durationMs: importJob.durationMs,
      message: importJob.message,
      version: { number: 0, from: 'import', definitions, fileIds, dockStatusId: id },
      toolName: toolId === undefined ? String(body.toolName) : undefined
    })
    received.dockStatusId = id
    sendJson(res, 200, { dockStatusId: id, toolId: target, jobType: 'TOOLS', action: 'IMPORT', status: 'IN_PROGRESS' })
  }

  /**
   * The deploy and undeploy routes: a job that deploys the tool's in-development version as it is now,
   * or undeploys the tool; its outcome from the tool's plan.
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
   * @param {RecordedRequest} entry @param {string} toolId @param {'DEPLOY' | 'UNDEPLOY'} action @param {string | undefined} key
   */
  async function deployTool(req, res, entry, toolId, action, key) {
    const chunks = []
    for await (const chunk of req) chunks.push(chunk)
    const text = Buffer.concat(chunks).toString('utf8')
    entry.body = text
    /** @type {DeployRequest} */
    const received = { toolId, action, body: text, at: Date.now() }
    deploys.push(received)
    const queue = action === 'DEPLOY' ? faults.deploy : faults.undeploy
    // These faults come after the job started (as on the export route): the platform did act on the request.
    const afterStart = ['lost', 'cut', 'huge'].includes(queue[0]?.kind ?? '') && (queue[0].status ?? 200) < 300
    const lost = afterStart ? queue.shift() : undefined
    if (!lost && applyFault(queue, res)) return
    const scope = action === 'DEPLOY' ? 'Deploy Tool' : 'Undeploy Tool'
    if (!authorised(key, res, scope)) return
    const tool = tools[toolId]
    if (!tool) return sendJson(res, 404, { errors: [{ msg: `Tool ${toolId} was not found`, code: 404 }] })
    if (action === 'DEPLOY') {
      /** @type {unknown} */
      let body
      try {
        body = JSON.parse(text)
      } catch {
        body = undefined
      }
      if (!body || typeof body !== 'object' || typeof (/** @type {Record<string, unknown>} */ (body).isAsync) !== 'boolean') {
        return sendJson(res, 400, { errors: [{ msg: 'isAsync is required and must be a boolean', code: 400 }] })
      }
    }
    settle() // the body took time to arrive: an import may have ended since
    const plan = { ...(action === 'DEPLOY' ? deployPlan : undeployPlan), ...(action === 'DEPLOY' ? tool.deploy : tool.undeploy) }
    const count = asked[action].get(toolId) ?? 0
    asked[action].set(toolId, count + 1)
    const outcome = plan.outcomes?.[count] ?? plan.outcome ?? 'SUCCESS'
    received.outcome = outcome
    /** @type {[number, string]} */
    let answer
    if (outcome === 403) {
      answer = [403, JSON.stringify({ errors: [{ msg: `The API key does not have the ${scope} scope`, code: 403 }] })]
    } else {
      const id = `ds-${randomUUID()}`
      const doneAtStart = Boolean(plan.doneAtStart) && outcome !== 'NEVER'
      const state = stateOf(toolId)
      /** @type {DeployJob} */
      const job = {
        toolId,
        action,
        startedAt: Date.now(),
        outcome,
        durationMs: doneAtStart ? 0 : (plan.durationMs ?? (action === 'DEPLOY' ? 1000 : 500)),
        message:
          plan.message ??
          (action === 'DEPLOY'
            ? 'Deployment failed: fix the errors in the tool flow, then deploy again'
            : 'Undeployment failed: internal error'),
        version: action === 'DEPLOY' ? state.inDevelopment : undefined
      }
      deployJobs.set(id, job)
      received.dockStatusId = id
      received.version = job.version?.number
      if (doneAtStart) settle()
      const variant = plan.variant ?? 'sample'
      const idKey = variant === 'model' ? '_id' : variant === 'table' || action === 'UNDEPLOY' ? 'dockStatusId' : 'dock-statusId'
      const status = doneAtStart ? outcome : 'IN_PROGRESS'
      /** @type {Record<string, unknown>} */
      const body = { [idKey]: id, toolId, jobType: 'TOOLS', action, status }
      if (status === 'FAILED') body.message = job.message
      answer = [200, JSON.stringify(body)]
    }
    if (lost?.kind === 'lost') return res.socket?.destroy()
    if (lost?.kind === 'cut') return sendHalf(res, answer[0], answer[1])
    if (lost?.kind === 'huge') return sendEndless(res)
    return send(res, answer[0], answer[1], 'application/json')
  }

  /** @param {{ startedAt: number, durationMs: number, outcome: string }} job */
  function ended(job) {
    return job.outcome !== 'NEVER' && Date.now() - job.startedAt >= job.durationMs
  }

  /**
   * Applies the jobs that have ended since the last look, in the order they ended: a successful import
   * makes the next in-development version (and a new tool, for a new-tool import), a successful deploy
   * makes the version it was asked for the deployed one, an undeploy leaves none deployed. Jobs end by the
   * clock, so this runs before every request is handled and before a test reads a tool.
   */
  function settle() {
    /** @type {{ at: number, apply: () => void }[]} */
    const due = []
    for (const job of importJobs.values()) {
      if (job.settled || !ended(job)) continue
      due.push({
        at: job.startedAt + job.durationMs,
        apply: () => {
          job.settled = true
          if (job.outcome === 'SUCCESS') applyImport(job)
        }
      })
    }
    for (const job of deployJobs.values()) {
      if (job.settled || !ended(job)) continue
      due.push({
        at: job.startedAt + job.durationMs,
        apply: () => {
          job.settled = true
          if (job.outcome !== 'SUCCESS') return
          const state = stateOf(job.toolId)
          state.deployed = job.action === 'DEPLOY' ? (job.version ?? state.inDevelopment) : null
        }
      })
    }
    due.sort((a, b) => a.at - b.at)
    for (const { apply } of due) apply()
  }

  /** @param {ImportJob} job */
  function applyImport(job) {
    const state = states.get(job.toolId)
    if (!tools[job.toolId]) {
      // A new tool: in development, not deployed; its flow id is the simulator's own (no page says how users learn one).
      tools[job.toolId] = { flowId: `cf-${job.toolId}`, name: job.toolName }
      created.add(job.toolId)
      states.set(job.toolId, { inDevelopment: { ...job.version, number: 1 }, deployed: null, versions: 1 })
      return
    }
    const into = state ?? stateOf(job.toolId)
    into.versions++
    into.inDevelopment = { ...job.version, number: into.versions }
  }

  /** A tool's versions, made from its options the first time something changes them. @param {string} toolId */
  function stateOf(toolId) {
    let state = states.get(toolId)
    if (!state) {
      state = configuredState(tools[toolId])
      states.set(toolId, state)
    }
    return state
  }

  /** @param {SimTool} tool @returns {ToolState} */
  function configuredState(tool) {
    /** @type {Version} */
    const configured = { number: 1, from: 'configured' }
    return { inDevelopment: configured, deployed: tool.deployed === false ? null : configured, versions: 1 }
  }

  /** What an export of the tool serves now: an imported version's zip, or undefined for the tool's configured export. @param {string} toolId */
  function exportedFile(toolId) {
    const state = states.get(toolId)
    if (!state) return undefined
    const exportOf = tools[toolId].exportOf ?? options.exportOf ?? 'deployed'
    const version = exportOf === 'deployed' ? (state.deployed ?? state.inDevelopment) : state.inDevelopment
    if (!version.definitions) return undefined
    const definitions = version.definitions
    const names = Object.values(DEFINITION_OF).filter(name => definitions[name])
    return makeZip(
      names.map(name => ({ name, data: definitions[name] })),
      { method: 'deflate' }
    )
  }

  /** @param {string} toolId @param {Version} version @returns {VersionView} */
  function viewOf(toolId, version) {
    /** @type {Record<string, Buffer> | null} */
    let definitions = version.definitions ?? null
    if (version.from === 'configured') {
      const tool = tools[toolId]
      try {
        definitions = readZip(tool.filePath ? readFileSync(tool.filePath) : (tool.file ?? makeToolExport(tool.name ?? 'Banking Assistant')))
      } catch {
        definitions = null
      }
    }
    return { ...version, definitions }
  }

  /**
   * Answers 401 for a key the platform does not know, 403 for one without `scope` (without any
   * scope, on the routes no page names a scope for: File Upload, dock status, the download).
   * @param {string | undefined} key @param {import('node:http').ServerResponse} res @param {Scope} [scope]
   */
  function authorised(key, res, scope) {
    if (!key || !(key in keys)) {
      sendJson(res, 401, { errors: [{ msg: 'Invalid API key', code: 401 }] })
      return false
    }
    const has = keys[key]
    const scopes = has === true ? ALL_SCOPES : has === false ? [] : has
    if (scope ? !scopes.includes(scope) : !scopes.length) {
      const msg = scope ? `The API key does not have the ${scope} scope` : 'The API key has no scope for this API'
      sendJson(res, 403, { errors: [{ msg, code: 403 }] })
      return false
    }
    return true
  }

  /** @param {SimTool} tool @param {{ startedAt: number }} job */
  function statusOf(tool, job) {
    const outcome = tool.outcome ?? 'SUCCESS'
    if (tool.doneAtStart) return outcome
    if (outcome === 'NEVER' || Date.now() - job.startedAt < (tool.durationMs ?? 1500)) return 'IN_PROGRESS'
    return outcome
  }

  /** @param {SimTool} tool @param {{ startedAt: number }} job @param {string} status */
  function percentOf(tool, job, status) {
    if (status !== 'IN_PROGRESS') return 100
    return Math.min(99, Math.floor(((Date.now() - job.startedAt) / (tool.durationMs ?? 1500)) * 100))
  }

  /** @param {string} token */
  function downloadUrlFor(token) {
    const job = [...jobs.values()].find(j => j.token === token)
    return (job && tools[job.toolId]?.downloadUrl) ?? `${options.publicOrigin ?? origin}/api/v1/account/${token}`
  }

  /** @param {SimTool} tool @param {string} toolId @param {string} id @param {string} token */
  function exportAnswer(tool, toolId, id, token) {
    const variant = tool.variant ?? 'sample'
    const url = downloadUrlFor(token)
    if (variant === 'sample') {
      // The vendor's sample: note the missing comma after exportJobId and the leading space.
      return `{
   "dock-statusId": "${id}",
   "toolId": "${toolId}",
   "jobType": "TOOLS",
   "action": "EXPORT",
   "status": "IN_PROGRESS",
   "exportJobId": "tool-ej-${token}"
"response": {
       "downloadUrl": " ${url}"
  }
}`
    }
    const idKey = variant === 'table' ? 'dockStatusId' : '_id'
    const urlKey = variant === 'table' ? 'downloadURL' : 'downloadUrl'
    const progress = tool.doneAtStart ? { status: 'SUCCESS', percentageComplete: 100 } : { status: 'IN_PROGRESS', percentageComplete: 0 }
    return JSON.stringify({
      [idKey]: id,
      toolId,
      jobType: 'TOOLS',
      action: 'EXPORT',
      ...progress,
      exportJobId: `agent-ej-${token}`,
      [urlKey]: url
    })
  }

  /**
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
   * @param {{ toolId: string, file?: Buffer }} job
   */
  function serveFile(req, res, job) {
    const tool = tools[job.toolId]
    const disposition = tool.contentDisposition ?? `attachment; filename="${tool.name ?? 'Banking Assistant'}.zip"`
    const fault = faults.download.shift()
    if (fault?.kind === 'reset') return req.socket.destroy()
    if (fault?.kind === 'status')
      return sendJson(
        res,
        fault.status ?? 500,
        { errors: [{ msg: String(fault.body ?? 'Internal error'), code: fault.status }] },
        fault.retryAfter
      )
    if (fault?.kind === 'answer') {
      const body = Buffer.from(fault.body ?? '')
      /** @type {Record<string, string | number>} */
      const headers = { 'content-length': body.length, ...fault.headers }
      if (fault.contentType) headers['content-type'] = fault.contentType
      res.writeHead(fault.status ?? 200, headers)
      return res.end(body)
    }
    if (fault?.kind === 'unframed') {
      // Written on the socket itself: Node's server would add a length or chunk the body.
      req.socket.end(
        Buffer.concat([
          Buffer.from(
            `HTTP/1.1 200 OK\r\ncontent-type: application/zip\r\ncontent-disposition: ${disposition}\r\nconnection: close\r\n\r\n`
          ),
          Buffer.from(fault.body ?? '')
        ])
      )
      return
    }
    if (tool.filePath && !job.file) {
      if (fault) throw new Error(`the download fault '${fault.kind}' needs an in-memory export (file), not filePath`)
      if (tool.paceBytesPerSecond) return sendPaced(req, res, tool.filePath, tool.paceBytesPerSecond, disposition)
      const size = statSync(tool.filePath).size
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': size, 'content-disposition': disposition })
      return createReadStream(tool.filePath, { highWaterMark: 1 << 20 }).pipe(res)
    }
    const plain = job.file ?? tool.file ?? makeToolExport(tool.name ?? 'Banking Assistant')
    const encoders = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync }
    const coding = fault && fault.kind in encoders ? /** @type {keyof typeof encoders} */ (fault.kind) : undefined
    const body = coding ? encoders[coding](plain) : plain
    res.writeHead(200, {
      'content-type': 'application/zip',
      'content-length': body.length,
      'content-disposition': disposition,
      ...(coding ? { 'content-encoding': coding } : {})
    })
    if (fault?.kind === 'trickle') {
      let sent = 0
      const timer = setInterval(() => {
        if (sent >= body.length || res.destroyed) return clearInterval(timer)
        res.write(body.subarray(sent, ++sent))
      }, 1000)
      res.on('close', () => clearInterval(timer))
      return
    }
    if (fault && !coding && fault.kind !== 'truncate' && fault.kind !== 'slow') throw new Error(`unknown download fault ${fault.kind}`)
    if (fault?.kind === 'truncate' || fault?.kind === 'slow') {
      res.write(body.subarray(0, Math.floor(body.length / 2)))
      if (fault.kind === 'truncate') setTimeout(() => req.socket.destroy(), 20)
      return
    }
    res.end(body)
  }

  return {
    /** The platform's base URL, for the `host` input. */
    url: origin,
    storageUrl: storageOrigin,
    requests,
    tools,
    faults,
    /** Started jobs by dock status id: which tool, and when the job started (epoch ms). */
    jobs,
    /** What arrived through the File Upload API, by file id. */
    files,
    /** Every import request received, in order, with its JSON body. */
    imports,
    importJobs,
    /**
     * A tool's versions now: what is in development, what is deployed; undefined for a tool the
     * simulator does not know (a new tool exists once its import job has succeeded).
     * @param {string} toolId @returns {ToolView | undefined}
     */
    tool(toolId) {
      settle()
      const tool = tools[toolId]
      if (!tool) return undefined
      const state = states.get(toolId) ?? configuredState(tool)
      return {
        toolId,
        created: created.has(toolId),
        inDevelopment: viewOf(toolId, state.inDevelopment),
        deployed: state.deployed && viewOf(toolId, state.deployed),
        deploys: deploys.filter(request => request.toolId === toolId)
      }
    },
    /** Every deploy and undeploy request received, in order (unknown tools' too). */
    deploys,
    deployJobs,
    /** How deploys go for every tool (a tool's `deploy` wins, field by field): change it between runs. */
    deployPlan,
    /** How undeploys go for every tool (a tool's `undeploy` wins, field by field). */
    undeployPlan,
    /**
     * How import jobs end (outcome SUCCESS, FAILED or NEVER; durationMs IN_PROGRESS first; message, what a
     * FAILED one says, e.g. a value it quotes back): change it between runs.
     */
    importJob,
    /**
     * Forgets every request, job, upload, import, tool version and fault queued, and the tools imports
     * made: a clean slate for the next test. (Tools configured, or changed by a test, stay as they are.)
     */
    reset() {
      requests.length = 0
      jobs.clear()
      for (const queue of Object.values(faults)) queue.length = 0
      files.clear()
      sessions.clear()
      imports.length = 0
      importJobs.clear()
      states.clear()
      for (const toolId of created) delete tools[toolId]
      created.clear()
      deploys.length = 0
      deployJobs.clear()
      asked.DEPLOY.clear()
      asked.UNDEPLOY.clear()
      for (const plan of [deployPlan, undeployPlan])
        for (const field of Object.keys(plan)) delete plan[/** @type {keyof DeployPlan} */ (field)]
      Object.assign(deployPlan, options.deploy)
      Object.assign(undeployPlan, options.undeploy)
      importJob.outcome = options.importOutcome ?? 'SUCCESS'
      importJob.durationMs = options.importDurationMs ?? 800
      importJob.message = FAILED_IMPORT
    },
    /**
     * The most export jobs in flight at once: a job counts from its start until the last request
     * about it (its last status check, or its download) was answered.
     */
    maxJobsInFlight() {
      /** @type {[number, number][]} */
      const events = []
      for (const [id, job] of jobs) {
        const touching = requests.filter(r => r.path.includes(id) || r.path.includes(job.token))
        const end = Math.max(job.startedAt, ...touching.map(r => r.finishedAt ?? r.at))
        events.push([job.startedAt, 1], [end, -1])
      }
      events.sort((a, b) => a[0] - b[0] || a[1] - b[1])
      let now = 0
      let most = 0
      for (const [, step] of events) most = Math.max(most, (now += step))
      return most
    },
    /** @param {string} toolId @param {SimTool} tool */
    addTool(toolId, tool) {
      tools[toolId] = tool
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await Promise.all([platform, storage].map(s => new Promise(resolve => s.close(() => resolve(undefined)))))
    }
  }
}

/** @param {Fault[]} queue @param {import('node:http').ServerResponse} res */
function applyFault(queue, res) {
  const fault = queue.shift()
  if (!fault) return false
  switch (fault.kind) {
    case 'pass':
      // This request goes through untouched: the faults behind it meet the ones after it.
      return false
    case 'reset':
      res.socket?.destroy()
      return true
    case 'stall':
      return true
    case 'badjson':
      send(res, 200, '<html>Bad gateway page from a proxy</html>', 'text/html')
      return true
    case 'answer':
      // An answer of the test's own making, e.g. a hostile or odd JSON body.
      send(res, fault.status ?? 200, String(fault.body ?? ''), fault.contentType ?? 'application/json')
      return true
    case 'cut':
      sendHalf(
        res,
        fault.status ?? 200,
        JSON.stringify({
          errors: [{ msg: String(fault.body ?? 'cut short'), code: fault.status }],
          status: 'IN_PROGRESS',
          pad: 'x'.repeat(200)
        })
      )
      return true
    case 'huge':
      sendEndless(res)
      return true
    case 'status': {
      const retryAfter =
        fault.retryAfterDateInMs === undefined ? fault.retryAfter : new Date(Date.now() + fault.retryAfterDateInMs).toUTCString()
      sendJson(
        res,
        fault.status ?? 500,
        fault.body === undefined ? { errors: [{ msg: 'Internal error', code: fault.status }] } : { errors: [{ msg: String(fault.body) }] },
        retryAfter
      )
      return true
    }
    default:
      throw new Error(`unknown fault ${fault.kind}`)
  }
}

/** Announces the whole answer, sends half of it, then closes the connection. @param {import('node:http').ServerResponse} res @param {number} status @param {string} body */
function sendHalf(res, status, body) {
  const bytes = Buffer.from(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length })
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)))
  setTimeout(() => res.socket?.destroy(), 20)
}

/** A 200 answer that never ends (a proxy's error stream, a runaway server): 64 KiB pieces until the client hangs up. @param {import('node:http').ServerResponse} res */
function sendEndless(res) {
  res.writeHead(200, { 'content-type': 'application/json' })
  const piece = Buffer.from(`{"pad":"${'x'.repeat(65536)}`)
  const more = () => {
    while (!res.destroyed && res.write(piece)) {
      // write until the socket's buffer is full
    }
    if (!res.destroyed) res.once('drain', more)
  }
  res.on('error', () => undefined) // the client hanging up is the point
  more()
}

/**
 * A link paced to `rate` bytes a second: the file goes out in 1 MiB steps, each when the clock
 * says it is due, as a bandwidth-limited link delivers it.
 * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
 * @param {string} filePath @param {number} rate @param {string} disposition
 */
function sendPaced(req, res, filePath, rate, disposition) {
  const size = statSync(filePath).size
  const step = 1 << 20
  res.writeHead(200, { 'content-type': 'application/zip', 'content-length': size, 'content-disposition': disposition })
  const stream = createReadStream(filePath, { highWaterMark: step })
  const startedAt = performance.now()
  let sent = 0
  // The file may end while its last piece still waits for its time: end the answer after it.
  let waiting = 0
  let ended = false
  stream.on('data', chunk => {
    stream.pause()
    const due = startedAt + ((sent + chunk.length) / rate) * 1000
    sent += chunk.length
    waiting++
    setTimeout(
      () => {
        waiting--
        if (res.destroyed) return stream.destroy()
        if (res.write(chunk)) stream.resume()
        else res.once('drain', () => stream.resume())
        if (ended && waiting === 0) res.end()
      },
      Math.max(0, due - performance.now())
    )
  })
  stream.on('end', () => {
    ended = true
    if (waiting === 0) res.end()
  })
  req.on('close', () => stream.destroy())
}

/**
 * A multipart/form-data body, parsed by Node's own fetch implementation; null when it is not one.
 * @param {import('node:http').IncomingMessage} req
 */
async function readForm(req) {
  /** @type {Record<string, string>} */
  const headers = {}
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value
  try {
    // duplex: 'half' is what Node requires of a streamed request body.
    return await new Request('http://sim/', { method: 'POST', headers, body: Readable.toWeb(req), duplex: 'half' }).formData()
  } catch {
    return null
  }
}

/** A JSON object body, or null. @param {import('node:http').IncomingMessage} req @returns {Promise<Record<string, unknown> | null>} */
async function readJson(req) {
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    return value && typeof value === 'object' && !Array.isArray(value) ? value : null
  } catch {
    return null
  }
}

/** @param {import('node:http').IncomingMessage} req @param {string} name */
function header(req, name) {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** @param {import('node:http').ServerResponse} res @param {number} status @param {unknown} body @param {string} [retryAfter] */
function sendJson(res, status, body, retryAfter) {
  send(res, status, JSON.stringify(body), 'application/json', retryAfter)
}

/** @param {import('node:http').ServerResponse} res @param {number} status @param {string} body @param {string} type @param {string} [retryAfter] */
function send(res, status, body, type, retryAfter) {
  /** @type {Record<string, string | number>} */
  const headers = { 'content-type': type, 'content-length': Buffer.byteLength(body) }
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter
  res.writeHead(status, headers)
  res.end(body)
}

/**
 * @param {import('node:http').Server} server @param {string} hostname @param {'http' | 'https'} scheme
 * @returns {Promise<string>} the origin
 */
function listen(server, hostname, scheme) {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, hostname, () => {
      const address = server.address()
      const host = hostname.includes(':') ? `[${hostname}]` : hostname
      resolve(`${scheme}://${host}:${typeof address === 'object' && address ? address.port : 0}`)
    })
  })
}
