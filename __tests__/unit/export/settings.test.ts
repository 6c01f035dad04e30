import { describe, expect, it } from '@jest/globals'
import * as path from 'node:path'
import { ActionError } from '../../../src/errors.js'
import { getSettings } from '../../../src/export/settings.js'

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
    expect(s.tools[0].folder).toBe(path.join('/runner/temp', 'koreai-tool-export', 'a-1'))
    expect(s.tools[0].artifactName).toBe('koreai-tool-a-1')
    expect(s.uploadArtifact).toBe(true)
    expect(s.retentionDays).toBeUndefined()
    expect(s.verifyToolExport).toBe(true)
  })

  it('turns the tool-export checks off only for verify: false', () => {
    expect(read({ ...VALID, verify: 'false' }).settings().verifyToolExport).toBe(false)
    expect(read({ ...VALID, verify: 'True' }).settings().verifyToolExport).toBe(true)
    expect(read({ ...VALID, verify: 'no' }).settings).toThrow('input "verify" must be true or false; got "no"')
  })

  it('bounds the whole download: 15 minutes by default, at most six hours', () => {
    expect(read(VALID).settings().downloadTimeoutMs).toBe(900_000)
    expect(read({ ...VALID, downloadTimeoutSeconds: '30.5' }).settings().downloadTimeoutMs).toBe(30_500)
    expect(read({ ...VALID, downloadTimeoutSeconds: '21601' }).settings).toThrow(
      'input "downloadTimeoutSeconds" must be at most 21600 (6 hours, a job\'s own limit); got "21601"'
    )
    expect(read({ ...VALID, downloadTimeoutSeconds: '0' }).settings).toThrow(
      'input "downloadTimeoutSeconds" must be a positive number of seconds; got "0"'
    )
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

  describe('redactionKey', () => {
    it('is undefined unless given: the API key keys the placeholders', () => {
      expect(read(VALID).settings().redactionKey).toBeUndefined()
      expect(read({ ...VALID, redactionKey: ' rk-0123456789abcdef ' }).settings().redactionKey).toBe('rk-0123456789abcdef')
    })

    it('is masked right after the key, before anything else is read, even when the inputs are bad', () => {
      const { masked, settings } = read({ ...VALID, host: '', redactionKey: 'rk-0123456789abcdef' })
      expect(settings).toThrow(ActionError)
      expect(masked).toEqual(['kg-secret', 'rk-0123456789abcdef'])
    })

    it('refuses one too short to keep guesses from being checked, or with a line break, never quoting it', () => {
      const short = read({ ...VALID, redactionKey: 'rk-short' })
      expect(short.settings).toThrow(
        'input "redactionKey" is 8 characters long; use at least 16 random characters (e.g. the output of openssl rand -hex 32)'
      )
      expect(short.masked).toContain('rk-short')
      const broken = read({ ...VALID, redactionKey: 'rk-0123456789abcdef\nrk-other' })
      expect(broken.settings).toThrow('input "redactionKey" holds a line break or another control character')
      for (const { settings } of [short, broken]) {
        try {
          settings()
        } catch (error) {
          expect(String(error)).not.toContain('rk-')
        }
      }
    })
  })

  it('reads a list of tools, each with its own folder, artifact and unpack folder', () => {
    const s = read({
      ...VALID,
      toolId: '',
      flowId: '',
      tools: '# nightly\n a-1 cf-1 banking\n\na-2 cf-2\n',
      path: 'exports',
      extract: 'true',
      extractPath: 'tools',
      artifactName: 'nightly-'
    }).settings()
    expect(s.many).toBe(true)
    expect(s.concurrency).toBe(4)
    expect(s.tools).toEqual([
      {
        toolId: 'a-1',
        flowId: 'cf-1',
        name: 'banking',
        folder: path.resolve('/work/ws', 'exports', 'banking'),
        artifactName: 'nightly-banking',
        extractFolder: path.resolve('/work/ws', 'tools', 'banking')
      },
      {
        toolId: 'a-2',
        flowId: 'cf-2',
        name: 'a-2',
        folder: path.resolve('/work/ws', 'exports', 'a-2'),
        artifactName: 'nightly-a-2',
        extractFolder: path.resolve('/work/ws', 'tools', 'a-2')
      }
    ])
    expect(read({ ...VALID, toolId: '', flowId: '', tools: 'a-1 cf-1' }).settings().tools[0].artifactName).toBe('koreai-tool-a-1')
  })

  describe('two tools of a set that would end in one artifact or one folder', () => {
    const set = (tools: string, inputs: Record<string, string> = {}) =>
      read({ host: VALID.host, key: VALID.key, tools, ...inputs }).settings

    it('refuses "nightly" and "nightly.zip": ".zip" is added to one and not the other', () => {
      expect(set('a-1 cf-1 nightly\na-2 cf-2 nightly.zip')).toThrow(
        'input "tools" gives the tools "nightly" and "nightly.zip" one artifact name, "koreai-tool-nightly.zip" (".zip" is added when missing, and case is ignored): give each a name of its own'
      )
    })

    it('compares the final artifact names ignoring case, with the prefix, each pair in its own words', () => {
      expect(set('a-1 cf-1 Nightly\na-2 cf-2 nightly.ZIP\na-3 cf-3 other\na-4 cf-4 other.zip', { artifactName: 'backup-' })).toThrow(
        'the tools "Nightly" and "nightly.ZIP" one artifact name, "backup-Nightly.zip"'
      )
      expect(set('a-1 cf-1 Nightly\na-2 cf-2 nightly.ZIP\na-3 cf-3 other\na-4 cf-4 other.zip')).toThrow(
        'the tools "other" and "other.zip" one artifact name, "koreai-tool-other.zip"'
      )
    })

    it('names every tool of a group that would share a folder', () => {
      expect(set('a-1 cf-1 nightly\na-2 cf-2 nightly.\na-3 cf-3 Nightly..', { uploadArtifact: 'false' })).toThrow(
        `the tools "nightly", "nightly." and "Nightly.." one folder for their files, ${path.join('/runner/temp', 'koreai-tool-export', 'nightly')}`
      )
    })

    it('lets names that make one artifact pass when nothing is uploaded', () => {
      expect(set('a-1 cf-1 nightly\na-2 cf-2 nightly.zip', { uploadArtifact: 'false' })).not.toThrow()
    })

    it('refuses "nightly" and "nightly.": one folder for their files, and one to unpack into, on Windows', () => {
      const settings = set('a-1 cf-1 nightly\na-2 cf-2 nightly.', { path: 'exports', extract: 'true', extractPath: 'tools' })
      expect(settings).toThrow(
        `input "tools" gives the tools "nightly" and "nightly." one folder for their files, ${path.resolve('/work/ws', 'exports', 'nightly')} (Windows drops a name's trailing dots and spaces, and Windows and macOS ignore case): give each a name of its own`
      )
      expect(settings).toThrow(`"nightly" and "nightly." one folder to unpack into, ${path.resolve('/work/ws', 'tools', 'nightly')}`)
    })

    it('takes names that differ to every runner', () => {
      const s = set('a-1 cf-1 nightly\na-2 cf-2 nightly-2\na-3 cf-3 nightly.bak', {
        path: 'exports',
        extract: 'true',
        extractPath: 'tools'
      })()
      expect(s.tools.map(tool => tool.artifactName)).toEqual(['koreai-tool-nightly', 'koreai-tool-nightly-2', 'koreai-tool-nightly.bak'])
    })
  })

  it("refuses an extractPath that holds the file's folder on macOS or Windows, where case is ignored", () => {
    expect(read({ ...VALID, extract: 'true', path: 'Exports/zips', extractPath: 'exports' }).settings).toThrow(
      'input "extractPath" must not hold the export file\'s folder'
    )
  })

  it('refuses tools together with toolId, and bad lines by their number', () => {
    expect(read({ ...VALID, tools: 'a-1 cf-1' }).settings).toThrow(
      'input "tools" cannot be given together with "toolId": give either the list or one tool'
    )
    expect(read({ ...VALID, toolId: '', flowId: '', tools: 'a-1\na-2 cf-2 bad/name', concurrency: '0' }).settings).toThrow(
      /input "tools" line 1 has 1 field; expected "<toolId> <flowId> \[name\]".*input "tools" line 2: the name "bad\/name" may hold only letters, digits.*input "concurrency" must be a whole number from 1 to 20; got "0"/
    )
  })

  it('refuses a toolId or flowId holding a space, a line break or an invisible character, naming each', () => {
    const { settings } = read({ ...VALID, toolId: 'a-banking assistant', flowId: 'cf-\u200b1' })
    expect(settings).toThrow('input "toolId" holds the character U+0020 (SPACE) at position 10')
    expect(settings).toThrow('input "flowId" holds the character U+200B (ZERO WIDTH SPACE) at position 4')
    expect(read({ ...VALID, toolId: ' a-1\n' }).settings().tools[0].toolId).toBe('a-1')
  })

  it('names an invisible character in the key, and where it is', () => {
    expect(read({ ...VALID, key: 'kg-se\u200bcret' }).settings).toThrow(
      'input "key" holds the character U+200B (ZERO WIDTH SPACE) at position 6; API keys are printable ASCII'
    )
    expect(read({ ...VALID, key: 'kg-s\u00e9cret' }).settings).toThrow('input "key" holds the character U+00E9 at position 5')
  })

  it('takes a timeout from 1 second to 6 hours', () => {
    expect(read({ ...VALID, timeoutSeconds: '1' }).settings().timeoutMs).toBe(1000)
    expect(read({ ...VALID, timeoutSeconds: '21600' }).settings().timeoutMs).toBe(21_600_000)
    for (const bad of ['0.5', '21601', '99999999'])
      expect(read({ ...VALID, timeoutSeconds: bad }).settings).toThrow('must be from 1 to 21600 seconds')
  })

  it('shortens the default folder of a long tool id, keeping it unique', () => {
    const long = (end: string) => path.basename(read({ ...VALID, toolId: `a-${'x'.repeat(300)}${end}` }).settings().tools[0].folder)
    expect(long('1')).toMatch(/^a-x{46}-[0-9a-f]{12}$/)
    expect(long('1')).not.toBe(long('2'))
  })

  it('resolves a relative path from the workspace, and keeps an absolute one', () => {
    expect(read({ ...VALID, path: 'backups/tools' }).settings().tools[0].folder).toBe(path.resolve('/work/ws', 'backups/tools'))
    expect(read({ ...VALID, path: '/srv/exports' }).settings().tools[0].folder).toBe(path.resolve('/srv/exports'))
  })

  it('keeps a strange toolId from climbing out of the default folder', () => {
    expect(read({ ...VALID, toolId: '..' }).settings().tools[0].folder).toBe(path.join('/runner/temp', 'koreai-tool-export', '__'))
  })

  it('reads the options', () => {
    const s = read({
      ...VALID,
      timeoutSeconds: '90',
      pollIntervalSeconds: '2.5',
      uploadArtifact: 'FALSE',
      retentionDays: '7',
      artifactName: 'nightly'
    }).settings()
    expect([s.timeoutMs, s.maxPauseMs, s.uploadArtifact, s.retentionDays, s.tools[0].artifactName]).toEqual([
      90_000,
      2500,
      false,
      7,
      'nightly'
    ])
  })

  it('names every bad input in one error', () => {
    const { settings } = read({
      host: 'http://agent-platform.kore.ai',
      key: '',
      toolId: ' ',
      flowId: 'f',
      timeoutSeconds: '-5',
      pollIntervalSeconds: '0.5',
      retentionDays: '1.5',
      uploadArtifact: 'yes',
      artifactName: 'a/b'
    })
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
      expect(read(VALID).settings().tools[0].extractFolder).toBeUndefined()
    })

    it('defaults to a folder named after the artifact, next to the file', () => {
      const s = read({ ...VALID, extract: 'true', path: 'exports' }).settings()
      expect(s.tools[0].extractFolder).toBe(path.resolve('/work/ws', 'exports', 'koreai-tool-a-1'))
    })

    it('resolves extractPath from the workspace', () => {
      expect(read({ ...VALID, extract: 'true', extractPath: 'tools/bot' }).settings().tools[0].extractFolder).toBe(
        path.resolve('/work/ws', 'tools/bot')
      )
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

    it.each([
      ['../outside', '/work/outside'],
      ['/etc/koreai', '/etc/koreai'],
      ['tools/../../ws-other', '/work/ws-other']
    ])('refuses extractPath %j outside the workspace, naming where it would go', (extractPath, target) => {
      expect(read({ ...VALID, extract: 'true', extractPath }).settings).toThrow(
        `input "extractPath" must be a folder inside the workspace (${path.resolve('/work/ws')}), where later steps (a commit, a pull request) see what is unpacked; "${extractPath}" is ${path.resolve(target)}, outside it`
      )
    })

    it('takes an absolute extractPath inside the workspace, and leaves path free to be anywhere', () => {
      const s = read({ ...VALID, extract: 'true', extractPath: '/work/ws/tools/bot', path: '/srv/exports' }).settings()
      expect([s.tools[0].folder, s.tools[0].extractFolder]).toEqual([path.resolve('/srv/exports'), path.resolve('/work/ws/tools/bot')])
    })

    it('with tools, takes the workspace itself (each tool has a folder of its own there) but nothing outside it', () => {
      const tools = 'a-1 cf-1 banking\na-2 cf-2 travel'
      const inWorkspace = read({ host: VALID.host, key: VALID.key, tools, extract: 'true', extractPath: '.' }).settings()
      expect(inWorkspace.tools.map(tool => tool.extractFolder)).toEqual(['banking', 'travel'].map(name => path.resolve('/work/ws', name)))
      expect(read({ host: VALID.host, key: VALID.key, tools, extract: 'true', extractPath: '..' }).settings).toThrow(
        `input "extractPath" must be a folder inside the workspace`
      )
    })

    it('names an extractPath outside the workspace even when tools is bad too', () => {
      const { settings } = read({ host: VALID.host, key: VALID.key, tools: 'a-1', extract: 'true', extractPath: '../x' })
      expect(settings).toThrow('input "tools" line 1 has 1 field')
      expect(settings).toThrow('input "extractPath" must be a folder inside the workspace')
    })

    it.each([
      ['true', 'write'],
      ['TRUE', 'write'],
      ['check', 'check'],
      [' Check ', 'check'],
      ['false', 'off'],
      ['False', 'off'],
      ['', 'off']
    ])('reads extract %j as %s', (extract, mode) => {
      const s = read({ ...VALID, extract, extractPath: 'koreai/banking' }).settings()
      expect(s.checkOnly).toBe(mode === 'check')
      expect(s.tools[0].extractFolder).toBe(mode === 'off' ? undefined : path.resolve('/work/ws', 'koreai/banking'))
    })

    it('refuses another extract mode, and a check without the folder in git to compare with', () => {
      expect(read({ ...VALID, extract: 'yes' }).settings).toThrow('input "extract" must be true, false or check; got "yes"')
      expect(read({ ...VALID, extract: 'check', path: 'exports' }).settings).toThrow(
        'input "extractPath" is required with extract: check: the folder in git to compare the export with'
      )
    })

    it('compares each tool of a set with its own folder under extractPath', () => {
      const s = read({
        ...VALID,
        toolId: '',
        flowId: '',
        tools: 'a-1 cf-1 banking\na-2 cf-2 travel',
        extract: 'check',
        extractPath: 'koreai'
      }).settings()
      expect(s.checkOnly).toBe(true)
      expect(s.tools.map(tool => tool.extractFolder)).toEqual([
        path.resolve('/work/ws/koreai/banking'),
        path.resolve('/work/ws/koreai/travel')
      ])
    })

    it('redacts environment variables unless envVariables says keep or omit', () => {
      expect(read(VALID).settings().envVariables).toBe('redact')
      expect(read({ ...VALID, envVariables: ' Keep ' }).settings().envVariables).toBe('keep')
      expect(read({ ...VALID, envVariables: 'omit' }).settings().envVariables).toBe('omit')
      expect(read({ ...VALID, envVariables: 'mask' }).settings).toThrow('input "envVariables" must be redact, keep or omit; got "mask"')
    })
  })
})
