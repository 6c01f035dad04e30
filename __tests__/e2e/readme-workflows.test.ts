/**
 * README examples are code: every ```yaml block of README.md, import/README.md and deploy/README.md that uses this
 * action runs here, as a user would paste it, through sim/workflow-runner.mjs: the committed
 * bundles against the platform simulator, download-artifact with the real client against the
 * artifact emulator, bash for run: steps. A block that cannot run here runs up to the step that
 * cannot, and says why.
 *
 * The pages are those `npm run validate` lints: README.md, import/README.md, deploy/README.md and docs/.
 * Each block is known by its page and heading (and its place under that heading); the table
 * PLANS says what each needs (secrets, variables, the repository's files) and what a user would
 * notice when it works. A block the table does not know still runs, with the same secrets and
 * variables, and must pass the checks every block gets: no step failed, every step of this
 * action ran and succeeded, no reference to something that is not there (a secret, a variable,
 * an output no action declares), no unexpected input, every output a later step reads is set.
 * A table entry whose block is gone fails, so a rewrite cannot drop an example unnoticed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { parse } from 'yaml'
import * as path from 'node:path'
import { startConnectProxy } from '../../sim/connect-proxy.mjs'
import { startPlatformSimulator } from '../../sim/platform-simulator.mjs'
import { makeTestCertificate } from '../../sim/test-cert.mjs'
import { ROOT } from '../../sim/run-action.mjs'
import { readWorkflow, runWorkflow, type RunOptions, type StepResult, type WorkflowResult } from '../../sim/workflow-runner.mjs'
import { makeToolExport, readZip } from '../../sim/zip.mjs'
import { KEY, NODE, startWorld, type World } from './world.js'

const ACTION = 'koreai-tool-export/action'
/** The pages whose yaml blocks are examples a user copies: those `npm run validate` lints with actionlint. */
const PAGES = [
  'README.md',
  'import/README.md',
  'deploy/README.md',
  ...(existsSync(path.join(ROOT, 'docs'))
    ? readdirSync(path.join(ROOT, 'docs'), { recursive: true })
        .map(name => `docs/${String(name).split(path.sep).join('/')}`)
        .filter(name => name.endsWith('.md'))
        .sort()
    : [])
]
const THIS_ACTION = new RegExp(`^(${ACTION.replace('/', '\\/')}(/(import|deploy))?@|\\./(import|deploy)?/?$)`, 'i')

interface Block {
  page: string
  heading: string
  /** page › heading, and (n) when the heading has more than one block that uses the action */
  identity: string
  line: number
  language: string
  text: string
}

/**
 * The fenced blocks of a markdown page, each with the heading it sits under, read as
 * scripts/validate.mjs reads them: nested fences (```` around ```), fences indented in a list item.
 */
function fencedBlocks(page: string): Block[] {
  const lines = readFileSync(path.join(ROOT, page), 'utf8').split('\n')
  const blocks: Block[] = []
  let heading = ''
  for (let i = 0; i < lines.length; i++) {
    const title = /^#{1,6}\s+(.*)$/.exec(lines[i])
    if (title) heading = title[1].trim()
    const fence = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i])
    if (!fence) continue
    const [, indent, marks, info] = fence
    const close = new RegExp(`^\\s*${marks[0] === '`' ? '`' : '~'}{${marks.length},}\\s*$`)
    let end = i + 1
    while (end < lines.length && !close.test(lines[end])) end++
    const text = lines
      .slice(i + 1, end)
      .map(line => line.replace(new RegExp(`^ {0,${indent.length}}`), ''))
      .join('\n')
    const language = info.toLowerCase() === 'yml' ? 'yaml' : info.toLowerCase()
    blocks.push({ page, heading, identity: '', line: i + 1, language, text })
    i = end
  }
  return blocks
}

/** The `uses:` of a block's steps; none for a block that is not a workflow, a job or steps (an `env:` alone). */
function usesOf(block: Block): string[] {
  let value: unknown
  try {
    value = parse(block.text)
  } catch (error) {
    throw new Error(
      `${block.page} line ${block.line}: the yaml block does not parse: ${error instanceof Error ? error.message : String(error)}`
    )
  }
  let workflow: ReturnType<typeof readWorkflow>
  try {
    workflow = readWorkflow(value as Record<string, unknown>)
  } catch {
    return []
  }
  return Object.values(workflow.jobs).flatMap(job =>
    ((job.steps ?? []) as Record<string, unknown>[]).flatMap(step => (typeof step.uses === 'string' ? [step.uses] : []))
  )
}

