import { describe, expect, it } from '@jest/globals'
import {
  QUOTED_CHARS,
  parseExportAnswer,
  parseStatusAnswer,
  quoteServer,
  serverMessage,
  serverText
} from '../../../src/platform/answers.js'
import { MalformedAnswerError } from '../../../src/errors.js'

// The vendor's sample answer, as printed (a comma is missing after exportJobId).
const VENDOR_SAMPLE = `{
   "dock-statusId": "ds-cxxxxxxf-8xx7-5xx9-8xxd-c2xxxxxxxxxd",
   "toolId": "a-4xxxxxx9-fxx9-5xx7-axx7-9xxxxxxxxxxb",
   "jobType": "TOOLS",
   "action": "EXPORT",
   "status": "IN_PROGRESS",
   "exportJobId": "tool-ej-25xxxxx2-bxx3-5xxc-8xx4-edxxxxxxxxxf"
"response": {
       "downloadUrl": " https://{host}/api/v1/account/xxxxxx"
  }
}`

describe('parseExportAnswer', () => {
  it('reads the vendor sample despite its missing comma', () => {
    expect(parseExportAnswer(VENDOR_SAMPLE)).toEqual({
      dockStatusId: 'ds-cxxxxxxf-8xx7-5xx9-8xxd-c2xxxxxxxxxd',
      exportJobId: 'tool-ej-25xxxxx2-bxx3-5xxc-8xx4-edxxxxxxxxxf',
      status: 'IN_PROGRESS',
      downloadUrl: 'https://{host}/api/v1/account/xxxxxx'
    })
  })

  it.each([
    [{ dockStatusId: 'ds-1', downloadURL: 'https://h/x' }, 'ds-1', 'https://h/x'],
    [{ _id: 'ds-2', response: { downloadURL: 'https://h/y' } }, 'ds-2', 'https://h/y'],
    [{ 'dock-statusId': 'ds-3' }, 'ds-3', undefined]
  ])('accepts the documented key variants %j', (answer, id, url) => {
    const parsed = parseExportAnswer(JSON.stringify(answer))
    expect(parsed.dockStatusId).toBe(id)
    expect(parsed.downloadUrl).toBe(url)
  })

  it('refuses an answer without any dock status id', () => {
    expect(() => parseExportAnswer('{"status":"IN_PROGRESS"}')).toThrow(MalformedAnswerError)
  })

  it('refuses what is not JSON at all', () => {
    expect(() => parseExportAnswer('<html>proxy error</html>')).toThrow(MalformedAnswerError)
    expect(() => parseExportAnswer('[1,2]')).toThrow(MalformedAnswerError)
  })
})

describe('parseStatusAnswer', () => {
  it('reads the documented answer and normalises the status', () => {
    expect(parseStatusAnswer('{"_id":"ds-1","toolId":"a-1","jobType":"TOOLS","action":"EXPORT","status":"success"}')).toEqual({
      dockStatusId: 'ds-1',
      status: 'SUCCESS',
      percentComplete: undefined,
      downloadUrl: undefined
    })
  })

  it('reads an answer that begins with a byte order mark', () => {
    expect(parseStatusAnswer('\uFEFF{"_id":"ds-1","status":"IN_PROGRESS"}').status).toBe('IN_PROGRESS')
    expect(parseExportAnswer('\uFEFF{"dockStatusId":"ds-2"}').dockStatusId).toBe('ds-2')
  })

  it('reads percentageComplete, as a number or a string, and ignores what is not a percentage', () => {
    expect(parseStatusAnswer('{"status":"IN_PROGRESS","percentageComplete":60}').percentComplete).toBe(60)
    expect(parseStatusAnswer('{"status":"IN_PROGRESS","percentageComplete":"42.7"}').percentComplete).toBe(42)
    expect(parseStatusAnswer('{"status":"IN_PROGRESS","percentageComplete":140}').percentComplete).toBeUndefined()
    expect(parseStatusAnswer('{"status":"IN_PROGRESS","percentageComplete":"soon"}').percentComplete).toBeUndefined()
    expect(parseExportAnswer('{"_id":"ds-1","status":"SUCCESS","percentageComplete":100}')).toMatchObject({
      status: 'SUCCESS',
      percentComplete: 100
    })
  })

  it('takes a download URL when a platform version adds one', () => {
    expect(parseStatusAnswer('{"status":"SUCCESS","downloadUrl":"https://h/z"}').downloadUrl).toBe('https://h/z')
  })

  it('treats an answer without status as malformed (it is retried)', () => {
    expect(() => parseStatusAnswer('{"_id":"ds-1"}')).toThrow(MalformedAnswerError)
  })
})

describe('serverMessage', () => {
  it('shows the Kore.ai error message, and only that', () => {
    expect(serverMessage('{"errors":[{"msg":"Invalid API key","code":401}]}')).toBe('Invalid API key')
    expect(serverMessage('{"message":"Forbidden"}')).toBe('Forbidden')
    expect(serverMessage('{"error":{"message":"Nope"}}')).toBe('Nope')
  })

  it('strips control characters and cuts long messages', () => {
    expect(serverMessage('{"errors":[{"msg":"a\\nb\\u001b[31m"}]}')).toBe('a b [31m')
    expect(serverMessage(JSON.stringify({ message: 'x'.repeat(1000) }))).toHaveLength(300)
  })

  it('gives nothing for bodies that are not a JSON error', () => {
    expect(serverMessage('<html>oops</html>')).toBeUndefined()
    expect(serverMessage('{"data":1}')).toBeUndefined()
  })
})

describe('serverText and quoteServer: redacted first, then cut', () => {
  const secret = `s3cr3t-${'0123456789'.repeat(40)}`
  const redact = (text: string): string => text.split(secret).join('***')

  it("keeps the server's message whole, line breaks and all", () => {
    const message = `value "${secret}"\nis refused`
    expect(serverText(JSON.stringify({ errors: [{ msg: message }] }))).toBe(message)
    expect(parseStatusAnswer(JSON.stringify({ status: 'FAILED', message })).message).toBe(message)
  })

  it('takes a long secret out before the cut: not one character of it is left', () => {
    const quoted = quoteServer(`Import failed: DB_PASSWORD "${secret}" is not accepted`, redact)
    expect(quoted).toBe('Import failed: DB_PASSWORD "***" is not accepted')
    expect(quoteServer(`${'x'.repeat(500)} ${secret}`, redact)).toHaveLength(QUOTED_CHARS)
  })

  it('makes one line of it after redacting, so a secret with a line break in it is still found', () => {
    const twoLines = 'first-line\nsecond-line'
    expect(quoteServer(`said ${twoLines}\n::warning::x`, text => text.split(twoLines).join('***'))).toBe('said *** ::warning::x')
  })
})
