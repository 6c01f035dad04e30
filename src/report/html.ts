/**
 * The few pieces of HTML a job summary is made of, written as @actions/core's summary writes
 * them. Pure: every text a caller did not write must go through `escape`.
 */
import { EOL } from 'node:os'

/** A cell: text already escaped, or a header cell. */
export type Cell = string | { data: string; header: true }

export function escape(text: string): string {
  return text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)
}

export function code(text: string): string {
  return `<code>${escape(text)}</code>`
}

export function heading(text: string, level: 3 | 4): string {
  return `<h${level}>${text}</h${level}>${EOL}`
}

export function paragraph(html: string): string {
  return `<p>${html}</p>${EOL}`
}

export function table(rows: Cell[][]): string {
  const cell = (c: Cell): string => (typeof c === 'string' ? `<td>${c}</td>` : `<th>${c.data}</th>`)
  return `<table>${rows.map(row => `<tr>${row.map(cell).join('')}</tr>`).join('')}</table>${EOL}`
}

/** A table of label/value rows, the labels as header cells. */
export function labelled(rows: [string, string][]): string {
  return table(rows.map(([label, value]) => [{ data: label, header: true }, value]))
}

/** A header row of column names. */
export function headerRow(...names: string[]): Cell[] {
  return names.map(data => ({ data, header: true }))
}