/** Every yaml block that uses this action, named by page and heading. */
function examples(): Block[] {
  const found = PAGES.filter(page => existsSync(path.join(ROOT, page)))
    .flatMap(fencedBlocks)
    .filter(block => block.language === 'yaml' && usesOf(block).some(uses => THIS_ACTION.test(uses)))
  for (const block of found) {
    const same = found.filter(other => other.page === block.page && other.heading === block.heading)
    block.identity = `${block.page} › ${block.heading}${same.length > 1 ? ` (${same.indexOf(block) + 1})` : ''}`
  }
  return found
}

/** The README's list of tools (the text block that starts with `# <toolId>`), as .koreai/tools.txt holds it. */
function toolsList(): string {
  const block = fencedBlocks('README.md').find(b => b.language === 'text' && b.text.startsWith('# <toolId>'))
  if (!block) throw new Error("README.md has no ```text block starting with '# <toolId>' (the .koreai/tools.txt the examples read)")
  return `${block.text}\n`
}

interface ListedTool {
  toolId: string
  flowId: string
  name: string
}
function parseTools(text: string): ListedTool[] {
  return text
    .split('\n')
    .map(line => line.trim())
    .filter(line => line && !line.startsWith('#'))
    .map(line => {
      const [toolId, flowId, name] = line.split(/\s+/)
      return { toolId, flowId, name: name ?? toolId }
    })
}

const EXAMPLES = examples()
const TOOLS_TXT = toolsList()
const LISTED = parseTools(TOOLS_TXT)
/** The tool the variables name: the list's first. */
const MAIN = LISTED[0]
/**
 * The same tool on the development platform, for the promotion: the environment `development`
 * names it, and its export is a newer version than the one production runs, so that what
 * production runs tells the release from the backup.
 */
const DEVELOPMENT = { toolId: 'a-dev-banking-assistant', flowId: 'cf-dev-banking-assistant', name: MAIN.name }
/** Every literal toolId/flowId pair the examples give, so the simulator knows those tools too. */
const LITERAL = EXAMPLES.flatMap(block =>
  Object.values(readWorkflow(block.text).jobs).flatMap(job =>
    ((job.steps ?? []) as { with?: Record<string, unknown> }[]).flatMap(step => {
      const { toolId, flowId } = step.with ?? {}
      return typeof toolId === 'string' && typeof flowId === 'string' && !toolId.includes('${{') ? [{ toolId, flowId, name: toolId }] : []
    })
  )
)

interface Context {
  world: World
  /** a folder of this example's own, under the world's */
  dir: string
  /** runs the example with the defaults and what `more` adds */
  run: (more?: Partial<RunOptions>) => Promise<WorkflowResult>
}
interface Plan {
  /** what a user would notice when the example works */
  check: (ctx: Context) => Promise<void>
}

const sha256 = (file: string) => execFileSync('sha256sum', [file]).toString().split(' ')[0]
const stepsOf = (run: WorkflowResult) => run.jobs.flatMap(job => job.steps)
const actionSteps = (run: WorkflowResult, entry?: RegExp) =>
  stepsOf(run).filter(step => step.kind === 'action' && (!entry || entry.test(step.uses ?? '')))
const step = (run: WorkflowResult, predicate: (s: StepResult) => boolean) => {
  const found = stepsOf(run).filter(predicate)
  expect(found).toHaveLength(1)
  return found[0]
}
const artifactNamed = (world: World, name: string) => {
  const artifact = world.emu.artifacts.find(a => a.name === name)
  if (!artifact) throw new Error(`no artifact named ${name}; there are: ${world.emu.artifacts.map(a => a.name).join(', ')}`)
  return artifact
}
const files = (folder: string) => readdirSync(folder).sort()

/**
 * What every example must show when it works: the checks of the file's header.
 * @param allowNotRun steps that may be recorded as not run (why, by step name)
 */
function expectWorked(run: WorkflowResult, allowNotRun: RegExp = /a third-party action/) {
  expect(run.missing).toEqual([])
  expect(run.warnings).toEqual([])
  const steps = stepsOf(run)
  const failed = steps.filter(s => s.outcome === 'failure').map(s => `${s.name}: ${s.errors.join(' / ') || s.stderr.slice(-500)}`)
  expect(failed).toEqual([])
  expect(run.result).toBe('success')
  for (const s of steps.filter(s => s.notRun)) expect(`${s.name}: ${s.notRun}`).toMatch(allowNotRun)
  // Every step of this action that was not recorded as not run, ran and succeeded.
  const ours = steps.filter(s => s.kind === 'action' && !s.notRun)
  expect(ours.map(s => `${s.name}: ${s.outcome}`)).toEqual(ours.map(s => `${s.name}: success`))
  // Every output a step read was set.
  const reads = steps.flatMap(s => s.reads).filter(read => /^(steps|needs)\.[^.]+\.outputs\./.test(read.path))
  expect(reads.filter(read => read.value === null || read.value === '')).toEqual([])
}

