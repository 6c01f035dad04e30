import { describe, expect, it } from '@jest/globals'
import { ActionError, HttpError, NetworkError, RetriesExhaustedError } from '../../../src/errors.js'
import type { PlatformHttp } from '../../../src/http/client.js'
import { gaveUpRetrying } from '../../../src/platform/connection.js'
import { ImportClient } from '../../../src/platform/import-client.js'

// explain() and gaveUpRetrying() read only the error: no request is made.
const client = (toolId?: string) => new ImportClient({} as PlatformHttp, { platform: new URL('https://platform.example'), toolId })
const said = (error: unknown): string => String(error)

describe('ImportClient: what a refusal tells the user', () => {
  it('403 names the Import Tool scope, and for an existing tool that it must be deployed', () => {
    const existing = said(client('a-1').explain(new HttpError(403, 'Forbidden'), 'Starting the import'))
    expect(existing).toContain('"Import Tool" scope')
    expect(existing).toContain('tool "a-1" (input "toolId") is deployed')
    expect(existing).toContain('The platform said: "Forbidden"')
    expect(said(client().explain(new HttpError(403), 'Starting the import'))).not.toContain('deployed')
  })

  it('404 on an upload session the platform had accepted says it expired, not that the host is wrong', () => {
    const expired = said(
      client().explain(new HttpError(404, 'Upload session expired'), 'Uploading chunk 2 of flow_definition.json', 'sess-9')
    )
    expect(expired).toContain('no longer known')
    expect(expired).toContain('a new run starts a new session')
    expect(expired).toContain('The platform said: "Upload session expired"')
    expect(expired).not.toContain('does not know the import API')
  })

  it('404 names the tool id; 401 the key', () => {
    expect(said(client('a-404').explain(new HttpError(404), 'Starting the import'))).toContain('"a-404" (input "toolId")')
    expect(said(client().explain(new HttpError(401), 'Uploading flow_definition.json'))).toContain('input "key"')
  })

  it('leaves passing faults to the retry loop, and turns exhausted retries into one error with the last cause', () => {
    const reset = new NetworkError('connection error ECONNRESET')
    expect(client().explain(reset, 'x')).toBe(reset)
    expect(client().explain(new HttpError(503), 'x')).toBeInstanceOf(HttpError)
    const gaveUp = gaveUpRetrying(
      new RetriesExhaustedError(4, new HttpError(503)),
      'Uploading app_definition.json',
      'platform.example',
      ' Nothing was imported.'
    )
    expect(gaveUp).toBeInstanceOf(ActionError)
    expect(said(gaveUp)).toContain('failed 4 times; the last error: HTTP 503')
    expect(said(gaveUp)).toContain('Nothing was imported')
  })
})
