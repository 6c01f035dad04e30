// @ts-check
/**
 * Runs a workflow's steps on this machine as a GitHub-hosted Linux runner would, for the README's
 * examples: given a workflow (or one job, or a list of steps) as YAML, it runs each job's steps in
 * order against the platform simulator and the artifact emulator, and says what each step did.
 *
 * What it runs, and how:
 * - `uses:` of this action (`<owner>/<repo>@<ref>` for a repository named in `actionRepositories`,
 *   `<owner>/<repo>/import@<ref>`, `./`, `./import`): the committed bundle, through
 *   sim/run-action.mjs's startAction, with `with:` evaluated (action.yml's defaults are applied
 *   there). `<owner>/<repo>/deploy@<ref>` and `./deploy`: dist/deploy/index.js, recorded as not
 *   run while that bundle does not exist.
 * - `actions/download-artifact@*` and `actions/upload-artifact@*`: sim/artifact-actions.mjs, the
 *   real @actions/artifact client as those actions call it. Before v8, download-artifact has no
 *   skip-decompress (a zip artifact is always unpacked): given one, it is reported as an
 *   unexpected input and not passed, as a runner would.
 * - `actions/checkout@*`: nothing (the caller gives the repository's files); `actions/setup-node@*`:
 *   the Node the bundle runs on (options.node) first on PATH for the steps after it. Their inputs
 *   are recorded.
 * - Any other action: recorded with its evaluated inputs, not run; the job goes on.
 * - `run:`: bash (or sh) with the runner's variables, the workflow's, job's and step's `env:`,
 *   GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH and GITHUB_STEP_SUMMARY files, in the workspace (or the
 *   step's working-directory). Processes a step leaves behind are killed when its job ends, as the
 *   runner's orphan clean-up does.
 * - `if:` (wrapped in success() unless it calls a status function), `continue-on-error`, `env:` at
 *   every level, `defaults.run`, job `outputs:`, `needs:` (jobs run one at a time, in order; a job
 *   whose `if:` is false, or whose needs did not succeed, is skipped), a `strategy.matrix` of lists
 *   (every combination runs, or those the caller picks), environment-scoped `vars` and `secrets`,
 *   workflow_dispatch `inputs` with their defaults.
 * - Expressions: sim/workflow-expressions.mjs.
 *
 * What it refuses, with an error that names it: reusable workflows, containers and services, a
 * matrix with include or exclude, docker and other local actions, a shell other than bash and sh,
 * and any expression syntax that module does not support.
 *
 * What it reports besides each step's outcome: every reference to something that is not there
 * (`missing`: a secret, a variable, an input, a step output no step set and no action declares...),
 * every unexpected input given to an action (`warnings`), and every value read from a step's or a
 * job's outputs (`reads`), so a test notices an example that reads nothing.
 */
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { parse } from 'yaml'
import { ExpressionError, condition, evaluate, expressionsIn, interpolate, truthy } from './workflow-expressions.mjs'
import { ROOT, parseOutputs, readActionYml, startAction } from './run-action.mjs'

export { ExpressionError }

/** The node actions in sim/ that stand in for actions/download-artifact and actions/upload-artifact. */
export const ARTIFACT_ACTIONS = path.join(ROOT, 'sim', 'artifact-actions.mjs')
const DEPLOY = { bundle: path.join(ROOT, 'dist', 'deploy', 'index.js'), actionYml: path.join(ROOT, 'deploy', 'action.yml') }

/**
 * @typedef {object} RunOptions
 * @property {string} dir      a folder for the jobs' workspaces, temp folders and step files (made; the caller removes it)
 * @property {string} node     the Node that runs node actions (action.yml's runs.using: node24)
 * @property {string[]} [actionRepositories]  the `<owner>/<repo>` names that are this action (default koreai-tool-export/action)
 * @property {Record<string, string>} [secrets]
 * @property {Record<string, string>} [vars]
 * @property {Record<string, { secrets?: Record<string, string>, vars?: Record<string, string> }>} [environments]
 *   a job's `environment:` adds its secrets and variables over the repository's
 * @property {Record<string, string>} [inputs]  workflow_dispatch inputs (their defaults from the workflow otherwise)
 * @property {string} [event]   github.event_name (default: the workflow's first trigger, else push)
 * @property {Record<string, string | number>} [github]  github context values over the defaults (ref, sha, run_id, run_number...)
 * @property {Record<string, string>} [env]  the runner machine's environment, for every step (e.g. a proxy)
 * @property {(job: string) => Record<string, string>} [runtimeEnv]  what the runner gives a job's actions
 *   (ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL), e.g. the artifact emulator's runtimeEnv
 * @property {Record<string, string | Buffer>} [repository]  files (relative path -> content) every job's
 *   workspace starts with, as after actions/checkout
 * @property {Record<string, string | number | boolean>} [matrix]  run only the matrix combinations with these values
 * @property {(step: { job: string, index: number, uses?: string, name: string, env: Record<string, string>, inputs: Record<string, unknown> }) => string | undefined} [cannotRun]
 *   a reason to stop before a step that cannot run here (it is recorded, with the job's remaining steps, as not run);
 *   it is asked once the step's `if:` held, with the step's evaluated env and its `with:` as written
 * @property {number} [stepTimeoutMs]  a step still running after this is killed (default 120 s)
 * @property {(line: string) => void} [log]
 */

