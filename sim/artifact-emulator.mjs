// @ts-check
/**
 * A loopback emulator of GitHub's artifact backend, enough for the real @actions/artifact client:
 * the Twirp JSON calls CreateArtifact and FinalizeArtifact, and the Azure block-blob upload to the
 * signed URL CreateArtifact hands out (PUT ?comp=block, then PUT ?comp=blocklist). Finished
 * artifacts are written to a folder, so tests check the bytes that arrived.
 */
import { createServer } from 'node:http'
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
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
 */

/** @param {{ dir: string, runId?: string, jobId?: string }} options */
export async function startArtifactEmulator(options) {
  const runId = options.runId ?? 'run-backend-1'
  const jobId = options.jobId ?? 'job-backend-1'
  mkdirSync(options.dir, { recursive: true })
  /** @type {Map<string, { name: string, mimeType?: string, expiresAt?: string, blocks: Map<string, Buffer>, size: number, sha256?: string, filePath?: string }>} */
  const pending = new Map()
  /** @type {StoredArtifact[]} */
  const artifacts = []
  /** @type {{ method: string, path: string, at: number }[]} */
  const requests = []
  let nextId = 1000
  let origin = ''

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://emulator')
    requests.push({ method: req.method ?? '', path: url.pathname + url.search, at: Date.now() })
    const body = await readBody(req)
    try {
      if (req.method === 'POST' && url.pathname === `${SERVICE}CreateArtifact`) {
        const request = JSON.parse(body.toString('utf8'))
        // The client sends proto field names (snake_case).
        if (request.workflow_run_backend_id !== runId || request.workflow_job_run_backend_id !== jobId) {
          return json(res, 400, { code: 'invalid_argument', msg: 'unknown workflow run or job' })
        }
        if (artifacts.some(a => a.name === request.name) || pending.has(request.name)) {
          return json(res, 409, { code: 'already_exists', msg: 'an artifact with this name already exists on the workflow run' })
        }
        pending.set(request.name, {
          name: request.name,
          mimeType: request.mime_type,
          expiresAt: request.expires_at,
          blocks: new Map(),
          size: 0
        })
        const blob = `${origin}/blob/artifacts/${encodeURIComponent(request.name)}?sig=emulated-signature&se=2099-01-01`
        return json(res, 200, { ok: true, signed_upload_url: blob })
      }
      if (req.method === 'POST' && url.pathname === `${SERVICE}FinalizeArtifact`) {
        const request = JSON.parse(body.toString('utf8'))
        const artifact = pending.get(request.name)
        if (!artifact || !artifact.filePath) return json(res, 404, { code: 'not_found', msg: 'no uploaded artifact of that name' })
        pending.delete(request.name)
        const stored = {
          id: nextId++,
          name: artifact.name,
          mimeType: artifact.mimeType,
          expiresAt: artifact.expiresAt,
          size: artifact.size,
          sha256: artifact.sha256 ?? '',
          hash: request.hash,
          filePath: artifact.filePath
        }
        artifacts.push(stored)
        return json(res, 200, { ok: true, artifact_id: String(stored.id) })
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
          const file = path.join(options.dir, artifact.name)
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
          artifact.blocks.clear()
          return text(res, 201, '')
        }
        if (!comp) {
          // A single-shot upload (small blobs).
          const file = path.join(options.dir, artifact.name)
          writeFileSync(file, body)
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
    /** The environment the runner gives a job, pointing the artifact client here. */
    runtimeEnv() {
      const encode = (/** @type {object} */ value) => Buffer.from(JSON.stringify(value)).toString('base64url')
      const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ scp: `Actions.GenericRead Actions.Results:${runId}:${jobId}` })}.unsigned`
      return { ACTIONS_RUNTIME_TOKEN: token, ACTIONS_RESULTS_URL: `${origin}/` }
    },
    /** Forgets every artifact, as a new workflow run would start empty. */
    reset() {
      artifacts.length = 0
      pending.clear()
      requests.length = 0
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