/**
 * The reviewed copy in git that the import examples read: what the export's `extract: true`
 * wrote into tools/banking-assistant, as repository files. The world is reset after it.
 */
async function reviewedCopy(world: World, dir: string): Promise<Record<string, Buffer>> {
  const copy = path.join(dir, 'reviewed-copy')
  const extracted = await world.run(
    NODE,
    { toolId: MAIN.toolId, flowId: MAIN.flowId, extract: 'true', extractPath: 'tools/banking-assistant', uploadArtifact: 'false' },
    { workspace: copy }
  )
  expect(extracted.code).toBe(0)
  const repository: Record<string, Buffer> = {}
  for (const file of files(path.join(copy, 'tools/banking-assistant'))) {
    repository[`tools/banking-assistant/${file}`] = readFileSync(path.join(copy, 'tools/banking-assistant', file))
  }
  world.reset()
  return repository
}

/** What each known example needs and shows, by identity. */
const PLANS: Record<string, Plan> = {
  'README.md › Kore.ai Tool Export': {
    // The minimal step names the real platform, https://agent-platform.kore.ai. It runs unchanged on
    // a runner behind a corporate proxy that routes that name to the simulator (over TLS, with a
    // certificate for that name from a CA the runner trusts through NODE_EXTRA_CA_CERTS).
    async check({ world, run }) {
      const network = await corporateNetwork(LITERAL)
      try {
        const result = await run({ env: network.env })
        expectWorked(result)
        const [export_] = actionSteps(result)
        expect(export_.outputs.status).toBe('SUCCESS')
        const toolId = export_.inputs!.toolId
        // The artifact `koreai-tool-<toolId>.zip` is that export, byte for byte.
        const artifact = artifactNamed(world, `koreai-tool-${toolId}.zip`)
        expect(readFileSync(artifact.filePath).equals(readFileSync(export_.outputs.filePath))).toBe(true)
        expect(network.tunnels).toContain('agent-platform.kore.ai:443')
        expect(network.sim.requests.some(r => r.path === `/api/public/tools/${toolId}/export?flowId=${export_.inputs!.flowId}`)).toBe(true)
      } finally {
        await network.close()
      }
    }
  },

  'README.md › On release tags': {
    async check({ world, run }) {
      const result = await run({ github: { ref: 'refs/tags/v1.2.0' } })
      expectWorked(result)
      const export_ = step(result, s => s.id === 'export')
      const artifact = artifactNamed(world, 'banking-assistant-v1.2.0.zip')
      expect(artifact.expiresAt).toBeDefined()
      const days = (Date.parse(artifact.expiresAt!) - Date.now()) / 86_400_000
      expect(Math.round(days)).toBe(90)
      const echo = step(result, s => s.kind === 'run')
      expect(echo.stdout.trim()).toBe(`Exported ${export_.outputs.size} bytes, sha256 ${sha256(export_.outputs.filePath)}`)
    }
  },

  'README.md › Many tools, one step': {
    async check({ world, run }) {
      const result = await run()
      expectWorked(result)
      for (const tool of LISTED) artifactNamed(world, `nightly-${tool.name}.zip`)
      const report = step(result, s => s.kind === 'run' && s.index === 3)
      // jq's line for each tool: its name, its status, and an empty error.
      expect(report.stdout.split('\n').filter(Boolean).sort()).toEqual(LISTED.map(tool => `${tool.name}: SUCCESS `).sort())
    }
  },

  'README.md › Every night, a pull request when a tool changed': {
    async check({ world, dir, run }) {
      const first = await run({ event: 'schedule' })
      expectWorked(first)
      const job = first.jobs[0]
      // Every tool unpacked into tools/<name>, its values redacted.
      for (const tool of LISTED) {
        const folder = path.join(job.workspace, 'tools', tool.name)
        expect(files(folder)).toEqual(['app_definition.json', 'env_variables.json', 'flow_definition.json'])
        expect(readFileSync(path.join(folder, 'env_variables.json'), 'utf8')).toMatch(/"value": "<redacted:hmac-sha256:[0-9a-f]{64}>"/)
        artifactNamed(world, `nightly-17-${tool.name}.zip`)
      }
      // The pull request's body, written where the create-pull-request step reads it.
      const pr = step(first, s => /create-pull-request/.test(s.uses ?? ''))
      expect(pr.notRun).toMatch(/third-party/)
      expect(pr.inputs!['body-path']).toBe(path.join(job.runnerTemp, 'pr-body.md'))
      expect(pr.inputs!['add-paths']).toBe('tools')
      const body = readFileSync(pr.inputs!['body-path'], 'utf8')
      expect(body).toContain(`Tools changed on the platform: ${LISTED.map(tool => tool.name).join(', ')}`)
      // Every file of every tool, in the action's `changes` (each file named by its tool's folder).
      for (const tool of LISTED) {
        for (const file of ['app_definition.json', 'env_variables.json', 'flow_definition.json']) {
          expect(body).toMatch(new RegExp(`^added ${tool.name}/${file.replace('.', '\\.')} \\(\\+\\d+ -0 lines\\)$`, 'm'))
        }
      }
      expect(body).toContain('https://github.com/octo-org/agents/actions/runs/')

      // The next night, with that pull request merged and nothing changed: no pull request.
      const merged: Record<string, Buffer> = {}
      for (const tool of LISTED) {
        for (const file of files(path.join(job.workspace, 'tools', tool.name))) {
          merged[`tools/${tool.name}/${file}`] = readFileSync(path.join(job.workspace, 'tools', tool.name, file))
        }
      }
      world.reset()
      const second = await run({
        event: 'schedule',
        dir: path.join(dir, 'next-night'),
        repository: { '.koreai/tools.txt': TOOLS_TXT, ...merged }
      })
      expectWorked(second)
      expect(step(second, s => s.id === 'export').outputs.changed).toBe('false')
      expect(
        stepsOf(second)
          .filter(s => s.outcome === 'skipped')
          .map(s => s.index)
      ).toEqual([3, 4])
    }
  },

  'README.md › Hundreds of tools: a matrix of shards': {
    // Eight tools, two a shard: with fewer tools than shards, a shard's list is empty and its
    // step fails (the action refuses a list with no tool in it).
    async check({ world, run }) {
      const more = Array.from({ length: 8 - LISTED.length }, (_, i) => ({
        toolId: `a-shard-tool-${i}`,
        flowId: `cf-shard-${i}`,
        name: `tool-${i}`
      }))
      for (const tool of more) world.sim.addTool(tool.toolId, { flowId: tool.flowId, name: tool.name, durationMs: 200 })
      const list = TOOLS_TXT + more.map(tool => `${tool.toolId} ${tool.flowId} ${tool.name}\n`).join('')
      const result = await run({ repository: { '.koreai/tools.txt': list } })
      expectWorked(result)
      expect(result.jobs.map(job => job.key)).toEqual(['job (0)', 'job (1)', 'job (2)', 'job (3)'])
      const names = [...LISTED, ...more].map(tool => `nightly-${tool.name}.zip`)
      expect(world.emu.artifacts.map(a => a.name).sort()).toEqual(names.sort())
      for (const job of result.jobs) expect(parseTools(job.steps[1].outputs.tools)).toHaveLength(2)
    }
  },

  'README.md › Artifacts (1)': {
    async check({ run }) {
      const result = await run()
      expectWorked(result)
      const export_ = step(result, s => s.id === 'export')
      const download = step(result, s => s.kind === 'download-artifact')
      // skip-decompress: exported/<artifactName>, the export byte for byte.
      const folder = path.join(result.jobs[0].workspace, 'exported')
      expect(files(folder)).toEqual([export_.outputs.artifactName])
      expect(readFileSync(path.join(folder, export_.outputs.artifactName)).equals(readFileSync(export_.outputs.filePath))).toBe(true)
      expect(download.outputs['download-path']).toBe(folder)
    }
  },

  'README.md › Artifacts (2)': {
    async check({ world, run }) {
      const result = await run()
      expectWorked(result)
      const [export_] = actionSteps(result)
      expect(export_.env).toEqual({ NODE_OPTIONS: '--max-semi-space-size=1', ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY: '2' })
      expect(readFileSync(artifactNamed(world, export_.outputs.artifactName).filePath).equals(readFileSync(export_.outputs.filePath))).toBe(
        true
      )
    }
  },

  'README.md › Proxies and private certificate authorities': {
    // Its proxy, proxy.internal:3128, is not on this machine: the step is recorded, not run.
    async check({ run }) {
      const result = await run({
        cannotRun: s => (/proxy\.internal/.test(s.env.HTTPS_PROXY ?? '') ? `needs the proxy ${s.env.HTTPS_PROXY}` : undefined)
      })
      expectWorked(result, /needs the proxy http:\/\/proxy\.internal:3128/)
      expect(stepsOf(result).map(s => s.notRun)).toEqual(['needs the proxy http://proxy.internal:3128'])
    }
  },

  'docs/drift-check.md › Every night, a check that production is what git holds': {
    // The repository holds what `extract: true` wrote into tools/<name>: first the same tools
    // (no drift), then one of them edited on the platform (drift, the job red).
    async check({ world, dir, run }) {
      const copy = path.join(dir, 'released')
      const redactionKey = 'rk-nightly-0123456789abcdef'
      const released = await world.run(
        NODE,
        { tools: TOOLS_TXT, extract: 'true', extractPath: 'tools', uploadArtifact: 'false', redactionKey },
        { workspace: copy }
      )
      expect(released.code).toBe(0)
      const repository: Record<string, Buffer | string> = { '.koreai/tools.txt': TOOLS_TXT }
      for (const tool of LISTED) {
        for (const file of files(path.join(copy, 'tools', tool.name))) {
          repository[`tools/${tool.name}/${file}`] = readFileSync(path.join(copy, 'tools', tool.name, file))
        }
      }
      world.reset()
      const secrets = { KOREAI_API_KEY: KEY, KOREAI_REDACTION_KEY: redactionKey }
      const same = await run({ event: 'schedule', repository, secrets })
      expectWorked(same)
      expect(step(same, s => s.id === 'check').outputs.changed).toBe('false')
      for (const tool of LISTED) artifactNamed(world, `drift-17-${tool.name}.zip`)

      const tool = world.sim.tools[MAIN.toolId]
      const file = tool.file
      tool.file = makeToolExport('Edited by hand', 2)
      try {
        world.reset()
        const drifted = await run({ event: 'schedule', dir: path.join(dir, 'edited'), repository, secrets })
        expect(drifted.result).toBe('failure')
        const check = step(drifted, s => s.id === 'check')
        expect(check.outcome).toBe('failure')
        expect(check.errors).toEqual([
          expect.stringMatching(
            new RegExp(
              `^The platform's tools differ from git \\(1 of ${LISTED.length}\\): ${MAIN.name} differs from tools/${MAIN.name}: changed app_definition\\.json`
            )
          )
        ])
        expect(check.outputs.changed).toBe('true')
        // A backup all the same.
        for (const listed of LISTED) artifactNamed(world, `drift-17-${listed.name}.zip`)
      } finally {
        tool.file = file
      }
    }
  },

  'import/README.md › Kore.ai Tool Import': {
    // The reviewed copy in git: what `extract: true` wrote into tools/banking-assistant.
    async check({ world, dir, run }) {
      const repository = await reviewedCopy(world, dir)
      const result = await run({ repository, secrets: { KOREAI_API_KEY: KEY, KOREAI_ENV_VALUES: '{"REGION": "eu-production"}' } })
      expectWorked(result)
      const [restore] = actionSteps(result)
      expect(restore.outputs.status).toBe('SUCCESS')
      expect(restore.outputs.toolId).toBe(MAIN.toolId)
      // The tool as it was, backed up first.
      expect(world.emu.artifacts.map(a => a.name)).toEqual([
        expect.stringMatching(new RegExp(`^koreai-tool-${MAIN.toolId}-before-import-`))
      ])
      // The folder's definitions went up as they are; the placeholder became envValues' value.
      const definitions = world.sim.tool(MAIN.toolId)!.inDevelopment.definitions!
      for (const file of ['flow_definition.json', 'app_definition.json']) {
        expect(definitions[file].equals(repository[`tools/banking-assistant/${file}`])).toBe(true)
      }
      expect(JSON.parse(definitions['env_variables.json'].toString('utf8'))).toEqual([{ key: 'REGION', value: 'eu-production' }])
    }
  },

  'import/README.md › Import an artifact of another run': {
    async check({ world, run }) {
      // The other run: an export of the tool, its artifact koreai-tool-<toolId>.zip.
      const earlier = await world.run(NODE, { toolId: MAIN.toolId, flowId: MAIN.flowId })
      expect(earlier.code).toBe(0)
      const otherRun = world.emu.runId
      const artifact = artifactNamed(world, earlier.outputs.artifactName)
      const runId = world.emu.startRun()
      const result = await run({
        event: 'workflow_dispatch',
        inputs: { 'run-id': String(otherRun), artifact: artifact.name },
        github: { run_id: String(runId) }
      })
      expectWorked(result)
      // Found and downloaded through the REST API, with the run's token.
      expect(world.emu.requests.some(r => r.path.startsWith(`/repos/octo-org/agents/actions/runs/${otherRun}/artifacts?name=`))).toBe(true)
      const zip = path.join(result.jobs[0].workspace, 'exported', artifact.name)
      expect(readFileSync(zip).equals(readFileSync(artifact.filePath))).toBe(true)
      const [restore] = actionSteps(result)
      expect(restore.outputs.status).toBe('SUCCESS')
      const definitions = world.sim.tool(MAIN.toolId)!.inDevelopment.definitions!
      const exported = world.sim.tool(MAIN.toolId)!.deployed!.definitions!
      expect(definitions['flow_definition.json'].equals(exported['flow_definition.json'])).toBe(true)
    }
  },

  'deploy/README.md › Kore.ai Tool Deploy': {
    async check({ world, run }) {
      const result = await run()
      expectWorked(result)
      const deploy = step(result, s => s.kind === 'deploy')
      expect(deploy.outputs).toMatchObject({ status: 'SUCCESS', toolId: MAIN.toolId })
      const tool = world.sim.tool(MAIN.toolId)!
      expect(tool.deploys.map(request => [request.action, request.body, request.dockStatusId])).toEqual([
        ['DEPLOY', '{"isAsync":true}', deploy.outputs.dockStatusId]
      ])
      expect(tool.deployed!.number).toBe(tool.inDevelopment.number)
    }
  },

  'deploy/README.md › Deploy after your own checks': {
    // The reviewed copy in git, and the team's check: a script of the repository.
    async check({ world, dir, run }) {
      const copy = await reviewedCopy(world, dir)
      const check = (exit: number) => `echo "checking tool $1"\nexit ${exit}\n`
      const result = await run({ repository: { ...copy, 'scripts/check-tool.sh': check(0) } })
      expectWorked(result)
      const deploy = step(result, s => s.id === 'deploy')
      expect(deploy.outputs).toMatchObject({ status: 'SUCCESS', toolId: MAIN.toolId })
      expect(step(result, s => s.name === 'Check the imported version').stdout.trim()).toBe(`checking tool ${MAIN.toolId}`)
      expect(stepsOf(result).at(-1)!.stdout.trim()).toBe(`Deploy SUCCESS (dock status id ${deploy.outputs.dockStatusId})`)
      // The tool now runs the imported version: the copy in git, byte for byte.
      const tool = world.sim.tool(MAIN.toolId)!
      expect(tool.deployed!.number).toBe(2)
      expect(tool.deployed!.definitions!['flow_definition.json'].equals(copy['tools/banking-assistant/flow_definition.json'])).toBe(true)

      // A check that fails: the version stays in development, the tool runs what it ran before.
      world.reset()
      const failed = await run({ dir: path.join(dir, 'failing-check'), repository: { ...copy, 'scripts/check-tool.sh': check(1) } })
      expect(failed.result).toBe('failure')
      expect(step(failed, s => s.id === 'import').outcome).toBe('success')
      expect(step(failed, s => s.id === 'deploy').outcome).toBe('skipped')
      expect(world.sim.deploys).toEqual([])
      expect(world.sim.tool(MAIN.toolId)!.deployed!.number).toBe(1)
      expect(world.sim.tool(MAIN.toolId)!.inDevelopment.number).toBe(2)
    }
  },

  'import/README.md › Promote development → production': {
    // Development's tool (a newer version) promoted into production's (MAIN), deployed; then the
    // smoke test asks a stand-in for the tool's endpoint (vars.KOREAI_SMOKE_TEST_URL), which
    // answers as the test says: 503 makes the smoke test fail, and the rollback job put back the
    // version production ran before; 200 lets the release stand.
    async check({ world, run }) {
      const endpoint = await smokeTestEndpoint(() => world.sim.tool(MAIN.toolId)!.deployed)
      const promote = () =>
        run({
          github: { ref: 'refs/tags/v1.2.0' },
          environments: {
            development: { vars: { KOREAI_TOOL_ID: DEVELOPMENT.toolId, KOREAI_FLOW_ID: DEVELOPMENT.flowId } },
            production: { secrets: { KOREAI_ENV_VALUES: '{"REGION": "eu-production"}' }, vars: { KOREAI_SMOKE_TEST_URL: endpoint.url } }
          }
        })
      const released = readZip(makeToolExport(DEVELOPMENT.name, 2))
      try {
        // 1. The smoke test fails: the rollback job runs.
        const before = world.sim.tool(MAIN.toolId)!.deployed!.definitions!
        expect(before['flow_definition.json'].equals(released['flow_definition.json'])).toBe(false)
        endpoint.answer = 503
        const failed = await promote()
        expect(failed.missing).toEqual([])
        expect(failed.warnings).toEqual([])
        expect(failed.jobs.map(job => `${job.id} in ${job.environment}: ${job.result}`)).toEqual([
          'export in development: success',
          'release in production: failure',
          'rollback in production: success'
        ])
        expect(failed.result).toBe('failure')
        const [, release, rollback] = failed.jobs
        // The release: imported (after a backup) and deployed; the deploy succeeded, nothing rolled back by itself.
        const restore = release.steps.find(s => s.id === 'import')!
        expect(restore.outputs).toMatchObject({ status: 'SUCCESS', deployStatus: 'SUCCESS', rolledBack: 'false' })
        const backup = world.emu.artifacts.find(a => String(a.id) === restore.outputs.backupArtifactId)!
        expect(backup.name).toMatch(new RegExp(`^koreai-tool-${MAIN.toolId}-before-import-`))
        // The smoke test ran after that deploy, against the release, and failed visibly.
        const smoke = release.steps.find(s => s.id === 'smoke')!
        expect(smoke.outcome).toBe('failure')
        expect(smoke.stderr).toContain('The requested URL returned error: 503')
        expect(endpoint.asked).toHaveLength(1)
        expect(endpoint.asked[0].definitions!['flow_definition.json'].equals(released['flow_definition.json'])).toBe(true)
        expect(release.outputs).toEqual({ backupArtifactId: String(backup.id), smokeTest: 'failure' })
        // The rollback job: the backup artifact, downloaded by its id and unpacked into backup/...
        const [download, reimport] = rollback.steps
        expect(download.kind).toBe('download-artifact')
        expect(download.outcome).toBe('success')
        expect(download.inputs!['artifact-ids']).toBe(String(backup.id))
        expect(download.stdout).toContain(`- ${backup.name} (ID: ${backup.id},`)
        const folder = path.join(rollback.workspace, 'backup')
        const backedUp = readZip(readFileSync(backup.filePath))
        expect(files(folder)).toEqual(Object.keys(backedUp).sort())
        for (const [name, bytes] of Object.entries(backedUp)) expect(readFileSync(path.join(folder, name)).equals(bytes)).toBe(true)
        // ...imported from that folder with deploy, without a backup of its own.
        expect(reimport.inputs).toMatchObject({ source: 'backup', deploy: 'true', backupBefore: 'false' })
        expect(reimport.outcome).toBe('success')
        expect(reimport.outputs).toMatchObject({ status: 'SUCCESS', deployStatus: 'SUCCESS', rolledBack: 'false' })
        expect(reimport.outputs.backupArtifactId).toBeUndefined()
        expect(world.emu.artifacts.map(a => a.name)).toEqual(['tool-v1.2.0.zip', backup.name])
        // Two imports into production's tool, the release's and the backup's (its files as they were), each deployed once.
        expect(world.sim.imports.map(i => i.toolId)).toEqual([MAIN.toolId, MAIN.toolId])
        const second = world.sim.imports[1]
        expect(second.at).toBeGreaterThan(endpoint.asked[0].at)
        for (const [field, name] of [
          ['flowDataFileId', 'flow_definition.json'],
          ['toolDataFileId', 'app_definition.json'],
          ['envVariablesFileId', 'env_variables.json']
        ] as const) {
          expect(world.sim.files.get(String(second.body[field]))!.bytes.equals(backedUp[name])).toBe(true)
        }
        const tool = world.sim.tool(MAIN.toolId)!
        expect(tool.deploys.map(d => `${d.action} ${d.outcome}`)).toEqual(['DEPLOY SUCCESS', 'DEPLOY SUCCESS'])
        // What production runs at the end: the version it ran before, every file as it was.
        const after = tool.deployed!.definitions!
        expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort())
        for (const name of Object.keys(before)) expect(`${name}: ${after[name].equals(before[name])}`).toBe(`${name}: true`)

        // 2. The smoke test passes: the release stands, and the rollback job is skipped.
        world.reset()
        endpoint.answer = 200
        const passed = await promote()
        expectWorked(passed)
        expect(passed.jobs.map(job => `${job.id}: ${job.result}`)).toEqual(['export: success', 'release: success', 'rollback: skipped'])
        expect(passed.jobs[1].outputs.smokeTest).toBe('success')
        const running = world.sim.tool(MAIN.toolId)!.deployed!.definitions!
        expect(running['flow_definition.json'].equals(released['flow_definition.json'])).toBe(true)
        expect(JSON.parse(running['env_variables.json'].toString('utf8'))).toEqual([{ key: 'REGION', value: 'eu-production' }])
      } finally {
        await endpoint.close()
      }
    }
  }
}

