import { describe, expect, it } from '@jest/globals'
import { MalformedAnswerError } from '../../../src/errors.js'
import { parseToolJobAnswer, parseSessionAnswer, parseStatusAnswer, parseUploadAnswer } from '../../../src/platform/answers.js'
import { filesUrl, importUrl } from '../../../src/platform/urls.js'

describe('the import answers', () => {
  it.each(['dockStatusId', 'dock-statusId', '_id'])('reads an import answer with the id as %s, and the new tool id', key => {
    const answer = parseToolJobAnswer(
      JSON.stringify({ [key]: 'ds-1', toolId: 'a-new', jobType: 'TOOLS', action: 'IMPORT', status: 'success' })
    )
    expect(answer).toEqual({ dockStatusId: 'ds-1', toolId: 'a-new', status: 'SUCCESS' })
  })

  it('refuses an import answer without a dock status id, an upload answer without a fileId, a session without its id', () => {
    expect(() => parseToolJobAnswer('{"toolId":"a"}')).toThrow(MalformedAnswerError)
    expect(() => parseUploadAnswer('{"url":"https://x/?s=1"}')).toThrow(MalformedAnswerError)
    expect(() => parseSessionAnswer('{"expirationDate":"2025-02-06T16:01:44.285Z"}')).toThrow(MalformedAnswerError)
  })

  it('reads the file id and the signed url of an upload, and a session id', () => {
    expect(parseUploadAnswer('{"url":"https://h/f?s=sig","fileId":"f-1"}')).toEqual({ fileId: 'f-1', url: 'https://h/f?s=sig' })
    expect(parseSessionAnswer('{"sessionId":"s-1","expirationDate":"2025-02-06T16:01:44.285Z"}')).toBe('s-1')
  })

  it("keeps a FAILED job's message, and only a failed one's", () => {
    expect(parseStatusAnswer('{"_id":"d","status":"FAILED","message":"incompatible version"}').message).toBe('incompatible version')
    expect(parseStatusAnswer('{"_id":"d","status":"SUCCESS","message":"done"}').message).toBeUndefined()
  })
})

describe('the restore URLs', () => {
  const base = new URL('https://platform.example/prefix')
  it('builds the File Upload paths, each id one encoded segment', () => {
    expect(filesUrl(base).href).toBe('https://platform.example/prefix/api/public/files')
    expect(filesUrl(base, 'start').href).toBe('https://platform.example/prefix/api/public/files/session/start')
    expect(filesUrl(base, 's/1', 'complete').href).toBe('https://platform.example/prefix/api/public/files/session/s%2F1/complete')
  })

  it('builds both import paths, the tool id one encoded segment', () => {
    expect(importUrl(base).href).toBe('https://platform.example/prefix/api/public/tools/import')
    expect(importUrl(base, 'a 1/x').href).toBe('https://platform.example/prefix/api/public/tools/a%201%2Fx/import')
  })
})