/**
 * @typedef {object} StepResult
 * @property {number} index
 * @property {string} [id]
 * @property {string} name
 * @property {'action' | 'deploy' | 'download-artifact' | 'upload-artifact' | 'checkout' | 'setup-node' | 'recorded' | 'run'} kind
 * @property {string} [uses]
 * @property {Record<string, string>} [inputs]  evaluated `with:`
 * @property {string} [script]   evaluated `run:`
 * @property {Record<string, string>} env   evaluated `env:` of the step
 * @property {'success' | 'failure' | 'skipped'} outcome
 * @property {'success' | 'failure' | 'skipped'} conclusion
 * @property {Record<string, string>} outputs
 * @property {number | null} [code]
 * @property {string} stdout
 * @property {string} stderr
 * @property {string} summary
 * @property {string[]} errors     `::error::` lines' messages
 * @property {string[]} warnings   `::warning::` lines' messages, and the runner's own (unexpected inputs)
 * @property {{ path: string, value: unknown }[]} reads   step and job outputs read while evaluating this step
 * @property {string} [notRun]   why it did not run although its `if:` held (recorded action, cannot run here)
 */

/**
 * @typedef {object} JobResult
 * @property {string} id
 * @property {string} key   the id, and the matrix values of its combination
 * @property {Record<string, unknown>} matrix
 * @property {'success' | 'failure' | 'skipped'} result
 * @property {Record<string, string>} outputs
 * @property {StepResult[]} steps
 * @property {string} workspace
 * @property {string} runnerTemp
 * @property {string} [environment]
 */

/**
 * @typedef {object} WorkflowResult
 * @property {'success' | 'failure'} result   failure when a job failed
 * @property {JobResult[]} jobs
 * @property {string[]} missing    `where: path` of each reference to nothing
 * @property {string[]} warnings   `where: message` of each warning the runner gave
 */

/** Step keys it reads; timeout-minutes is accepted and has no effect here (RunOptions.stepTimeoutMs applies). */
const STEP_KEYS = ['id', 'name', 'uses', 'with', 'run', 'shell', 'env', 'if', 'continue-on-error', 'working-directory', 'timeout-minutes']
/** Job keys it reads; runs-on, permissions, concurrency, timeout-minutes and name are accepted and have no effect here. */
const JOB_KEYS = [
  'name',
  'runs-on',
  'needs',
  'if',
  'steps',
  'env',
  'outputs',
  'strategy',
  'environment',
  'permissions',
  'timeout-minutes',
  'concurrency',
  'defaults'
]
const WORKFLOW_KEYS = ['name', 'run-name', 'on', 'permissions', 'env', 'defaults', 'concurrency', 'jobs']

/** Inputs of the actions the runner stands in for, by major version where they changed. */
const KNOWN_INPUTS = {
  /** @param {number} major */
  'download-artifact': major => [
    'name',
    'path',
    'pattern',
    'merge-multiple',
    'github-token',
    'repository',
    'run-id',
    'artifact-ids',
    ...(major >= 8 ? ['skip-decompress', 'digest-mismatch'] : [])
  ],
  /** @param {number} major */
  'upload-artifact': major => [
    'name',
    'path',
    'if-no-files-found',
    'retention-days',
    'compression-level',
    'overwrite',
    'include-hidden-files',
    ...(major >= 7 ? ['archive'] : [])
  ],
  checkout: (/** @type {number} */ _major) => [
    'repository',
    'ref',
    'token',
    'ssh-key',
    'ssh-known-hosts',
    'ssh-strict',
    'ssh-user',
    'persist-credentials',
    'path',
    'clean',
    'filter',
    'sparse-checkout',
    'sparse-checkout-cone-mode',
    'fetch-depth',
    'fetch-tags',
    'show-progress',
    'lfs',
    'submodules',
    'set-safe-directory',
    'github-server-url'
  ],
  'setup-node': (/** @type {number} */ _major) => [
    'node-version',
    'node-version-file',
    'architecture',
    'check-latest',
    'registry-url',
    'scope',
    'token',
    'cache',
    'package-manager-cache',
    'cache-dependency-path',
    'mirror',
    'mirror-token',
    'always-auth'
  ]
}

/** The newest major versions the runner knows; a ref that is not `v<major>` (a commit) is taken as these. */
const LATEST = { 'download-artifact': 8, 'upload-artifact': 7 }

/**
 * Reads workflow YAML (a workflow, a job, or a list of steps) into a workflow of one or more jobs.
 * @param {string | Record<string, unknown> | unknown[]} source
 * @returns {{ name?: string, on?: unknown, env?: Record<string, unknown>, defaults?: Record<string, any>, jobs: Record<string, Record<string, any>> }}
 */
export function readWorkflow(source) {
  const value = typeof source === 'string' ? parse(source) : source
  if (Array.isArray(value)) return { jobs: { job: { steps: value } } }
  if (!value || typeof value !== 'object') throw new Error('a workflow, a job or a list of steps was expected')
  const object = /** @type {Record<string, any>} */ (value)
  if ('jobs' in object) {
    const unknown = Object.keys(object).filter(key => !WORKFLOW_KEYS.includes(key))
    if (unknown.length) throw new Error(`workflow keys not supported here: ${unknown.join(', ')}`)
    return /** @type {any} */ (object)
  }
  if ('steps' in object) return { jobs: { job: object } }
  throw new Error('a workflow (jobs:), a job (steps:) or a list of steps was expected')
}

/**
 * Runs every job of a workflow, in the order of their needs.
 * @param {string | Record<string, unknown> | unknown[]} source @param {RunOptions} options
 * @returns {Promise<WorkflowResult>}
 */