describe('the README examples, run as a user would paste them', () => {
  let world: World
  let examplesRun = 0
  const ran: string[] = []
  beforeAll(async () => {
    world = await startWorld({})
    for (const tool of [...LISTED, ...LITERAL]) world.sim.addTool(tool.toolId, { flowId: tool.flowId, name: tool.name, durationMs: 200 })
    world.sim.addTool(DEVELOPMENT.toolId, {
      flowId: DEVELOPMENT.flowId,
      name: DEVELOPMENT.name,
      durationMs: 200,
      file: makeToolExport(DEVELOPMENT.name, 2)
    })
  })
  afterAll(async () => {
    console.log(`README examples run:\n${ran.map(line => `  ${line}`).join('\n')}`)
    await world.close()
  })

  it('finds the examples that use the action, and every one the table knows', () => {
    const found = EXAMPLES.map(block => `${block.identity} (line ${block.line})`)
    console.log(`yaml blocks that use ${ACTION}:\n${found.map(line => `  ${line}`).join('\n')}`)
    expect(EXAMPLES.length).toBeGreaterThan(0)
    const gone = Object.keys(PLANS).filter(identity => !EXAMPLES.some(block => block.identity === identity))
    expect(gone).toEqual([])
  })

  it.each(EXAMPLES.map(block => [block.identity, block] as const))(
    '%s',
    async (_identity, block) => {
      world.reset()
      const dir = path.join(world.artifactsDir, `example-${++examplesRun}`)
      mkdirSync(dir, { recursive: true })
      const run = (more: Partial<RunOptions> = {}) =>
        runWorkflow(block.text, {
          dir: path.join(dir, 'runner'),
          node: NODE,
          actionRepositories: [ACTION],
          secrets: { KOREAI_API_KEY: KEY },
          vars: { KOREAI_HOST: world.sim.url, KOREAI_TOOL_ID: MAIN.toolId, KOREAI_FLOW_ID: MAIN.flowId },
          repository: { '.koreai/tools.txt': TOOLS_TXT },
          runtimeEnv: job => world.emu.runtimeEnv({ job }),
          ...more,
          github: { api_url: world.emu.url, run_id: String(world.emu.runId), ...more.github }
        }).then(result => {
          ran.push(`${block.identity}: ${summary(result)}`)
          return result
        })
      const plan = PLANS[block.identity]
      if (plan) await plan.check({ world, dir, run })
      else expectWorked(await run())
    },
    120_000
  )
})

