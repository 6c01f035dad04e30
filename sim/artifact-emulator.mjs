// @ts-check
/**
 * A loopback emulator of GitHub's artifact backend, enough for the real @actions/artifact client:
 * the Twirp JSON calls CreateArtifact and FinalizeArtifact, and the Azure block-blob upload to the
 * signed URL CreateArtifact hands out (PUT ?comp=block, then PUT ?comp=blocklist). Finished
 * artifacts are written to a folder, so tests check the bytes that arrived.
 *
 * The download side, as @actions/artifact 6.2.1 (the client actions/download-artifact v8.0.1 uses)
 * calls it: the Twirp calls ListArtifacts (by name or id: getArtifact, listArtifacts,
 * downloadArtifact) and GetSignedArtifactURL, then a GET of the signed blob URL. The blob is served
 * as Azure serves a blob: with the Content-Type the uploader committed it with
 * (x-ms-blob-content-type, application/zip for a zip), and the Content-Disposition GitHub signs
 * into the URL (the artifact's name, `.zip` appended to an archived artifact's name that lacks
 * it). The client unzips when the Content-Type is a zip type or the URL's path ends in `.zip`; the
 * path here never does, so the Content-Type alone decides, as it must for a direct upload.
 * With a token (download-artifact's github-token: another run or repository), the client goes
 * through the REST API instead: GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts and
 * GET /repos/{owner}/{repo}/actions/artifacts/{id}/zip, a 302 to the same signed URL; point
 * GITHUB_API_URL here for that.
 *
 * Workflow runs: the emulator starts in run 4242 (the run id sim/run-action.mjs gives the bundle);
 * startRun() begins another, whose jobs see only its own artifacts through Twirp, as a new run
 * does, while the REST API still lists every run's.
 */
import { createServer } from 'node:http'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/'

/**
 * @typedef {object} StoredArtifact
 * @property {number} id
 * @property {string} name
 * @property {string} [mimeType]
 * @property {string} [expiresAt]
 * @property {number} size
 * @property {string} sha256
 * @property {string} [hash]   what the client reported at finalize
 * @property {string} filePath where the bytes were written
 * @property {string} [contentType]  the blob's Content-Type, as the uploader committed it (x-ms-blob-content-type)
 * @property {number} runNumber  the workflow run it belongs to (github.run_id)
 * @property {string} runBackendId
 * @property {string} jobBackendId  the job that uploaded it
 * @property {string} createdAt
 */

/**
 * @typedef {object} WorkflowRun
 * @property {number} id          the run's id, as github.run_id and the REST API give it
 * @property {string} backendId   its workflow_run_backend_id (the runtime token's claim)
 * @property {string} jobId       the backend id of the job runtimeEnv() gives without a job name
 * @property {Set<string>} jobs   every job backend id handed out for this run
 */

/**
 * @param {{ dir: string, runId?: string, jobId?: string, repository?: string }} options
 *   repository: the owner/name the REST API answers for (default octo-org/agents, run-action.mjs's GITHUB_REPOSITORY)
 */