export async function runWorkflow(source, options) {
  const workflow = readWorkflow(source)
  const log = options.log ?? (() => {})
  const repositories = (options.actionRepositories ?? ['koreai-tool-export/action']).map(name => name.toLowerCase())
  const event = options.event ?? firstTrigger(workflow.on) ?? 'push'
  const inputs = dispatchInputs(workflow.on, options.inputs ?? {})
  const ref = String(options.github?.ref ?? 'refs/heads/main')
  /** @type {Record<string, unknown>} */
  const github = {
    repository: 'octo-org/agents',
    repository_owner: 'octo-org',
    ref,
    ref_name: ref.replace(/^refs\/(heads|tags)\//, ''),
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    sha: '3f1c2b4a5d6e7f8091a2b3c4d5e6f708192a3b4c',
    run_id: '4242',
    run_number: '17',
    run_attempt: '1',
    event_name: event,
    actor: 'octocat',
    server_url: 'https://github.com',
    api_url: 'https://api.github.com',
    token: 'ghs_emulatedWorkflowToken0123456789',
    ...Object.fromEntries(Object.entries(options.github ?? {}).map(([name, value]) => [name, String(value)]))
  }
  /** @type {WorkflowResult} */
  const result = { result: 'success', jobs: [], missing: [], warnings: [] }
  /** @type {Record<string, { result: string, outputs: Record<string, string>, declared: string[] }>} */
  const needs = {}
  const workflowLevel = { github, inputs, vars: options.vars ?? {}, secrets: options.secrets ?? {} }
  /** @type {Record<string, string>} */
  const workflowEnv = {}
  for (const [name, value] of Object.entries(workflow.env ?? {})) {
    const onMissing = (/** @type {string} */ reference) => result.missing.push(`workflow env.${name}: ${reference}`)
    workflowEnv[name] = valueText(value, { contexts: { ...workflowLevel, env: workflowEnv }, onMissing }, `env.${name}`)
  }

  for (const jobId of jobOrder(workflow.jobs)) {
    const job = workflow.jobs[jobId]
    const unknown = Object.keys(job).filter(key => !JOB_KEYS.includes(key))
    if (unknown.length) throw new Error(`job ${jobId}: keys not supported here: ${unknown.join(', ')}`)
    const jobNeeds = [job.needs ?? []].flat().map(String)
    const needsContext = Object.fromEntries(jobNeeds.map(id => [id, { result: needs[id].result, outputs: needs[id].outputs }]))
    const needsOk = jobNeeds.every(id => needs[id].result === 'success')
    const needsFailed = jobNeeds.some(id => needs[id].result === 'failure')
    const missingIn = (/** @type {string} */ where) => (/** @type {string} */ reference) => {
      const match = /^needs\.([^.]+)\.outputs\.(.+)$/.exec(reference)
      if (match && needs[match[1]]?.declared.includes(match[2])) return
      result.missing.push(`${where}: ${reference}`)
    }
    const jobIf = condition(job.if, {
      contexts: { github, needs: needsContext, vars: options.vars ?? {}, inputs },
      status: { success: needsOk, failure: needsFailed, cancelled: false },
      onMissing: missingIn(`job ${jobId} if`)
    })
    const combinations = matrixOf(job.strategy, jobId, { contexts: { github, needs: needsContext, vars: options.vars ?? {}, inputs } })
    const picked = combinations.filter(combination =>
      Object.entries(options.matrix ?? {}).every(([name, value]) => !(name in combination) || String(combination[name]) === String(value))
    )
    if (picked.length === 0) throw new Error(`job ${jobId}: no matrix combination has ${JSON.stringify(options.matrix)}`)
    /** @type {Record<string, string>} */
    const jobOutputs = {}
    let jobResult = /** @type {'success' | 'failure' | 'skipped'} */ ('skipped')
    for (const matrix of picked) {
      const key = Object.keys(matrix).length ? `${jobId} (${Object.values(matrix).join(', ')})` : jobId
      const folder = path.join(options.dir, key.replace(/[^\w.-]+/g, '-'))
      const workspace = path.join(folder, 'workspace')
      const runnerTemp = path.join(folder, 'runner-temp')
      mkdirSync(workspace, { recursive: true })
      mkdirSync(runnerTemp, { recursive: true })
      for (const [file, content] of Object.entries(options.repository ?? {})) {
        mkdirSync(path.dirname(path.join(workspace, file)), { recursive: true })
        writeFileSync(path.join(workspace, file), content)
      }
      /** @type {JobResult} */
      const jobRun = {
        id: jobId,
        key,
        matrix,
        result: 'skipped',
        outputs: {},
        steps: [],
        workspace,
        runnerTemp,
        ...(job.environment ? { environment: String(typeof job.environment === 'object' ? job.environment.name : job.environment) } : {})
      }
      result.jobs.push(jobRun)
      if (!jobIf) {
        log(`job ${key}: skipped (if: false, or a need did not succeed)`)
        continue
      }
      log(`job ${key}`)
      const scoped = jobRun.environment ? (options.environments?.[jobRun.environment] ?? {}) : {}
      const jobContext = new Job({
        options,
        repositories,
        result,
        jobRun,
        github: { ...github, workspace, job: jobId },
        inputs,
        needs: needsContext,
        declaredNeeds: needs,
        matrix,
        vars: { ...(options.vars ?? {}), ...(scoped.vars ?? {}) },
        secrets: { ...(options.secrets ?? {}), ...(scoped.secrets ?? {}) },
        workflowEnv,
        defaults: { ...(workflow.defaults?.run ?? {}), ...(job.defaults?.run ?? {}) },
        log
      })
      await jobContext.run(job)
      for (const [name, value] of Object.entries(job.outputs ?? {})) {
        const text = valueText(value, jobContext.scope({}, `job ${key} outputs.${name}`), `outputs.${name}`)
        // A matrix job's outputs: the last combination that set one wins.
        if (text !== '' || !(name in jobOutputs)) jobOutputs[name] = text
        jobRun.outputs[name] = text
      }
      if (jobRun.result === 'failure' || jobResult !== 'failure') jobResult = jobRun.result
    }
    needs[jobId] = { result: jobResult, outputs: jobOutputs, declared: Object.keys(job.outputs ?? {}) }
    if (jobResult === 'failure') result.result = 'failure'
  }
  return result
}

/** One job's run: its contexts, its steps, its processes. */
class Job {
  /**
   * @param {{ options: RunOptions, repositories: string[], result: WorkflowResult, jobRun: JobResult,
   *           github: Record<string, unknown>, inputs: Record<string, string>, needs: Record<string, unknown>,
   *           declaredNeeds: Record<string, { declared: string[] }>, matrix: Record<string, unknown>,
   *           vars: Record<string, string>, secrets: Record<string, string>, workflowEnv: Record<string, string>,
   *           defaults: Record<string, string>, log: (line: string) => void }} context
   */
  constructor(context) {
    this.c = context
    /** @type {Record<string, string>} the job's env: workflow's, job's, then what steps wrote to GITHUB_ENV */
    this.env = { ...context.workflowEnv }
    /** @type {string[]} folders steps added to GITHUB_PATH */
    this.paths = []
    /** @type {Record<string, { outputs: Record<string, string>, outcome: string, conclusion: string }>} */
    this.steps = {}
    /** @type {Record<string, string[]>} the outputs each step's action declares, by step id */
    this.declared = {}
    this.failed = false
    /** @type {number[]} process groups of run steps, killed when the job ends */
    this.groups = []
  }

  /**
   * The contexts for an expression of this job, and where to report what it reads.
   * @param {Record<string, string>} stepEnv @param {string} where @param {StepResult} [step]
   * @returns {import('./workflow-expressions.mjs').Scope}
   */
  scope(stepEnv, where, step) {
    const { c } = this
    return {
      contexts: {
        github: c.github,
        env: { ...this.env, ...stepEnv },
        vars: c.vars,
        secrets: c.secrets,
        inputs: c.inputs,
        steps: this.steps,
        needs: c.needs,
        matrix: c.matrix,
        runner: {
          os: 'Linux',
          arch: 'X64',
          name: 'GitHub Actions 1',
          temp: c.jobRun.runnerTemp,
          tool_cache: '/opt/hostedtoolcache',
          environment: 'github-hosted'
        },
        job: { status: this.failed ? 'failure' : 'success' }
      },
      status: { success: !this.failed, failure: this.failed, cancelled: false },
      onMissing: reference => {
        const output = /^steps\.([^.]+)\.outputs\.(.+)$/.exec(reference)
        if (output && this.declared[output[1]]?.includes(output[2])) return
        const need = /^needs\.([^.]+)\.outputs\.(.+)$/.exec(reference)
        if (need && c.declaredNeeds[need[1]]?.declared.includes(need[2])) return
        c.result.missing.push(`${where}: ${reference}`)
      },
      onRead: (reference, value) => {
        if (step && /^(steps|needs)\./.test(reference)) step.reads.push({ path: reference, value })
      }
    }
  }

  /** @param {Record<string, any>} job */
  async run(job) {
    const { c } = this
    const jobScope = {
      contexts: { github: c.github, needs: c.needs, matrix: c.matrix, vars: c.vars, secrets: c.secrets, inputs: c.inputs, env: this.env }
    }
    for (const [name, value] of Object.entries(job.env ?? {})) {
      this.env[name] = valueText(
        value,
        { ...jobScope, onMissing: this.scope({}, `job ${c.jobRun.key} env.${name}`).onMissing },
        `env.${name}`
      )
    }
    /** @type {string | undefined} */
    let stopped
    try {
      for (const [index, raw] of (job.steps ?? []).entries()) {
        const step = /** @type {Record<string, any>} */ (raw)
        const unknown = Object.keys(step).filter(key => !STEP_KEYS.includes(key))
        if (unknown.length) throw new Error(`job ${c.jobRun.key}, step ${index + 1}: keys not supported here: ${unknown.join(', ')}`)
        if (step.uses !== undefined && step.run !== undefined) throw new Error(`job ${c.jobRun.key}, step ${index + 1}: both uses and run`)
        const id = step.id === undefined ? undefined : String(step.id)
        /** @type {StepResult} */
        const record = {
          index,
          ...(id ? { id } : {}),
          name: '',
          kind: step.run !== undefined ? 'run' : 'recorded',
          ...(step.uses !== undefined ? { uses: String(step.uses) } : {}),
          env: {},
          outcome: 'skipped',
          conclusion: 'skipped',
          outputs: {},
          stdout: '',
          stderr: '',
          summary: '',
          errors: [],
          warnings: [],
          reads: []
        }
        c.jobRun.steps.push(record)
        const where = `job ${c.jobRun.key}, step ${index + 1}${id ? ` (${id})` : ''}`
        try {
          const scope = this.scope({}, where, record)
          record.name = step.name !== undefined ? interpolate(String(step.name), scope) : defaultName(step)
          // What a uses: names is known (or refused) whether or not the step runs.
          if (step.uses !== undefined) {
            const target = this.resolve(String(step.uses), where)
            record.kind = target.kind
            // Its outputs are known from its action.yml, set or not, run or skipped.
            if (id) this.declared[id] = declaredOutputs(target)
          }
          if (stopped) {
            record.notRun = stopped
            continue
          }
          if (!condition(step.if, scope)) {
            this.settle(id, record)
            c.log(`  ${record.name}: skipped`)
            continue
          }
          for (const [name, value] of Object.entries(step.env ?? {})) {
            record.env[name] = valueText(value, this.scope(record.env, where, record), `env.${name}`)
          }
          const reason = c.options.cannotRun?.({
            job: c.jobRun.key,
            index,
            uses: record.uses,
            name: record.name,
            env: record.env,
            inputs: /** @type {Record<string, unknown>} */ (step.with ?? {})
          })
          if (reason) {
            stopped = reason
            record.notRun = reason
            c.log(`  ${record.name}: cannot run here (${reason})`)
            continue
          }
          const stepScope = this.scope(record.env, where, record)
          await (step.run !== undefined ? this.runScript(step, record, stepScope) : this.runAction(step, record, stepScope, where))
          if (record.outcome === 'failure') {
            const keepGoing = step['continue-on-error'] !== undefined && truthy(evaluateValue(step['continue-on-error'], stepScope))
            record.conclusion = keepGoing ? 'success' : 'failure'
            if (!keepGoing) this.failed = true
          } else record.conclusion = record.outcome
          for (const warning of record.warnings) c.result.warnings.push(`${where}: ${warning}`)
          this.settle(id, record)
          c.log(`  ${record.name}: ${record.outcome}${record.notRun ? ` (not run: ${record.notRun})` : ''}`)
        } catch (error) {
          if (error instanceof ExpressionError) throw new ExpressionError(`${where}: ${error.message}`)
          throw error
        }
      }
    } finally {
      for (const group of this.groups) {
        try {
          process.kill(-group, 'SIGKILL')
        } catch {
          // The group has already ended.
        }
      }
      // A killed process is gone only once the system has taken it down: the job ends after that.
      await Promise.all(this.groups.map(group => groupEnded(group)))
    }
    c.jobRun.result = this.failed ? 'failure' : 'success'
  }

  /** @param {string | undefined} id @param {StepResult} record */
  settle(id, record) {
    if (id) this.steps[id] = { outputs: record.outputs, outcome: record.outcome, conclusion: record.conclusion }
  }

  /** The environment every process of a step gets from the runner. @param {Record<string, string>} files */
  runnerEnv(files) {
    const { c } = this
    const g = c.github
    return {
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: String(g.workspace),
      GITHUB_REPOSITORY: String(g.repository),
      GITHUB_REPOSITORY_OWNER: String(g.repository_owner),
      GITHUB_RUN_ID: String(g.run_id),
      GITHUB_RUN_NUMBER: String(g.run_number),
      GITHUB_RUN_ATTEMPT: String(g.run_attempt),
      GITHUB_SHA: String(g.sha),
      GITHUB_REF: String(g.ref),
      GITHUB_REF_NAME: String(g.ref_name),
      GITHUB_REF_TYPE: String(g.ref_type),
      GITHUB_EVENT_NAME: String(g.event_name),
      GITHUB_JOB: String(g.job),
      GITHUB_ACTOR: String(g.actor),
      GITHUB_SERVER_URL: String(g.server_url),
      GITHUB_API_URL: String(g.api_url),
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_TEMP: c.jobRun.runnerTemp,
      ...files
    }
  }

  /** The runner machine's own environment: this machine's, hermetic, and what the caller gives. */
  machineEnv() {
    return { ...hermetic(), ...(this.c.options.env ?? {}) }
  }

  /** The files a step's commands write to, made empty. @param {number} index */
  stepFiles(index) {
    const folder = path.join(path.dirname(this.c.jobRun.workspace), 'steps', String(index + 1))
    mkdirSync(folder, { recursive: true })
    const files = {
      GITHUB_OUTPUT: path.join(folder, 'output.txt'),
      GITHUB_ENV: path.join(folder, 'env.txt'),
      GITHUB_PATH: path.join(folder, 'path.txt'),
      GITHUB_STEP_SUMMARY: path.join(folder, 'summary.md')
    }
    for (const file of Object.values(files)) writeFileSync(file, '')
    return { folder, files }
  }

  /** What a step wrote to GITHUB_ENV and GITHUB_PATH, for the steps after it. @param {Record<string, string>} files */
  takeEnvFiles(files) {
    Object.assign(this.env, parseOutputs(readFileSync(files.GITHUB_ENV, 'utf8')))
    const added = readFileSync(files.GITHUB_PATH, 'utf8').split('\n').filter(Boolean)
    this.paths.unshift(...added.reverse())
  }

  /** PATH with the folders steps added in front. @param {string | undefined} base */
  pathWith(base) {
    return [...this.paths, base ?? process.env.PATH ?? ''].join(path.delimiter)
  }

  /**
   * @param {Record<string, any>} step @param {StepResult} record
   * @param {import('./workflow-expressions.mjs').Scope} scope
   */
  async runScript(step, record, scope) {
    const { c } = this
    const script = interpolate(String(step.run), scope)
    record.script = script
    const shell = step.shell !== undefined ? String(step.shell) : c.defaults.shell
    /** @type {string[]} */
    let command
    if (shell === undefined)
      command = ['bash', '-e'] // the runner's default on Linux: bash -e {0}
    else if (shell === 'bash') command = ['bash', '--noprofile', '--norc', '-eo', 'pipefail']
    else if (shell === 'sh') command = ['sh', '-e']
    else throw new Error(`shell "${shell}" is not supported here (bash or sh)`)
    const workingDirectory = step['working-directory'] ?? c.defaults['working-directory']
    const cwd = path.resolve(c.jobRun.workspace, workingDirectory === undefined ? '.' : interpolate(String(workingDirectory), scope))
    const { folder, files } = this.stepFiles(record.index)
    const file = path.join(c.jobRun.runnerTemp, `${randomUUID()}.sh`)
    writeFileSync(file, script)
    /** @type {Record<string, string>} */
    const env = { ...this.machineEnv(), ...this.env, ...record.env, ...this.runnerEnv(files) }
    env.PATH = this.pathWith(env.PATH)
    const child = spawn(command[0], [...command.slice(1), file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    if (child.pid) this.groups.push(child.pid)
    const ended = await ending(child, c.options.stepTimeoutMs ?? 120_000)
    record.code = ended.code
    record.stdout = ended.stdout
    record.stderr = ended.stderr
    record.outcome = ended.code === 0 ? 'success' : 'failure'
    this.finish(record, files, folder)
  }

  /**
   * Reads back what a step left: outputs, summary, annotations, and GITHUB_ENV/GITHUB_PATH.
   * @param {StepResult} record @param {Record<string, string>} files @param {string} _folder
   */
  finish(record, files, _folder) {
    Object.assign(record.outputs, parseOutputs(readFileSync(files.GITHUB_OUTPUT, 'utf8')))
    // The deprecated ::set-output command, as @actions/core writes it without GITHUB_OUTPUT.
    for (const match of record.stdout.matchAll(/^::set-output name=([^:]+)::(.*)$/gm)) record.outputs[match[1]] = match[2]
    record.summary = readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8')
    for (const match of record.stdout.matchAll(/^::(error|warning)(?: [^:]*)?::(.*)$/gm)) {
      ;(match[1] === 'error' ? record.errors : record.warnings).push(match[2])
    }
    this.takeEnvFiles(files)
  }

  /**
   * @param {Record<string, any>} step @param {StepResult} record
   * @param {import('./workflow-expressions.mjs').Scope} scope @param {string} where
   */
  async runAction(step, record, scope, where) {
    const { c } = this
    const uses = String(step.uses)
    /** @type {Record<string, string>} */
    const inputs = {}
    for (const [name, value] of Object.entries(step.with ?? {})) inputs[name] = valueText(value, scope, `with.${name}`)
    record.inputs = inputs
    const target = this.resolve(uses, where)
    record.kind = target.kind
    if (target.kind === 'recorded' || target.kind === 'checkout' || target.kind === 'setup-node') {
      if (target.kind !== 'recorded') this.unexpected(record, inputs, KNOWN_INPUTS[target.kind](0))
      if (target.kind === 'recorded') record.notRun = 'a third-party action: recorded with its inputs, not run'
      // setup-node puts its Node first on PATH: here, the Node the bundle runs on.
      if (target.kind === 'setup-node') this.paths.unshift(path.dirname(c.options.node))
      record.outcome = 'success'
      return
    }
    const { folder, files } = this.stepFiles(record.index)
    const runtime = c.options.runtimeEnv?.(c.jobRun.key) ?? {}
    /** @type {Record<string, string | undefined>} */
    const machine = this.machineEnv()
    /** @type {Record<string, string>} */
    const env = { ...machine, ...this.env, ...record.env, ...runtime, ...this.runnerEnv(files) }
    env.PATH = this.pathWith(machine.PATH)
    /** @type {Parameters<typeof startAction>[0]} */
    let start
    if (target.kind === 'action') {
      const declared = readActionYml(target.entry)
      this.unexpected(record, inputs, Object.keys(declared.inputs))
      start = {
        entry: target.entry,
        inputs,
        env,
        node: c.options.node,
        workspace: c.jobRun.workspace,
        runnerTemp: c.jobRun.runnerTemp,
        base: folder
      }
    } else if (target.kind === 'deploy') {
      if (!existsSync(DEPLOY.bundle) || !existsSync(DEPLOY.actionYml)) {
        record.notRun = 'dist/deploy/index.js (or deploy/action.yml) does not exist yet'
        record.outcome = 'skipped'
        return
      }
      const declared = parse(readFileSync(DEPLOY.actionYml, 'utf8'))
      const declaredInputs = /** @type {Record<string, { default?: unknown }>} */ (declared.inputs ?? {})
      this.unexpected(record, inputs, Object.keys(declaredInputs))
      const withDefaults = { ...defaultsOf(declaredInputs), ...inputs }
      start = {
        args: [DEPLOY.bundle],
        inputs: withDefaults,
        env: { ...withoutExportDefaults(withDefaults), ...env },
        node: c.options.node,
        workspace: c.jobRun.workspace,
        runnerTemp: c.jobRun.runnerTemp,
        base: folder
      }
    } else {
      const artifactAction = /** @type {{ kind: 'download-artifact' | 'upload-artifact', major: number }} */ (target)
      const known = KNOWN_INPUTS[artifactAction.kind](artifactAction.major)
      this.unexpected(record, inputs, known)
      const given = Object.fromEntries(Object.entries(inputs).filter(([name]) => known.includes(name)))
      start = {
        ...artifactActionRun(target.kind === 'download-artifact' ? 'download' : 'upload', given),
        env: { ...withoutExportDefaults(given), ...env },
        node: c.options.node,
        workspace: c.jobRun.workspace,
        runnerTemp: c.jobRun.runnerTemp,
        base: folder
      }
    }
    const ran = await startAction({ ...start, killAfterMs: c.options.stepTimeoutMs ?? 120_000 }).done
    record.code = ran.code
    record.stdout = ran.stdout
    record.stderr = ran.stderr
    record.outcome = ran.code === 0 ? 'success' : 'failure'
    this.finish(record, files, folder)
  }

  /**
   * Which action a `uses:` names.
   * @param {string} uses @param {string} where
   * @returns {{ kind: 'action', entry: 'export' | 'import' } | { kind: 'deploy' } | { kind: 'download-artifact' | 'upload-artifact', major: number }
   *   | { kind: 'checkout' | 'setup-node' | 'recorded' }}
   */
  resolve(uses, where) {
    if (uses.startsWith('docker://')) throw new Error(`${where}: docker actions are not supported here (${uses})`)
    const local = /^\.\/?(import|deploy)?\/?$/.exec(uses)
    if (uses.startsWith('./')) {
      if (!local) throw new Error(`${where}: the local action ${uses} is not one of this repository's entries (./, ./import, ./deploy)`)
      return local[1] === 'deploy' ? { kind: 'deploy' } : { kind: 'action', entry: local[1] === 'import' ? 'import' : 'export' }
    }
    const match = /^([^/@\s]+)\/([^/@\s]+)((?:\/[^@\s]+)?)@(\S+)$/.exec(uses)
    if (!match) throw new Error(`${where}: "uses: ${uses}" is not <owner>/<repo>[/path]@<ref>`)
    const [, owner, repo, subpath, ref] = match
    const name = `${owner}/${repo}`.toLowerCase()
    if (this.c.repositories.includes(name)) {
      if (subpath === '') return { kind: 'action', entry: 'export' }
      if (subpath === '/import') return { kind: 'action', entry: 'import' }
      if (subpath === '/deploy') return { kind: 'deploy' }
      throw new Error(`${where}: ${uses} names no entry of this action (/, /import, /deploy)`)
    }
    if (name === 'actions/download-artifact' || name === 'actions/upload-artifact') {
      const kind = name === 'actions/download-artifact' ? 'download-artifact' : 'upload-artifact'
      const major = /^v(\d+)/.exec(ref)
      return { kind, major: major ? Number(major[1]) : LATEST[kind] }
    }
    if (name === 'actions/checkout' && subpath === '') return { kind: 'checkout' }
    if (name === 'actions/setup-node' && subpath === '') return { kind: 'setup-node' }
    return { kind: 'recorded' }
  }

  /**
   * The runner's warning for inputs an action does not declare (it still passes them on).
   * @param {StepResult} record @param {Record<string, string>} inputs @param {string[]} known
   */
  unexpected(record, inputs, known) {
    const lower = known.map(name => name.toLowerCase())
    const extra = Object.keys(inputs).filter(name => !lower.includes(name.toLowerCase()))
    if (extra.length) {
      record.warnings.push(
        `Unexpected input(s) ${extra.map(name => `'${name}'`).join(', ')}, valid inputs are [${known.map(name => `'${name}'`).join(', ')}]`
      )
    }
  }
}

/**
 * A YAML value of `with:`, `env:` or `outputs:` as the text the runner passes on: scalars as text,
 * each `${{ }}` evaluated.
 * @param {unknown} value @param {import('./workflow-expressions.mjs').Scope} scope @param {string} what
 */
function valueText(value, scope, what) {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return interpolate(value, scope)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  throw new Error(`${what} must be a string, a number or a boolean, not ${JSON.stringify(value)}`)
}

/** A YAML value that may be one expression (continue-on-error): its value. @param {unknown} value @param {import('./workflow-expressions.mjs').Scope} scope */
function evaluateValue(value, scope) {
  if (typeof value !== 'string') return /** @type {import('./workflow-expressions.mjs').Value} */ (value ?? null)
  const parts = expressionsIn(value.trim())
  if (parts.length === 1 && parts[0].start === 0 && parts[0].end === value.trim().length) return evaluate(parts[0].expression, scope)
  return interpolate(value, scope)
}

/** The name GitHub shows for a step without one. @param {Record<string, any>} step */
function defaultName(step) {
  if (step.uses !== undefined) return `Run ${step.uses}`
  return `Run ${
    String(step.run)
      .split('\n')
      .find(line => line.trim()) ?? ''
  }`.trim()
}

/** @param {unknown} on */
function firstTrigger(on) {
  if (typeof on === 'string') return on
  if (Array.isArray(on)) return on.length ? String(on[0]) : undefined
  if (on && typeof on === 'object') return Object.keys(on)[0]
  return undefined
}

/**
 * The inputs context: what was given, over the workflow_dispatch inputs' defaults.
 * @param {unknown} on @param {Record<string, string>} given
 */
function dispatchInputs(on, given) {
  const declared =
    on && typeof on === 'object' && !Array.isArray(on)
      ? /** @type {Record<string, { default?: unknown, required?: boolean }>} */ (
          /** @type {any} */ (on).workflow_dispatch?.inputs ?? /** @type {any} */ (on).workflow_call?.inputs ?? {}
        )
      : {}
  /** @type {Record<string, string>} */
  const inputs = {}
  for (const [name, input] of Object.entries(declared)) {
    if (given[name] !== undefined) inputs[name] = given[name]
    else if (input?.default !== undefined) inputs[name] = String(input.default)
    else if (input?.required) throw new Error(`the workflow's input "${name}" is required: give it in options.inputs`)
  }
  const undeclared = Object.keys(given).filter(name => !(name in declared))
  if (undeclared.length) throw new Error(`inputs the workflow does not declare: ${undeclared.join(', ')}`)
  return inputs
}

/** Jobs in an order where each comes after its needs. @param {Record<string, Record<string, any>>} jobs */
function jobOrder(jobs) {
  /** @type {string[]} */
  const order = []
  /** @type {Set<string>} */
  const visiting = new Set()
  const visit = (/** @type {string} */ id) => {
    if (order.includes(id)) return
    if (!(id in jobs)) throw new Error(`a job needs "${id}", which the workflow does not have`)
    if (visiting.has(id)) throw new Error(`the jobs' needs form a cycle through "${id}"`)
    visiting.add(id)
    for (const need of [jobs[id].needs ?? []].flat()) visit(String(need))
    order.push(id)
  }
  for (const id of Object.keys(jobs)) visit(id)
  return order
}

/**
 * Every combination of a strategy's matrix ([{}] without one).
 * @param {Record<string, any> | undefined} strategy @param {string} jobId @param {import('./workflow-expressions.mjs').Scope} scope
 * @returns {Record<string, unknown>[]}
 */
function matrixOf(strategy, jobId, scope) {
  if (!strategy?.matrix) return [{}]
  let matrix = strategy.matrix
  if (typeof matrix === 'string') matrix = evaluateValue(matrix, scope)
  if (!matrix || typeof matrix !== 'object' || Array.isArray(matrix)) throw new Error(`job ${jobId}: strategy.matrix must be a mapping`)
  if ('include' in matrix || 'exclude' in matrix) throw new Error(`job ${jobId}: a matrix with include or exclude is not supported here`)
  /** @type {Record<string, unknown>[]} */
  let combinations = [{}]
  for (const [name, values] of Object.entries(matrix)) {
    const list = typeof values === 'string' ? evaluateValue(values, scope) : values
    if (!Array.isArray(list)) throw new Error(`job ${jobId}: matrix.${name} must be a list`)
    combinations = combinations.flatMap(combination => list.map(value => ({ ...combination, [name]: value })))
  }
  return combinations
}

/**
 * What startAction needs to run sim/artifact-actions.mjs as download-artifact or upload-artifact
 * with these inputs (and no other action's).
 * @param {'download' | 'upload'} mode @param {Record<string, string>} inputs
 */
function artifactActionRun(mode, inputs) {
  return { args: [ARTIFACT_ACTIONS, mode], inputs, env: withoutExportDefaults(inputs) }
}

/**
 * Runs download-artifact (or upload-artifact) as a runner runs it, outside a workflow: the real
 * @actions/artifact client in a child process, with these inputs, e.g. against the emulator
 * (give its runtimeEnv() in `env`).
 * @param {'download' | 'upload'} mode @param {Record<string, string>} inputs
 * @param {Omit<Parameters<typeof startAction>[0], 'inputs' | 'args' | 'entry'>} options
 */
export function startArtifactAction(mode, inputs, options) {
  const run = artifactActionRun(mode, inputs)
  return startAction({ ...options, ...run, env: { ...run.env, ...options.env } })
}

/**
 * The outputs an action declares: this action's from its action.yml, download-artifact's and
 * upload-artifact's; none known for the others.
 * @param {ReturnType<Job['resolve']>} target @returns {string[]}
 */
function declaredOutputs(target) {
  if (target.kind === 'action') return Object.keys(readActionYml(target.entry).outputs)
  if (target.kind === 'deploy')
    return existsSync(DEPLOY.actionYml) ? Object.keys(parse(readFileSync(DEPLOY.actionYml, 'utf8')).outputs ?? {}) : []
  if (target.kind === 'download-artifact') return ['download-path']
  if (target.kind === 'upload-artifact') return ['artifact-id', 'artifact-url', 'artifact-digest']
  return []
}

/** @param {Record<string, { default?: unknown }>} declared */
function defaultsOf(declared) {
  /** @type {Record<string, string>} */
  const defaults = {}
  for (const [name, input] of Object.entries(declared)) if (input?.default !== undefined) defaults[name] = String(input.default)
  return defaults
}

/**
 * startAction gives every run the export's action.yml defaults as INPUT_* variables; for another
 * action these are taken away again (undefined removes a variable), so it sees only its own inputs.
 * @param {Record<string, string>} own
 */
function withoutExportDefaults(own) {
  const ownNames = new Set(Object.keys(own).map(inputVariable))
  /** @type {Record<string, undefined>} */
  const remove = {}
  for (const name of Object.keys(readActionYml('export').inputs)) {
    if (!ownNames.has(inputVariable(name))) remove[inputVariable(name)] = undefined
  }
  return remove
}

/** @param {string} name */
function inputVariable(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/** This machine's environment without a runner's, a proxy's or an action's variables (as run-action.mjs keeps it). */
function hermetic() {
  /** @type {Record<string, string>} */
  const env = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || /^(INPUT_|GITHUB_|ACTIONS_|RUNNER_)/.test(name) || /_proxy$/i.test(name)) continue
    env[name] = value
  }
  return env
}

/**
 * Resolves once no process of the group is left (signal 0 finds none), or after 5 s.
 * @param {number} group
 */
async function groupEnded(group) {
  for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
    try {
      process.kill(-group, 0)
    } catch {
      return
    }
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

/**
 * Waits for a process to end (not for its pipes, which a background process it left may hold).
 * @param {import('node:child_process').ChildProcess} child @param {number} timeoutMs
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
 */
function ending(child, timeoutMs) {
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', chunk => (stdout += chunk))
  child.stderr?.on('data', chunk => (stderr += chunk))
  const killer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), timeoutMs)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', code => {
      clearTimeout(killer)
      // What the script itself wrote has arrived once its own end is seen; a background process's
      // later output belongs to no step.
      setImmediate(() => {
        child.stdout?.destroy()
        child.stderr?.destroy()
        resolve({ code, stdout, stderr })
      })
    })
  })
}
