import { describe, expect, it } from '@jest/globals'
import { getDeploySettings } from '../../../src/deploy/settings.js'
import { idCharacterProblem } from '../../../src/settings/inputs.js'
import { settingsReader } from '../settings-reader.js'

const { read, refusal } = settingsReader(getDeploySettings)
const base = { host: 'https://platform.example', key: 'kg-key', toolId: 'a-1' }

describe('getDeploySettings', () => {
  it('deploys by default, within the shared 600 s, the key masked', () => {
    const { run, masked } = read(base)
    const settings = run()
    expect(settings).toMatchObject({ toolId: 'a-1', action: 'deploy', timeoutMs: 600_000, key: 'kg-key' })
    expect(settings.platform.href).toBe('https://platform.example/')
    expect(masked).toEqual(['kg-key'])
  })

  it('undeploys with undeploy: true, and reads timeoutSeconds by the shared rule', () => {
    expect(read({ ...base, undeploy: 'TRUE', timeoutSeconds: '90' }).run()).toMatchObject({ action: 'undeploy', timeoutMs: 90_000 })
    expect(refusal({ ...base, timeoutSeconds: '999999' })).toContain('input "timeoutSeconds" must be from 1 to 21600 seconds')
    expect(refusal({ ...base, undeploy: 'yes' })).toContain('input "undeploy" must be true or false; got "yes"')
  })

  it('requires host, key and toolId, listing every problem at once, and says nothing was sent', () => {
    const message = refusal({})
    for (const name of ['"host"', '"key"', '"toolId"']) expect(message).toContain(`input ${name} is required`)
    expect(message).toContain('Nothing was sent to the platform.')
  })

  it('refuses a toolId holding a space, a line break, a control or an invisible character, by position', () => {
    expect(refusal({ ...base, toolId: 'a-1 a-2' })).toContain('input "toolId" holds the character U+0020 (SPACE) at position 4')
    expect(refusal({ ...base, toolId: 'a-1\na-2' })).toContain('U+000A (LINE FEED) at position 4')
    expect(idCharacterProblem('\u200ba-1')).toMatch(/^holds the character U\+200B \(ZERO WIDTH SPACE\) at position 1;/)
    expect(idCharacterProblem('a-1\u0007')).toContain('U+0007 at position 4')
    // Ids are opaque: anything else is the platform's to judge.
    expect(idCharacterProblem('a-3c5e8f10_x.y/z%')).toBeUndefined()
  })
})
