/**
 * How a JSON file is laid out in the repository copy, so that a pull request shows a changed
 * value as a changed line. Pure.
 *
 * The layout is JSON.stringify's with two spaces (and a newline at the end), but it is made by
 * re-indenting the export's own text rather than by JSON.parse + JSON.stringify: a JavaScript
 * object puts integer-like keys ("10", "2") before the others whatever the file said, and
 * JSON.parse rounds numbers past 2^53 and forgets duplicate keys. Re-indenting keeps every key
 * where the export put it and every number, string and escape exactly as written.
 */

const WHITESPACE = new Set([' ', '\t', '\n', '\r'])
const STRUCTURE = new Set(['{', '}', '[', ']', ',', ':', '"', ' ', '\t', '\n', '\r'])

/**
 * `text`, a valid JSON text (the caller has checked it), laid out two spaces a level, one member
 * or element a line, empty containers as `{}` and `[]`, and a newline at the end. The whole text
 * is in memory: fine for the repository copy, which git holds whole anyway.
 */
export function prettyJson(text: string): string {
  const parts: string[] = []
  const indents = ['\n']
  const newline = (depth: number): string => (indents[depth] ??= `\n${'  '.repeat(depth)}`)
  let depth = 0
  let at = 0
  while (at < text.length) {
    const char = text[at]
    if (char === '"') {
      const end = stringEnd(text, at)
      parts.push(text.slice(at, end))
      at = end
    } else if (WHITESPACE.has(char)) {
      at++
    } else if (char === '{' || char === '[') {
      let next = at + 1
      while (WHITESPACE.has(text[next])) next++
      if (text[next] === (char === '{' ? '}' : ']')) {
        parts.push(char, text[next])
        at = next + 1
      } else {
        parts.push(char, newline(++depth))
        at++
      }
    } else if (char === '}' || char === ']') {
      parts.push(newline(--depth), char)
      at++
    } else if (char === ',') {
      parts.push(',', newline(depth))
      at++
    } else if (char === ':') {
      parts.push(': ')
      at++
    } else {
      // A number or a literal (true, false, null): as written, up to the next structural character.
      let end = at + 1
      while (end < text.length && !STRUCTURE.has(text[end])) end++
      parts.push(text.slice(at, end))
      at = end
    }
  }
  parts.push('\n')
  return parts.join('')
}

/** The offset just past the string that opens at `start` (its closing quote is the first one not escaped). */
function stringEnd(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1)
  for (;;) {
    if (quote < 0) return text.length
    let backslashes = 0
    while (text[quote - 1 - backslashes] === '\\') backslashes++
    if (backslashes % 2 === 0) return quote + 1
    quote = text.indexOf('"', quote + 1)
  }
}

/**
 * One text per JSON value, whatever the layout, key order or escapes it was written with: keys
 * sorted at every level. Two files are the same backup when their canonical texts are equal.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) =>
    member !== null && typeof member === 'object' && !Array.isArray(member)
      ? Object.fromEntries(Object.entries(member).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : member
  )
}
