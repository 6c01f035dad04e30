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