/** One line: each job's steps and how they went. */
function summary(result: WorkflowResult): string {
  return result.jobs
    .map(job => `${job.key} ${job.result} [${job.steps.map(s => (s.notRun ? 'not run' : s.outcome)).join(', ')}]`)
    .join('; ')
}

/**
 * A stand-in for a deployed tool's endpoint, for a smoke test: it answers `answer` (with a body
 * that says so), and records what the tool ran when each request came.
 */
async function smokeTestEndpoint(deployed: () => { definitions: Record<string, Buffer> | null } | null | undefined) {
  const asked: { at: number; definitions: Record<string, Buffer> | null | undefined }[] = []
  const endpoint = { url: '', answer: 200, asked, close: () => new Promise(resolve => server.close(resolve)) }
  const server = createHttpServer((req, res) => {
    asked.push({ at: Date.now(), definitions: deployed()?.definitions })
    req.resume()
    res.writeHead(endpoint.answer, { 'content-type': 'application/json' })
    res.end(JSON.stringify(endpoint.answer < 300 ? { answer: 'ok' } : { error: 'the tool answered wrong' }))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  endpoint.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/smoke`
  return endpoint
}

/**
 * A runner behind a corporate proxy: HTTPS_PROXY routes agent-platform.kore.ai:443 (and nothing
 * else) to a platform simulator that speaks https with a certificate for that name, from a CA
 * the runner trusts (NODE_EXTRA_CA_CERTS); loopback stays direct (NO_PROXY), for the artifact
 * emulator.
 */
async function corporateNetwork(tools: ListedTool[]) {
  const certificate = makeTestCertificate([], ['agent-platform.kore.ai'])
  const sim = await startPlatformSimulator({
    // Its answers name it as the platform names itself, not by the address it listens on.
    publicOrigin: 'https://agent-platform.kore.ai',
    keys: { [KEY]: true },
    tools: Object.fromEntries(tools.map(tool => [tool.toolId, { flowId: tool.flowId, durationMs: 200 }])),
    tls: { key: certificate.key, cert: certificate.cert, on: ['platform', 'storage'] }
  })
  const proxy = await startConnectProxy({ routes: { 'agent-platform.kore.ai:443': `127.0.0.1:${new URL(sim.url).port}` } })
  return {
    sim,
    get tunnels() {
      return proxy.tunnels.map(tunnel => tunnel.target)
    },
    env: { HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1', NODE_EXTRA_CA_CERTS: certificate.caFile },
    async close() {
      await Promise.all([sim.close(), proxy.close()])
      rmSync(certificate.dir, { recursive: true, force: true })
    }
  }
}
