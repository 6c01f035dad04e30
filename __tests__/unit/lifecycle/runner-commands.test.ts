/**
 * lifecycle/runner-commands.ts writes what @actions/core writes, byte for byte: the same calls
 * are made through both, with stdout and the runner's files captured, and compared (the random
 * delimiter of an output set aside).
 */
import { afterEach, describe, expect, it } from '@jest/globals'
import * as core from '@actions/core'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as ours from '../../../src/lifecycle/runner-commands.js'

type Runner = Pick<typeof ours, 'getInput' | 'setOutput' | 'setSecret' | 'setFailed' | 'info' | 'warning' | 'debug' | 'group'> & {
  appendSummary: (html: string) => Promise<void>
}
const theirs: Runner = {
  getInput: name => core.getInput(name),
  setOutput: (name, value) => core.setOutput(name, value),
  setSecret: value => core.setSecret(value),
  setFailed: message => core.setFailed(message),
  info: line => core.info(line),
  warning: line => core.warning(line),
  debug: line => core.debug(line),
  group: (title, work) => core.group(title, work),
  appendSummary: async html => void (await core.summary.addRaw(html, true).write())
}

const TEXTS = ['plain', '50% done', 'two\nlines\r\nand a CR', 'a:b,c::d', '', '::error::forged', 'ünïcode ✓']

/** Everything `use` writes through `runner`: stdout, the output file, the summary file, the exit code. */
async function written(runner: Runner, withFiles: boolean): Promise<string> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'koreai-runner-'))
  const saved = { ...process.env }
  const exitCode = process.exitCode
  const stdout: string[] = []
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = (chunk: string | Uint8Array) => (stdout.push(String(chunk)), true)
  try {
    delete process.env.GITHUB_OUTPUT
    delete process.env.GITHUB_STEP_SUMMARY
    if (withFiles) {
      for (const name of ['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY']) {
        process.env[name] = path.join(folder, name)
        writeFileSync(process.env[name], '')
      }
    }
    process.env['INPUT_TOOL_ID'] = '  a-1  '
    process.env['INPUT_MY INPUT'] = 'spaced'
    const inputs = [runner.getInput('tool_id'), runner.getInput('Tool_Id'), runner.getInput('missing')]
    for (const text of TEXTS) {
      runner.info(text)
      runner.warning(text)
      runner.debug(text)
      runner.setSecret(text)
      runner.setOutput(`out-${TEXTS.indexOf(text)}`, text)
    }
    await runner.group('a group: with, odd%chars', () => Promise.resolve(runner.info('inside')))
    runner.setFailed('failed\nfor good')
    if (withFiles) await runner.appendSummary('<h3>summary</h3>')
    const files = withFiles ? ['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY'].map(name => readFileSync(path.join(folder, name), 'utf8')) : []
    return JSON.stringify({ inputs, stdout: stdout.join(''), files, exitCode: process.exitCode }).replace(
      /ghadelimiter_[0-9a-f-]{36}/g,
      'ghadelimiter_<uuid>'
    )
  } finally {
    process.stdout.write = write
    process.env = saved
    process.exitCode = exitCode
    rmSync(folder, { recursive: true, force: true })
  }
}

describe('the runner commands', () => {
  afterEach(() => {
    process.exitCode = undefined
  })

  it.each([
    ['with the runner files', true],
    ['without them (the old set-output command)', false]
  ])('are what @actions/core writes, %s', async (_label, withFiles) => {
    const expected = await written(theirs, withFiles)
    const actual = await written(ours, withFiles)
    expect(actual).toBe(expected)
    if (withFiles) expect(actual).toContain('ghadelimiter_<uuid>')
    else expect(actual).toContain('::set-output name=out-3::a:b,c::d')
  })
})
