import { describe, expect, it } from '@jest/globals'
import { ActionError, HttpError } from '../../../src/errors.js'
import { explainCallFailure, type PlatformCall } from '../../../src/platform/connection.js'
import { parseHost } from '../../../src/platform/urls.js'

const CALL: PlatformCall = {
  what: 'Starting the export',
  scope: 'Export Tool',
  notFound: 'Check that the tool "a-1" (input "toolId") and its flow "cf-1" (input "flowId") exist.',
  refused: 'Check the inputs.'
}
const explain = (status: number, host: string, call: PlatformCall = CALL): string => {
  const error = explainCallFailure(new HttpError(status, 'No such route'), call, parseHost(host))
  expect(error).toBeInstanceOf(ActionError)
  return String(error)
}

describe('explainCallFailure', () => {
  it("says first, on a 404 from a host with a path, that the path is sent before /api/public/, then the call's own advice", () => {
    expect(explain(404, 'https://platform.example.com/agents/home/')).toBe(
      'Starting the export failed: HTTP 404 Not Found from platform.example.com. The platform said: "No such route". ' +
        'The "host" input has the path "/agents/home", which is sent before /api/public/… in every call: a host copied from the ' +
        "browser's address bar usually should not have one (give https://platform.example.com). Otherwise: " +
        'Check that the tool "a-1" (input "toolId") and its flow "cf-1" (input "flowId") exist.'
    )
  })

  it("gives a 404 from a host without a path (or with only /api/public) the call's own advice alone", () => {
    for (const host of ['https://platform.example.com', 'platform.example.com/', 'https://platform.example.com/api/public']) {
      expect(explain(404, host)).toBe(
        'Starting the export failed: HTTP 404 Not Found from platform.example.com. The platform said: "No such route". ' + CALL.notFound
      )
    }
  })

  it('leaves the path out of a 404 on something the platform answered under that path already', () => {
    expect(explain(404, 'https://platform.example.com/kore', { ...CALL, pathAnswered: true })).not.toContain('"/kore"')
  })

  it('names the path on a 404 only: other refusals keep their advice', () => {
    expect(explain(401, 'https://platform.example.com/agents/home')).not.toContain('address bar')
    expect(explain(400, 'https://platform.example.com/agents/home')).toContain('Check the inputs.')
  })
})
