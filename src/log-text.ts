/**
 * Text that came from outside (a server, a file, an input) on its way into a log line or the
 * summary. Pure. A line break in such text could start a workflow command of its own.
 */

/** C0 controls and DEL. */
export function hasControlCharacters(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(text)
}

/** One line of at most `max` characters: controls and runs of white space become one space. */
export function oneLine(text: string, max = 120): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim()
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
