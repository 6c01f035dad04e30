/**
 * sim/workflow-runner.mjs itself: what the README's examples do not show (needs, job outputs,
 * continue-on-error, GITHUB_ENV, download-artifact before v8, refusals), and the repository's own
 * self-test workflow, whose Linux job runs here as CI runs it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { readFileSync, readdirSync, readlinkSync } from 'node:fs'
import * as path from 'node:path'
import { ROOT } from '../../sim/run-action.mjs'
import { makeToolExport } from '../../sim/zip.mjs'
import { runWorkflow, type RunOptions } from '../../sim/workflow-runner.mjs'
import { KEY, NODE, startWorld, type World } from './world.js'

describe('the workflow runner', () => {
  let world: World
  let runs = 0
  beforeAll(async () => {
    world = await startWorld({})
  })
  afterAll(() => world.close())
  beforeEach(() => world.reset())

  const run = (yaml: string, more: Partial<RunOptions> = {}) =>
    runWorkflow(yaml, {
      dir: path.join(world.artifactsDir, `workflow-${++runs}`),
      node: NODE,
      runtimeEnv: job => world.emu.runtimeEnv({ job }),
      ...more,
      github: { api_url: world.emu.url, run_id: String(world.emu.runId), ...more.github }
    })

  it("runs the self-test workflow's Linux job as CI does, and ends what its steps left running", async () => {
    const repository = Object.fromEntries(
      ['scripts/serve-simulator.mjs', 'sim/platform-simulator.mjs', 'sim/zip.mjs', '.node-version'].map(file => [
        file,
        readFileSync(path.join(ROOT, file))
      ])
    )
    const result = await run(readFileSync(path.join(ROOT, '.github/workflows/self-test.yml'), 'utf8'), {
      repository,
      matrix: { os: 'ubuntu-latest' },
      event: 'pull_request'
    })

    expect(result.jobs.map(job => job.key)).toEqual(['export (ubuntu-latest)'])
    const steps = result.jobs[0].steps
    const failed = steps.filter(s => s.conclusion !== 'success').map(s => `${s.name}: ${s.outcome} ${s.stderr.slice(-300)}`)
    expect(failed).toEqual([])
    expect(result.result).toBe('success')
    expect(result.missing).toEqual([])
    expect(result.warnings).toEqual([])
    // continue-on-error: the failing export's outcome is failure, its conclusion success.
    const failing = steps.find(s => s.id === 'failing')!
    expect([failing.outcome, failing.conclusion, failing.outputs.status]).toEqual(['failure', 'success', 'FAILED'])
    expect(world.emu.artifacts.map(a => a.name)).toEqual([
      'ci-export-ubuntu-latest.zip',
      expect.stringMatching(/^koreai-tool-a-ci-tool-before-import-/)
    ])
    // The simulator the first step started in the background was ended with the job.
    const workspace = result.jobs[0].workspace
    const left = readdirSync('/proc')
      .filter(pid => /^\d+$/.test(pid))
      .filter(pid => {
        try {
          return readlinkSync(`/proc/${pid}/cwd`).startsWith(workspace)
        } catch {
          return false
        }
      })
    expect(left).toEqual([])
  }, 120_000)

  it('runs jobs in the order of their needs, with outputs, GITHUB_ENV, continue-on-error, and skips', async () => {
    const result = await run(
      `
on: workflow_dispatch
env:
  GREETING: hello
jobs:
  last:
    needs: [first, second]
    if: always()
    runs-on: ubuntu-latest
    steps:
      - env:
          FROM_FIRST: \${{ needs.first.outputs.word }}
          SECOND: \${{ needs.second.result }}
        run: echo "$FROM_FIRST $SECOND"
  first:
    runs-on: ubuntu-latest
    outputs:
      word: \${{ steps.set.outputs.word }}
    steps:
      - id: set
        run: |
          echo "word=$GREETING-$SUFFIX" >> "$GITHUB_OUTPUT"
          echo "LATER=\${{ format('{0}!', env.GREETING) }}" >> "$GITHUB_ENV"
        env:
          SUFFIX: world
      - id: broken
        continue-on-error: true
        run: exit 3
      - if: steps.broken.outcome == 'failure' && steps.broken.conclusion == 'success'
        run: echo "$LATER"
  second:
    needs: first
    runs-on: ubuntu-latest
    steps:
      - run: exit 1
      - run: echo never
      - if: failure()
        run: echo cleanup
  skipped:
    needs: second
    runs-on: ubuntu-latest
    steps:
      - run: echo never
`
    )
    const jobs = Object.fromEntries(result.jobs.map(job => [job.id, job]))
    expect(result.jobs.map(job => `${job.id}: ${job.result}`)).toEqual([
      'first: success',
      'second: failure',
      'last: success',
      'skipped: skipped'
    ])
    expect(jobs.first.outputs).toEqual({ word: 'hello-world' })
    expect(jobs.first.steps.map(s => s.stdout)).toEqual(['', '', 'hello!\n'])
    expect(jobs.second.steps.map(s => s.outcome)).toEqual(['failure', 'skipped', 'success'])
    expect(jobs.last.steps[0].stdout).toBe('hello-world failure\n')
    expect(jobs.skipped.steps.map(s => s.outcome)).toEqual([])
    expect(result.result).toBe('failure')
  })

  it('download-artifact before v8 has no skip-decompress: it unpacks, and says the input is unexpected; v8 finds by name or id', async () => {
    const result = await run(
      `
- id: up
  uses: actions/upload-artifact@v7
  with:
    path: backup.zip
    archive: false
- uses: actions/download-artifact@v4
  with:
    name: backup.zip
    path: old
    skip-decompress: true
- uses: actions/download-artifact@v8
  with:
    name: backup.zip
    path: new
    skip-decompress: true
- uses: actions/download-artifact@v8
  with:
    artifact-ids: \${{ steps.up.outputs.artifact-id }}
    path: by-id
`,
      { repository: { 'backup.zip': makeToolExport() } }
    )
    const [upload, old, current, byId] = result.jobs[0].steps
    expect([upload, old, current, byId].map(s => s.outcome)).toEqual(['success', 'success', 'success', 'success'])
    expect(upload.outputs['artifact-id']).toBe(String(world.emu.artifacts[0].id))
    expect(world.emu.artifacts.map(a => [a.name, a.contentType])).toEqual([['backup.zip', 'application/zip']])
    expect(result.warnings).toEqual([
      expect.stringMatching(/^job job, step 2: Unexpected input\(s\) 'skip-decompress', valid inputs are \['name', 'path'/)
    ])
    const workspace = result.jobs[0].workspace
    expect(readdirSync(path.join(workspace, 'old')).sort()).toEqual(['app_definition.json', 'env_variables.json', 'flow_definition.json'])
    expect(readFileSync(path.join(workspace, 'new', 'backup.zip')).equals(makeToolExport())).toBe(true)
    expect(readdirSync(path.join(workspace, 'by-id')).sort()).toEqual(['app_definition.json', 'env_variables.json', 'flow_definition.json'])
  })

  it('records a step that cannot run here, and runs ./deploy from its bundle', async () => {
    world.sim.addTool('a-runner-tool', { flowId: 'cf-runner', durationMs: 200 })
    const result = await run(
      `
- run: echo first
- uses: ./deploy
  with:
    host: ${world.sim.url}
    key: ${KEY}
    toolId: a-runner-tool
- uses: some-org/notify@v1
  with:
    text: \${{ github.ref_name }}
- run: echo needs a real pull request
- run: echo after
`,
      { cannotRun: s => (/pull request/.test(s.name) ? 'needs a real pull request' : undefined) }
    )
    const steps = result.jobs[0].steps
    expect(steps.map(s => [s.outcome, s.notRun ?? ''])).toEqual([
      ['success', ''],
      ['success', ''],
      ['success', 'a third-party action: recorded with its inputs, not run'],
      ['skipped', 'needs a real pull request'],
      ['skipped', 'needs a real pull request']
    ])
    expect(steps[1].outputs).toMatchObject({ status: 'SUCCESS', toolId: 'a-runner-tool' })
    expect(world.sim.deploys.map(request => request.toolId)).toEqual(['a-runner-tool'])
    expect(steps[2].inputs).toEqual({ text: 'main' })
  })

  it('refuses what it does not support, naming it', async () => {
    const refusals: [string, string][] = [
      ['jobs:\n  a:\n    services: { db: { image: postgres } }\n    steps: [{ run: echo }]', 'job a: keys not supported here: services'],
      ['jobs:\n  a:\n    strategy: { matrix: { include: [{ os: x }] } }\n    steps: [{ run: echo }]', 'a matrix with include or exclude'],
      ['- run: echo\n  shell: pwsh', 'shell "pwsh" is not supported here'],
      ['- uses: docker://alpine:3', 'docker actions are not supported here'],
      ['- uses: ./tools/other\n', 'is not one of this repository'],
      ["- run: echo ${{ hashFiles('*.json') }}", 'the function hashFiles() is not supported in the expression "hashFiles(\'*.json\')"']
    ]
    for (const [yaml, why] of refusals) await expect(run(yaml)).rejects.toThrow(why)
  })
})
