/**
 * Text that came from outside (a server, a file, an input) on its way into a log line or the
 * summary. Pure. A line break in such text could start a workflow command of its own.
 */

/** C0 controls and DEL, by their code (a regular expression of them would itself hold controls). */
const isControl = (code: number): boolean => code < 0x20 || code === 0x7f

/** Whether `text` holds a C0 control character or DEL. */
export function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) return true
  return false
}

/** One line of at most `max` characters: controls and runs of white space become one space. */
export function oneLine(text: string, max = 120): string {
  const words: string[] = []
  let word = ''
  for (const c of text) {
    if (isControl(c.charCodeAt(0)) || /\s/.test(c)) {
      if (word) words.push(word)
      word = ''
    } else word += c
  }
  if (word) words.push(word)
  const clean = words.join(' ')
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean
}

/**
 * A value from a server or an input, made safe to print inside a log line: line breaks (and `%`,
 * which the runner decodes in commands) are written as the runner's escapes, so the value cannot
 * start a line of its own, nor a workflow command such as `::add-mask::`.
 */
export function logValue(value: string | number): string {
  return String(value).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

/** A size for people: `2.0 KiB (2048 bytes)`. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]} (${bytes} bytes)`
}
