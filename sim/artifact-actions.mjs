// @ts-check
/**
 * actions/download-artifact and actions/upload-artifact, for sim/workflow-runner.mjs: run as a
 * runner runs a node action (`node sim/artifact-actions.mjs download|upload`, INPUT_* variables,
 * GITHUB_OUTPUT), calling the real @actions/artifact client (6.2.1, the version
 * download-artifact v8.0.1 ships) the way those actions call it, against whatever
 * ACTIONS_RESULTS_URL (and, with a github-token, GITHUB_API_URL) points at: here, the emulator.
 *
 * download: download-artifact v8.0.1's src/download-artifact.ts, for the inputs name,
 *   artifact-ids, path, github-token, repository, run-id, merge-multiple, skip-decompress and
 *   digest-mismatch. `pattern` is refused (it needs minimatch, not a dependency of this project).
 *   Versions before v8 have no skip-decompress: the workflow runner leaves it out for them.
 * upload: upload-artifact v7's inputs name, path (files or folders, one a line; no globs),
 *   archive, retention-days, compression-level, if-no-files-found; outputs artifact-id,
 *   artifact-url, artifact-digest.
 */
import * as core from '@actions/core'
import { DefaultArtifactClient } from '@actions/artifact'
import { existsSync, readdirSync, statSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

const client = new DefaultArtifactClient()

async function download() {
  const inputs = {
    name: core.getInput('name'),
    path: core.getInput('path'),
    token: core.getInput('github-token'),
    repository: core.getInput('repository') || process.env.GITHUB_REPOSITORY || '',
    runID: parseInt(core.getInput('run-id') || process.env.GITHUB_RUN_ID || ''),
    pattern: core.getInput('pattern'),
    mergeMultiple: core.getInput('merge-multiple') ? core.getBooleanInput('merge-multiple') : false,
    artifactIds: core.getInput('artifact-ids'),
    skipDecompress: core.getInput('skip-decompress') ? core.getBooleanInput('skip-decompress') : false,
    digestMismatch: core.getInput('digest-mismatch') || 'error'
  }
  if (inputs.pattern) throw new Error(`'pattern' is not emulated here (download-artifact matches it with minimatch)`)
  if (!['ignore', 'info', 'warn', 'error'].includes(inputs.digestMismatch)) {
    throw new Error(`Invalid value for 'digest-mismatch': '${inputs.digestMismatch}'. Valid options are: ignore, info, warn, error`)
  }
  if (!inputs.path) inputs.path = process.env.GITHUB_WORKSPACE || process.cwd()
  if (inputs.path.startsWith('~')) inputs.path = inputs.path.replace('~', os.homedir())
  if (inputs.name && inputs.artifactIds) {
    throw new Error(`Inputs 'name' and 'artifact-ids' cannot be used together. Please specify only one.`)
  }
  const resolvedPath = path.resolve(inputs.path)
  /** @type {import('@actions/artifact').FindOptions} */
  const options = {}
  if (inputs.token) {
    const [repositoryOwner, repositoryName] = inputs.repository.split('/')
    if (!repositoryOwner || !repositoryName) throw new Error(`Invalid repository: '${inputs.repository}'. Must be in format owner/repo`)
    options.findBy = { token: inputs.token, workflowRunId: inputs.runID, repositoryName, repositoryOwner }
  }

  /** @type {import('@actions/artifact').Artifact[]} */
  let artifacts = []
  if (inputs.name) {
    core.info('Downloading single artifact')
    const { artifact } = await client.getArtifact(inputs.name, options)
    artifacts = [artifact]
  } else {
    const { artifacts: listed } = await client.listArtifacts({ latest: true, ...options })
    if (inputs.artifactIds) {
      const ids = inputs.artifactIds
        .split(',')
        .map(id => id.trim())
        .filter(id => id !== '')
        .map(id => {
          const numeric = parseInt(id, 10)
          if (isNaN(numeric)) throw new Error(`Invalid artifact ID: '${id}'. Must be a number.`)
          return numeric
        })
      if (ids.length === 0) throw new Error(`No valid artifact IDs provided in 'artifact-ids' input`)
      artifacts = listed.filter(artifact => ids.includes(artifact.id))
      if (artifacts.length === 0) throw new Error('None of the provided artifact IDs were found')
      const missing = ids.filter(id => !artifacts.some(artifact => artifact.id === id))
      if (missing.length) core.warning(`Could not find the following artifact IDs: ${missing.join(', ')}`)
    } else {
      artifacts = listed
    }
  }

  /** @type {string[]} */
  const mismatches = []
  for (const artifact of artifacts) {
    core.info(`- ${artifact.name} (ID: ${artifact.id}, Size: ${artifact.size}, Expected Digest: ${artifact.digest})`)
    const single = !!inputs.name || inputs.mergeMultiple || artifacts.length === 1
    const { digestMismatch } = await client.downloadArtifact(artifact.id, {
      ...options,
      path: single ? resolvedPath : path.join(resolvedPath, artifact.name),
      expectedHash: artifact.digest,
      skipDecompress: inputs.skipDecompress
    })
    if (digestMismatch) mismatches.push(artifact.name)
  }
  if (mismatches.length) {
    const message = `Digest validation failed for artifact(s): ${mismatches.join(', ')}.`
    if (inputs.digestMismatch === 'error') throw new Error(`${message} Use 'digest-mismatch: warn' to continue on mismatch.`)
    if (inputs.digestMismatch === 'warn') core.warning(message)
    if (inputs.digestMismatch === 'info') core.info(message)
  }
  core.info(`Total of ${artifacts.length} artifact(s) downloaded`)
  core.setOutput('download-path', resolvedPath)
}

async function upload() {
  const name = core.getInput('name') || 'artifact'
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd()
  const paths = core
    .getInput('path', { required: true })
    .split('\n')
    .map(line => line.trim())
    .filter(line => line && !line.startsWith('#'))
  if (paths.some(p => /[*?[\]{}]|^!/.test(p))) throw new Error(`glob patterns in 'path' are not emulated here: ${paths.join(', ')}`)
  const archive = core.getInput('archive') ? core.getBooleanInput('archive') : true
  const ifNoFilesFound = core.getInput('if-no-files-found') || 'warn'
  /** @type {string[]} */
  const files = []
  const roots = []
  for (const given of paths) {
    const full = path.resolve(workspace, given)
    if (!existsSync(full)) continue
    if (statSync(full).isDirectory()) {
      roots.push(full)
      for (const entry of readdirSync(full, { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) files.push(path.join(entry.parentPath, entry.name))
      }
    } else {
      roots.push(path.dirname(full))
      files.push(full)
    }
  }
  if (files.length === 0) {
    const message = `No files were found with the provided path: ${paths.join(', ')}. No artifacts will be uploaded.`
    if (ifNoFilesFound === 'error') throw new Error(message)
    if (ifNoFilesFound === 'warn') core.warning(message)
    else core.info(message)
    return
  }
  // The least common ancestor of the paths given, as upload-artifact's search does.
  const rootDirectory = roots.reduce((common, root) => {
    while (root !== common && !root.startsWith(`${common}${path.sep}`)) common = path.dirname(common)
    return common
  })
  const retention = core.getInput('retention-days')
  const compression = core.getInput('compression-level')
  const result = await client.uploadArtifact(name, files, rootDirectory, {
    ...(retention ? { retentionDays: parseInt(retention) } : {}),
    ...(compression ? { compressionLevel: parseInt(compression) } : {}),
    ...(archive ? {} : { skipArchive: true })
  })
  core.setOutput('artifact-id', result.id)
  core.setOutput('artifact-digest', result.digest)
  const server = process.env.GITHUB_SERVER_URL || 'https://github.com'
  core.setOutput(
    'artifact-url',
    `${server}/${process.env.GITHUB_REPOSITORY}/actions/runs/${process.env.GITHUB_RUN_ID}/artifacts/${result.id}`
  )
}

const mode = process.argv[2]
const steps = { download, upload }
if (mode !== 'download' && mode !== 'upload') {
  core.setFailed(`usage: node sim/artifact-actions.mjs download|upload (got ${mode})`)
} else {
  await steps[mode]().catch(error =>
    core.setFailed(
      `${mode === 'download' ? 'Unable to download artifact(s)' : 'Upload failed'}: ${error instanceof Error ? error.message : error}`
    )
  )
}
