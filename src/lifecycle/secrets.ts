/**
 * Every secret the run learns (the key, each signed URL's query and values, each value of a
 * variable), registered with the runner's masking as soon as it is known and remembered, because
 * the runner masks the log but not the job summary: the summary's text is passed through
 * `redact` before it is written, and so is a server's text before it is cut to be quoted
 * (platform/answers.ts quoteServer), since a part of a secret is masked by no one.
 */

/** Query values shorter than this (an `expires=3600`) are no signature: masking them would hide ordinary numbers. */
const MIN_QUERY_SECRET = 8

export class Secrets {
  private readonly values = new Set<string>()

  constructor(private readonly register: (value: string) => void) {}

  add(value: string): void {
    const secret = value.trim()
    if (!secret || this.values.has(secret)) return
    // A log line never holds a line break, and the runner masks only the values it was given: each
    // line of a multi-line secret is a secret of its own, and a server may quote one line of it.
    // The lines first, the smallest parts as in addUrl.
    const lines = secret.split(/\r\n|\r|\n/)
    if (lines.length > 1) for (const line of lines) this.add(line)
    this.values.add(secret)
    this.register(secret)
  }

  /** A URL that may be signed: the whole of it, its path with query, its query, and each long query value. */
  addUrl(url: URL): void {
    // The smallest parts first: each mask is registered before any line that could hold it,
    // the masks of the larger parts included.
    if (url.search.length > 1) {
      for (const value of url.searchParams.values()) if (value.length >= MIN_QUERY_SECRET) this.add(value)
      this.add(url.search.slice(1))
    }
    if (url.pathname.length > 1) this.add(url.pathname + url.search)
    this.add(url.href)
  }

  /** `text` with every secret, as it is and as it would appear URL-encoded, replaced by `***`. */
  redact(text: string): string {
    let result = text
    // The longest first, so that a secret inside another is not left half-replaced.
    for (const secret of [...this.values].sort((a, b) => b.length - a.length)) {
      for (const form of new Set([secret, encodeURIComponent(secret)])) result = result.split(form).join('***')
    }
    return result
  }
}
