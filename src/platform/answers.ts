/**
 * Pure parsing of the platform's answers. The vendor's pages disagree with themselves, so every
 * documented spelling is accepted: the id as `dock-statusId`,
 * `dockStatusId` or `_id`; the URL as `downloadUrl` or `downloadURL`, top level or under `response`.
 */
import { oneLine } from '../log-text.js'
import { MalformedAnswerError } from '../errors.js'

export interface ExportAnswer {
  dockStatusId: string
  exportJobId?: string
  status?: string
  /** 0–100, when the platform says how far the job has come. */
  percentComplete?: number
  downloadUrl?: string
  /** The platform's own words, when the answer already says the job FAILED (whole: shown only through quoteServer). */
  message?: string
}

export interface StatusAnswer {
  /** The job the answer is about, when it says. */
  dockStatusId?: string
  status: string
  percentComplete?: number
  downloadUrl?: string
  /** The platform's own words about the job (a FAILED import's cause), when it gives them (whole: shown only through quoteServer). */
  message?: string
}

/**
 * The answer to a job on a tool (an import, a deploy, an undeploy): the job to poll, and the tool
 * (for an import as a new tool, the new tool's id).
 */
export interface ToolJobAnswer {
  dockStatusId: string
  toolId?: string
  status?: string
  /** The platform's own words, when the answer already says the job FAILED (whole: shown only through quoteServer). */
  message?: string
}

/** The answer to a File Upload (one request, or a session's completion). */
export interface UploadAnswer {
  fileId: string
  /** A signed URL: a secret, never logged. */
  url?: string
}

type Json = Record<string, unknown>

/**
 * JSON.parse, with one repair: the vendor's own sample answer lacks the comma between two
 * members on separate lines. Only that pattern is mended; anything else stays an error.
 */
export function parseJsonObject(text: string): Json {
  const attempt = (source: string): Json | undefined => {
    try {
      const value: unknown = JSON.parse(source)
      return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined
    } catch {
      return undefined
    }
  }
  // A byte order mark before the JSON (some gateways add one) is not part of the answer.
  text = text.replace(/^\uFEFF/, '')
  const parsed = attempt(text) ?? attempt(text.replace(/(["\d}\]]|true|false|null)(\s*\r?\n\s*)(")/g, '$1,$2$3'))
  if (!parsed) throw new MalformedAnswerError('the answer is not a JSON object')
  return parsed
}

function stringField(obj: Json | undefined, ...names: string[]): string | undefined {
  if (!obj) return undefined
  for (const name of names) {
    const value = obj[name]
    if (typeof value === 'string' && value.trim()) return value.trim()
    if (typeof value === 'number') return String(value)
  }
  return undefined
}

function nested(obj: Json, name: string): Json | undefined {
  const value = obj[name]
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined
}

/** `percentageComplete`, as a number 0–100 (it may come as a string); undefined otherwise. */
function percentOf(obj: Json): number | undefined {
  const raw = obj['percentageComplete']
  const value = typeof raw === 'string' && raw.trim() ? Number(raw) : raw
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 100 ? Math.floor(value) : undefined
}

function downloadUrlOf(obj: Json): string | undefined {
  const names = ['downloadUrl', 'downloadURL']
  return stringField(nested(obj, 'response'), ...names) ?? stringField(obj, ...names)
}

export function parseExportAnswer(text: string): ExportAnswer {
  const obj = parseJsonObject(text)
  const dockStatusId = stringField(obj, 'dock-statusId', 'dockStatusId', '_id')
  if (!dockStatusId) {
    throw new MalformedAnswerError('the answer has no dock status id (dockStatusId, dock-statusId or _id)')
  }
  const status = stringField(obj, 'status')?.toUpperCase()
  return {
    dockStatusId,
    exportJobId: stringField(obj, 'exportJobId'),
    status,
    percentComplete: percentOf(obj),
    downloadUrl: downloadUrlOf(obj),
    message: status === 'FAILED' ? serverText(text) : undefined
  }
}

export function parseStatusAnswer(text: string): StatusAnswer {
  const obj = parseJsonObject(text)
  const status = stringField(obj, 'status')?.toUpperCase()
  if (!status) throw new MalformedAnswerError('the answer has no status')
  return {
    dockStatusId: stringField(obj, '_id', 'dockStatusId', 'dock-statusId'),
    status,
    percentComplete: percentOf(obj),
    downloadUrl: downloadUrlOf(obj),
    message: status === 'FAILED' ? serverText(text) : undefined
  }
}

export function parseToolJobAnswer(text: string): ToolJobAnswer {
  const obj = parseJsonObject(text)
  const dockStatusId = stringField(obj, 'dockStatusId', 'dock-statusId', '_id')
  if (!dockStatusId) throw new MalformedAnswerError('the answer has no dock status id (dockStatusId, dock-statusId or _id)')
  const status = stringField(obj, 'status')?.toUpperCase()
  return { dockStatusId, toolId: stringField(obj, 'toolId'), status, message: status === 'FAILED' ? serverText(text) : undefined }
}

export function parseUploadAnswer(text: string): UploadAnswer {
  const obj = parseJsonObject(text)
  const fileId = stringField(obj, 'fileId')
  if (!fileId) throw new MalformedAnswerError('the answer has no fileId')
  return { fileId, url: stringField(obj, 'url') }
}

/** The start of a chunked upload session: its id. */
export function parseSessionAnswer(text: string): string {
  const sessionId = stringField(parseJsonObject(text), 'sessionId')
  if (!sessionId) throw new MalformedAnswerError('the answer has no sessionId')
  return sessionId
}

/**
 * The server's own explanation from an answer or an error body, when it gives one, whole and as
 * sent (line breaks and all): never to be shown as it is, only through quoteServer. Kore.ai
 * platforms answer `{"errors":[{"msg":"…"}]}`; `message` and `error` are common elsewhere. Only
 * that one field is ever kept: never the body itself. Its length is bounded by the answer's (an
 * error body is read 64 KiB far): a cut before the run's secrets are redacted would leave the
 * start of a long one.
 */
export function serverText(text: string): string | undefined {
  let obj: Json
  try {
    obj = parseJsonObject(text)
  } catch {
    return undefined
  }
  const errors = obj['errors']
  const first = Array.isArray(errors) && errors[0] && typeof errors[0] === 'object' ? (errors[0] as Json) : undefined
  const errorField = nested(obj, 'error')
  const message =
    stringField(first, 'msg', 'message') ?? stringField(errorField, 'message', 'msg') ?? stringField(obj, 'message', 'msg', 'error')
  return message
}

/** How much of a server's text is quoted. */
export const QUOTED_CHARS = 300

/**
 * A server's text as a log line and the summary show it: the run's secrets redacted first (a
 * server may echo a value it was sent), then one line, cut short. Redacting after the cut would
 * leave the start of a long secret, which the runner's masking (whole values only) lets through.
 */
export function quoteServer(text: string, redact: (text: string) => string): string {
  return oneLine(redact(text), QUOTED_CHARS)
}

/**
 * The server's explanation quoted where no secret of the run is at hand to redact (the first
 * bytes of a download that is not a zip): quoteServer with nothing to take out.
 */
export function serverMessage(text: string): string | undefined {
  const said = serverText(text)
  return said === undefined ? undefined : quoteServer(said, unchanged => unchanged)
}
