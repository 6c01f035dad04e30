/**
 * Keeps the export as a workflow artifact. The export is a zip already, so it is uploaded as is
 * (`skipArchive`): what a person downloads from the run page is the export itself, not a zip in
 * a zip, and no time is spent compressing it again. @actions/artifact (and its storage SDK) is
 * loaded only here, when an upload is due, to keep start-up fast.
 */
import { copyFile, link, mkdtemp, rm } from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { ActionError, errorMessage } from '../errors.js'
import { artifactFileName } from '../file-naming.js'
import type { TrackedPaths } from '../lifecycle/temporary-paths.js'

export interface UploadedArtifact {
  /** The artifact's name on the run page: the uploaded file's name. */
  name: string
  id: number
  /** The run's artifact page, built as actions/upload-artifact builds it; undefined outside a run. */
  url?: string
}

/**
 * Why an upload cannot work in this environment, or undefined. Checked before the export starts,
 * so that nobody waits ten minutes for an upload that was never possible.
 */
export function artifactServiceProblem(env: NodeJS.ProcessEnv): ActionError | undefined {
  const server = env.GITHUB_SERVER_URL || 'https://github.com'
  let hostname = ''
  try {
    hostname = new URL(server).hostname.toLowerCase()
  } catch {
    // an unreadable server URL is treated like an unknown server below
  }
  const supported = hostname === 'github.com' || hostname.endsWith('.ghe.com') || hostname.endsWith('.localhost')
  if (!supported) {
    return new ActionError(
      `Uploading artifacts is not supported on GitHub Enterprise Server (${server}): @actions/artifact v2 and later work only on github.com and GHE.com.`,
      'Set "uploadArtifact: false" and keep the file from the "filePath" output (for example with actions/upload-artifact@v3 on GHES).'
    )
  }
  const missing = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'].filter(name => !env[name])
  if (missing.length > 0) {
    return new ActionError(
      `Uploading the artifact needs the Actions runtime, but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set: this is not running as a step of a GitHub Actions job.`,
      'Run it as a workflow step, or set "uploadArtifact: false" to keep the file on this machine only.'
    )
  }
  return undefined
}

/** The run's artifact page, or undefined when the run is not known. */
export function artifactPageUrl(env: NodeJS.ProcessEnv, artifactId: number): string | undefined {
  const { GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: runId } = env
  if (!repository || !runId) return undefined
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
  return `${server}/${repository}/actions/runs/${runId}/artifacts/${artifactId}`
}

export interface UploadOptions {
  filePath: string
  artifactName: string
  retentionDays?: number
  env: NodeJS.ProcessEnv
  temporary?: TrackedPaths
}

export async function uploadExportArtifact(opts: UploadOptions): Promise<UploadedArtifact> {
  const { DefaultArtifactClient } = await import('@actions/artifact')
  const name = artifactFileName(opts.artifactName)
  // An unzipped artifact takes its file's name: give the file the artifact's name, without
  // copying it when a hard link will do.
  let staging: string | undefined
  let uploadPath = opts.filePath
  if (path.basename(opts.filePath) !== name) {
    staging = await mkdtemp(path.join(opts.env.RUNNER_TEMP || os.tmpdir(), 'koreai-upload-'))
    opts.temporary?.replace('upload', staging)
    uploadPath = path.join(staging, name)
    await link(opts.filePath, uploadPath).catch(() => copyFile(opts.filePath, uploadPath))
  }
  try {
    const client = new DefaultArtifactClient()
    const result = await client.uploadArtifact(name, [uploadPath], path.dirname(uploadPath), {
      skipArchive: true,
      retentionDays: opts.retentionDays
    })
    if (result.id === undefined) throw new Error('the artifact service returned no artifact id')
    return { name, id: result.id, url: artifactPageUrl(opts.env, result.id) }
  } catch (error) {
    throw new ActionError(
      `Uploading the artifact "${name}" failed: ${errorMessage(error)}.`,
      'If an artifact of that name already exists in this run (a matrix, or the action used twice in one job), give each a unique "artifactName"; otherwise run the job again.'
    )
  } finally {
    if (staging) await rm(staging, { recursive: true, force: true })
    opts.temporary?.replace('upload', undefined)
  }
}