export async function startArtifactEmulator(options) {
  const repository = options.repository ?? 'octo-org/agents'
  const firstRun = () => ({
    id: 4242,
    backendId: options.runId ?? 'run-backend-1',
    jobId: options.jobId ?? 'job-backend-1',
    jobs: new Set([options.jobId ?? 'job-backend-1'])
  })
  /** @type {WorkflowRun[]} */
  const runs = [firstRun()]
  const current = () => runs[runs.length - 1]
  mkdirSync(options.dir, { recursive: true })
  /** @type {Map<string, { name: string, mimeType?: string, expiresAt?: string, blocks: Map<string, Buffer>, size: number, sha256?: string, filePath?: string, contentType?: string, run: WorkflowRun, jobBackendId: string }>} */
  const pending = new Map()
  /** @type {StoredArtifact[]} */
  const artifacts = []
  /** @type {{ method: string, path: string, at: number }[]} */
  const requests = []
  let nextId = 1000
  let origin = ''
  /** The folder a run's artifacts are written to: the first run's straight into `dir`, as before runs were emulated. */
  const folderOf = (/** @type {WorkflowRun} */ run) => {
    const folder = run.id === 4242 ? options.dir : path.join(options.dir, `workflow-run-${run.id}`)
    mkdirSync(folder, { recursive: true })
    return folder
  }
  const runOf = (/** @type {string} */ backendId) => runs.find(run => run.backendId === backendId)
  /** The file name the signed URL's Content-Disposition gives: an archived artifact's name gets `.zip`. */
  const fileNameOf = (/** @type {StoredArtifact} */ a) =>
    isZipType(a.contentType) && !a.name.toLowerCase().endsWith('.zip') ? `${a.name}.zip` : a.name
  const signedDownloadUrl = (/** @type {StoredArtifact} */ a) =>
    `${origin}/blob/download/${a.id}?sig=emulated-read-signature&se=2099-01-01&sp=r`
  /** An artifact as the REST API describes it. */
  const restArtifact = (/** @type {StoredArtifact} */ a) => ({
    id: a.id,
    node_id: `MDg6QXJ0aWZhY3Q${a.id}`,
    name: a.name,
    size_in_bytes: a.size,
    url: `${origin}/repos/${repository}/actions/artifacts/${a.id}`,
    archive_download_url: `${origin}/repos/${repository}/actions/artifacts/${a.id}/zip`,
    expired: false,
    digest: a.hash,
    created_at: a.createdAt,
    updated_at: a.createdAt,
    expires_at: a.expiresAt ?? null,
    workflow_run: { id: a.runNumber, repository_id: 1, head_repository_id: 1, head_branch: 'main', head_sha: '0'.repeat(40) }
  })

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator')
    requests.push({ method: req.method ?? '', path: url.pathname + url.search, at: Date.now() })
    const body = await readBody(req)
    try {
      if (req.method === 'POST' && url.pathname === `${SERVICE}CreateArtifact`) {
        const request = JSON.parse(body.toString('utf8'))
        // The client sends proto field names (snake_case).
        const run = runOf(request.workflow_run_backend_id)
        // Artifacts are made by a job of the run going on, never of a finished one.
        if (run !== current() || !run.jobs.has(request.workflow_job_run_backend_id)) {
          return json(res, 400, { code: 'invalid_argument', msg: 'unknown workflow run or job' })
        }
        if (artifacts.some(a => a.name === request.name && a.runNumber === run.id) || pending.has(request.name)) {
          return json(res, 409, { code: 'already_exists', msg: 'an artifact with this name already exists on the workflow run' })
        }
        pending.set(request.name, {
          name: request.name,
          mimeType: request.mime_type,
          expiresAt: request.expires_at,
          blocks: new Map(),
          size: 0,
          run,
          jobBackendId: request.workflow_job_run_backend_id
        })
        const blob = `${origin}/blob/artifacts/${encodeURIComponent(request.name)}?sig=emulated-signature&se=2099-01-01`
        return json(res, 200, { ok: true, signed_upload_url: blob })
      }
      if (req.method === 'POST' && url.pathname === `${SERVICE}FinalizeArtifact`) {
        const request = JSON.parse(body.toString('utf8'))
        const artifact = pending.get(request.name)
        if (!artifact || !artifact.filePath) return json(res, 404, { code: 'not_found', msg: 'no uploaded artifact of that name' })
        pending.delete(request.name)
        /** @type {StoredArtifact} */
        const stored = {
          id: nextId++,
          name: artifact.name,
          mimeType: artifact.mimeType,
          expiresAt: artifact.expiresAt,
          size: artifact.size,
          sha256: artifact.sha256 ?? '',
          hash: request.hash,
          filePath: artifact.filePath,
          contentType: artifact.contentType,
          runNumber: artifact.run.id,
          runBackendId: artifact.run.backendId,
          jobBackendId: artifact.jobBackendId,
          createdAt: new Date().toISOString()
        }
        artifacts.push(stored)
        return json(res, 200, { ok: true, artifact_id: String(stored.id) })
      }
      if (req.method === 'POST' && url.pathname === `${SERVICE}ListArtifacts`) {
        const request = JSON.parse(body.toString('utf8'))
        // A job lists the artifacts of its own run; name_filter and id_filter are wrapper values (a string each).
        const listed = artifacts.filter(
          a =>
            a.runBackendId === request.workflow_run_backend_id &&
            (request.name_filter === undefined || a.name === request.name_filter) &&
            (request.id_filter === undefined || String(a.id) === String(request.id_filter))
        )
        return json(res, 200, {
          artifacts: listed.map(a => ({
            workflow_run_backend_id: a.runBackendId,
            workflow_job_run_backend_id: a.jobBackendId,
            database_id: String(a.id),
            name: a.name,
            size: String(a.size),
            created_at: a.createdAt,
            ...(a.hash ? { digest: a.hash } : {})
          }))
        })
      }
      if (req.method === 'POST' && url.pathname === `${SERVICE}GetSignedArtifactURL`) {
        const request = JSON.parse(body.toString('utf8'))
        const artifact = artifacts.find(a => a.runBackendId === request.workflow_run_backend_id && a.name === request.name)
        if (!artifact) return json(res, 404, { code: 'not_found', msg: 'artifact not found' })
        return json(res, 200, { signed_url: signedDownloadUrl(artifact) })
      }
      const downloadMatch = /^\/blob\/download\/(\d+)$/.exec(url.pathname)
      if (req.method === 'GET' && downloadMatch) {
        const artifact = artifacts.find(a => String(a.id) === downloadMatch[1])
        if (!artifact || url.searchParams.get('sig') !== 'emulated-read-signature') {
          return xml(res, artifact ? 403 : 404, artifact ? 'AuthenticationFailed' : 'BlobNotFound')
        }
        const data = readFileSync(artifact.filePath)
        const fileName = fileNameOf(artifact)
        res.writeHead(200, {
          'content-type': artifact.contentType ?? 'application/octet-stream',
          'content-length': data.length,
          'content-disposition': `attachment; filename="${fileName.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
          'x-ms-blob-type': 'BlockBlob',
          'x-ms-request-id': 'emulated',
          'x-ms-version': '2025-01-05',
          'accept-ranges': 'bytes'
        })
        return res.end(data)
      }
      const rest = /^\/repos\/([^/]+\/[^/]+)\/actions\/(?:runs\/(\d+)\/artifacts|artifacts\/(\d+)\/zip)$/.exec(url.pathname)
      if (req.method === 'GET' && rest) {
        if (!/^(token|bearer) \S+/i.test(req.headers.authorization ?? '')) return json(res, 401, { message: 'Requires authentication' })
        if (rest[1].toLowerCase() !== repository.toLowerCase()) return json(res, 404, { message: 'Not Found' })
        if (rest[2]) {
          const name = url.searchParams.get('name')
          const listed = artifacts.filter(a => String(a.runNumber) === rest[2] && (name === null || a.name === name))
          const perPage = Number(url.searchParams.get('per_page') ?? 30)
          const page = Number(url.searchParams.get('page') ?? 1)
          return json(res, 200, {
            total_count: listed.length,
            artifacts: listed.slice((page - 1) * perPage, page * perPage).map(restArtifact)
          })
        }
        const artifact = artifacts.find(a => String(a.id) === rest[3])
        if (!artifact) return json(res, 404, { message: 'Not Found' })
        res.writeHead(302, { location: signedDownloadUrl(artifact), 'content-length': 0 })
        return res.end()
      }
      const blobMatch = /^\/blob\/artifacts\/([^/]+)$/.exec(url.pathname)
      if (req.method === 'PUT' && blobMatch && url.searchParams.get('sig') === 'emulated-signature') {
        const artifact = pending.get(decodeURIComponent(blobMatch[1]))
        if (!artifact) return text(res, 404, 'BlobNotFound')
        const comp = url.searchParams.get('comp')
        if (comp === 'block') {
          artifact.blocks.set(url.searchParams.get('blockid') ?? '', body)
          return text(res, 201, '')
        }
        if (comp === 'blocklist') {
          const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map(m => m[1])
          const hash = createHash('sha256')
          const file = path.join(folderOf(artifact.run), artifact.name)
          const parts = ids.map(id => {
            const block = artifact.blocks.get(id)
            if (!block) throw new Error(`block ${id} was never staged`)
            return block
          })
          for (const part of parts) hash.update(part)
          writeFileSync(file, Buffer.concat(parts))
          artifact.size = parts.reduce((n, p) => n + p.length, 0)
          artifact.sha256 = hash.digest('hex')
          artifact.filePath = file
          artifact.contentType = header(req, 'x-ms-blob-content-type')
          artifact.blocks.clear()
          return text(res, 201, '')
        }
        if (!comp) {
          // A single-shot upload (small blobs).
          const file = path.join(folderOf(artifact.run), artifact.name)
          writeFileSync(file, body)
          artifact.contentType = header(req, 'x-ms-blob-content-type') ?? header(req, 'content-type')
          artifact.size = body.length
          artifact.sha256 = createHash('sha256').update(body).digest('hex')
          artifact.filePath = file
          return text(res, 201, '')
        }
      }
      json(res, 404, { code: 'not_found', msg: `no route ${req.method} ${url.pathname}` })
    } catch (error) {
      json(res, 500, { code: 'internal', msg: String(error) })
    }
  })

  await new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  const address = server.address()
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`

  return {
    url: origin,
    artifacts,
    requests,
    repository,
    /** The workflow run going on: its id is github.run_id. */
    get runId() {
      return current().id
    },
    /**
     * The environment the runner gives a job's actions, pointing the artifact client here: a
     * runtime token for the run going on, and for `job` (a name of the caller's) a job of its own,
     * as each job of a run has; without it, the run's first job.
     * @param {{ job?: string }} [options_]
     */
    runtimeEnv(options_ = {}) {
      const run = current()
      // A backend id is one word of the token's scope claim: no spaces (a matrix job's name has some).
      const jobId = options_.job === undefined ? run.jobId : `${run.backendId}-job-${options_.job.replace(/[^\w.-]+/g, '-')}`
      run.jobs.add(jobId)
      const encode = (/** @type {object} */ value) => Buffer.from(JSON.stringify(value)).toString('base64url')
      const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ scp: `Actions.GenericRead Actions.Results:${run.backendId}:${jobId}` })}.unsigned`
      return { ACTIONS_RUNTIME_TOKEN: token, ACTIONS_RESULTS_URL: `${origin}/` }
    },
    /**
     * Begins another workflow run: its jobs list and download only its own artifacts through the
     * runtime token, as a new run's do; earlier runs' artifacts stay for the REST API (another
     * run's artifact, downloaded with a github-token and run-id). Returns the new run's id.
     */
    startRun() {
      const n = runs.length + 1
      runs.push({ id: 4242 + runs.length, backendId: `run-backend-${n}`, jobId: `job-backend-${n}`, jobs: new Set([`job-backend-${n}`]) })
      return current().id
    },
    /** Forgets every artifact and run, as a new workflow run would start empty. */
    reset() {
      artifacts.length = 0
      pending.clear()
      requests.length = 0
      runs.splice(0, runs.length, firstRun())
    },
    close() {
      server.closeAllConnections()
      return new Promise(resolve => server.close(() => resolve(undefined)))
    }
  }
}

/** @param {import('node:http').IncomingMessage} req @returns {Promise<Buffer>} */
async function readBody(req) {
  /** @type {Buffer[]} */
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  return Buffer.concat(chunks)
}

/** @param {import('node:http').ServerResponse} res @param {number} status @param {unknown} body */
function json(res, status, body) {
  const data = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) })
  res.end(data)
}

/** @param {string | undefined} contentType */
function isZipType(contentType) {
  const type = (contentType ?? '').split(';', 1)[0].trim().toLowerCase()
  return ['application/zip', 'application/x-zip-compressed', 'application/zip-compressed'].includes(type)
}

/** @param {import('node:http').IncomingMessage} req @param {string} name @returns {string | undefined} */
function header(req, name) {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** An Azure storage error, as the blob service answers one. @param {import('node:http').ServerResponse} res @param {number} status @param {string} code */
function xml(res, status, code) {
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-ms-error-code': code })
  res.end(body)
}

/** @param {import('node:http').ServerResponse} res @param {number} status @param {string} body */
function text(res, status, body) {
  res.writeHead(status, {
    'content-type': 'text/plain',
    'content-length': Buffer.byteLength(body),
    'x-ms-request-id': 'emulated',
    'x-ms-version': '2025-01-05'
  })
  res.end(body)
}
