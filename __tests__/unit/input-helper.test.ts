import { describe, expect, it } from '@jest/globals'
import * as path from 'node:path'
import { ActionError } from '../../src/errors.js'
import { getSettings } from '../../src/input-helper.js'

const VALID = { host: 'agent-platform.kore.ai/', key: ' kg-secret ', toolId: 'a-1', flowId: 'cf-1' }

function read(inputs: Record<string, string>, env: NodeJS.ProcessEnv = { RUNNER_TEMP: '/runner/temp', GITHUB_WORKSPACE: '/work/ws' }) {
  const masked: string[] = []
  const settings = () => getSettings({ getInput: name => inputs[name] ?? '', setSecret: v => masked.push(v), env })
  return { masked, settings }
}

describe('getSettings', () => {
  it('turns valid inputs into settings with the documented defaults', () => {
    const { settings } = read(VALID)
    const s = settings()
    expect(s.platform.href).toBe('https://agent-platform.kore.ai/')
    expect(s.key).toBe('kg-secret')
    expect(s.timeoutMs).toBe(600_000)
    expect(s.maxPauseMs).toBe(5000)
    expect(s.folder).toBe(path.join('/runner/temp', 'koreai-tool-export', 'a-1'))
    expect(s.artifactName).toBe('koreai-tool-a-1')
    expect(s.uploadArtifact).toBe(true)
    expect(s.retentionDays).toBeUndefined()
    expect(s.verifyToolExport).toBe(true)
  })

  it('turns the tool-export checks off only for verify: false', () => {
    expect(read({ ...VALID, verify: 'false' }).settings().verifyToolExport).toBe(false)
    expect(read({ ...VALID, verify: 'True' }).settings().verifyToolExport).toBe(true)
    expect(read({ ...VALID, verify: 'no' }).settings).toThrow('input "verify" must be true or false; got "no"')
  })

  it('masks the key first, even when other inputs are bad', () => {
    const { masked, settings } = read({ ...VALID, host: '' })
    expect(settings).toThrow(ActionError)
    expect(masked).toEqual(['kg-secret'])
  })

  it('refuses a key with a line break inside, and still masks it', () => {
    const { masked, settings } = read({ ...VALID, key: 'kg-secret\nkg-other' })
    expect(settings).toThrow('input "key" holds a line break or another control character (check the secret holds the key alone)')
    expect(masked).toEqual(['kg-secret\nkg-other'])
  })

  it('resolves a relative path from the workspace, and keeps an absolute one', () => {
    expect(read({ ...VALID, path: 'backups/tools' }).settings().folder).toBe(path.resolve('/work/ws', 'backups/tools'))
    expect(read({ ...VALID, path: '/srv/exports' }).settings().folder).toBe(path.resolve('/srv/exports'))
  })

  it('keeps a strange toolId from climbing out of the default folder', () => {
    expect(read({ ...VALID, toolId: '..' }).settings().folder).toBe(path.join('/runner/temp', 'koreai-tool-export', '__'))
  })

  it('reads the options', () => {
    const s = read({ ...VALID, timeoutSeconds: '90', pollIntervalSeconds: '2.5', uploadArtifact: 'FALSE', retentionDays: '7', artifactName: 'nightly' }).settings()
    expect([s.timeoutMs, s.maxPauseMs, s.uploadArtifact, s.retentionDays, s.artifactName]).toEqual([90_000, 2500, false, 7, 'nightly'])
  })

  it('names every bad input in one error', () => {
    const { settings } = read({ host: 'http://agent-platform.kore.ai', key: '', toolId: ' ', flowId: 'f', timeoutSeconds: '-5', pollIntervalSeconds: '0.5', retentionDays: '1.5', uploadArtifact: 'yes', artifactName: 'a/b' })
    let message = ''
    try {
      settings()
    } catch (error) {
      message = String(error)
    }
    for (const fragment of [
      'input "host" is not usable: plain http',
      'input "key" is required',
      'input "toolId" is required',
      'input "timeoutSeconds" must be a positive number of seconds; got "-5"',
      'input "pollIntervalSeconds" must be at least 1',
      'input "retentionDays" must be a whole number of days',
      'input "uploadArtifact" must be true or false; got "yes"',
      'input "artifactName" is not a valid artifact name'
    ]) {
      expect(message).toContain(fragment)
    }
    expect(message).not.toContain('flowId')
  })
  describe('extract', () => {
    it('is off by default', () => {
      expect(read(VALID).settings().extractFolder).toBeUndefined()
    })

    it('defaults to a folder named after the artifact, next to the file', () => {
      const s = read({ ...VALID, extract: 'true', path: 'exports' }).settings()
      expect(s.extractFolder).toBe(path.resolve('/work/ws', 'exports', 'koreai-tool-a-1'))
    })

    it('resolves extractPath from the workspace', () => {
      expect(read({ ...VALID, extract: 'true', extractPath: 'tools/bot' }).settings().extractFolder).toBe(path.resolve('/work/ws', 'tools/bot'))
    })

    it.each([
      ['.', 'must be a folder of its own'],
      ['..', 'must be a folder of its own'],
      ['/', 'must be a folder of its own'],
      ['exports', "must not hold the export file's folder"],
      ['', null]
    ])('refuses extractPath %j when its contents cannot be replaced safely', (extractPath, problem) => {
      const settings = read({ ...VALID, extract: 'true', path: 'exports/zips', extractPath }).settings
      if (problem) expect(settings).toThrow(problem)
      else expect(settings).not.toThrow()
    })

    it('redacts environment variables unless envVariables says keep or omit', () => {
      expect(read(VALID).settings().envVariables).toBe('redact')
      expect(read({ ...VALID, envVariables: ' Keep ' }).settings().envVariables).toBe('keep')
      expect(read({ ...VALID, envVariables: 'omit' }).settings().envVariables).toBe('omit')
      expect(read({ ...VALID, envVariables: 'mask' }).settings).toThrow('input "envVariables" must be redact, keep or omit; got "mask"')
    })
  })
})
