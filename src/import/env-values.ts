/**
 * Where each environment variable's value comes from in an import, pure: a placeholder the export's `redact` policy wrote is never imported as a value.
 * A value named in `envValues` wins (also over a clear value: one backup, promoted to an
 * environment with other values); else, for an existing tool, the tool's current value (the UI's
 * "keep existing"); else the backup's own clear value. A value taken from the backup that holds a
 * placeholder at any depth is listed in `missing`, one that holds a damaged placeholder in
 * `damaged`, and the run is refused (`unsettledError`).
 */
import { ImportInputs } from '../constants.js'
import { ActionError } from '../errors.js'
import { logValue } from '../log-text.js'
import { isNamedVariable, placeholderIn, variableName } from '../tool-export/env-variables.js'

/** `envValues`: the variable named, from the value given; `existing`: the tool's current value; `source`: the source's clear value. */
export type ValueSource = 'envValues' | 'existing' | 'source'

export interface VariableChoice {
  name: string
  source: ValueSource
}

/**
 * What is known of the existing tool's variables: `none` (a new tool, or no backup was made),
 * `unknown` (a dry run, which makes no backup: a placeholder would keep the existing value, if
 * the tool has one), or `known` with the tool's current env_variables.json (undefined: it has none).
 */
export type ExistingVariables = { kind: 'none' } | { kind: 'unknown' } | { kind: 'known'; file: unknown }

export interface EnvResolution {
  /** The env_variables.json to import (its JSON value); undefined: none (or, with `unknown`, the tool's current one). */
  value: unknown
  /** Where `value` comes from as a whole. */
  file: 'source' | 'existing' | 'none'
  variables: VariableChoice[]
  /** Placeholders left without a value: the run must stop before any upload. */
  missing: string[]
  /** Damaged placeholders (the start of one, not a whole one) left without a value: the run must stop too. */
  damaged: string[]
  /** Names in envValues the file does not have: not imported. */
  unused: string[]
}

/**
 * `conflict` decides between a clear value in the source and the existing tool's current value:
 * `keep` (the platform UI's default) keeps the current one, `backup` takes the source's. A value
 * from envValues wins either way; a placeholder is never a value.
 */
export function resolveEnvVariables(
  source: unknown,
  envValues: Record<string, string>,
  existing: ExistingVariables,
  conflict: 'keep' | 'backup' = 'keep'
): EnvResolution {
  if (source === undefined) {
    // No env_variables.json in the backup (the `omit` policy): the tool's current file, or none.
    if (existing.kind === 'known' && existing.file !== undefined) {
      const resolved = resolveAgainst(existing.file, envValues, new Map(), 'existing')
      return { ...resolved, file: 'existing' }
    }
    if (existing.kind === 'unknown') return { value: undefined, file: 'existing', variables: [], missing: [], damaged: [], unused: [] }
    return { value: undefined, file: 'none', variables: [], missing: [], damaged: [], unused: Object.keys(envValues) }
  }
  const current = existing.kind === 'known' && existing.file !== undefined ? valuesByName(existing.file) : new Map<string, unknown>()
  const resolved = resolveAgainst(source, envValues, current, 'source', existing.kind === 'unknown', conflict)
  return { ...resolved, file: 'source' }
}

function resolveAgainst(
  file: unknown,
  envValues: Record<string, string>,
  current: Map<string, unknown>,
  own: ValueSource,
  existingUnknown = false,
  conflict: 'keep' | 'backup' = 'keep'
): Omit<EnvResolution, 'file'> {
  const variables: VariableChoice[] = []
  const missing: string[] = []
  const damaged: string[] = []
  const unsettled = { whole: missing, damaged }
  const named = new Set<string>()
  const choose = (name: string, value: unknown): unknown => {
    named.add(name)
    if (Object.hasOwn(envValues, name)) {
      variables.push({ name, source: 'envValues' })
      return envValues[name]
    }
    if (conflict === 'backup' && !placeholderIn(value)) {
      variables.push({ name, source: own })
      return value
    }
    if (current.has(name)) {
      variables.push({ name, source: 'existing' })
      return current.get(name)
    }
    if (existingUnknown) {
      // A dry run: the real run takes the tool's current value, if it has one.
      variables.push({ name, source: 'existing' })
      return value
    }
    const placeholder = placeholderIn(value)
    if (placeholder) {
      unsettled[placeholder].push(name)
      return value
    }
    variables.push({ name, source: own })
    return value
  }
  let value: unknown
  if (Array.isArray(file) && file.every(isNamedVariable)) {
    value = file.map(variable => ({ ...variable, value: choose(variableName(variable), variable.value) }))
  } else if (file !== null && typeof file === 'object' && !Array.isArray(file)) {
    value = Object.fromEntries(Object.entries(file).map(([name, member]) => [name, choose(name, member)]))
  } else {
    // A layout not recognised: nothing in it can be matched by name; a placeholder anywhere is a value left unknown.
    value = file
    const placeholder = placeholderIn(file)
    if (placeholder) unsettled[placeholder].push('(every value of env_variables.json: its layout is not recognised)')
  }
  const unused = Object.keys(envValues).filter(name => !named.has(name))
  return { value, variables, missing, damaged, unused }
}

/** The variables of a file in either recognised layout, by name. */
function valuesByName(file: unknown): Map<string, unknown> {
  const values = new Map<string, unknown>()
  if (Array.isArray(file)) {
    for (const variable of file) if (isNamedVariable(variable)) values.set(variableName(variable), variable.value)
  } else if (file !== null && typeof file === 'object') {
    for (const [name, value] of Object.entries(file)) values.set(name, value)
  }
  return values
}

/**
 * The run's one refusal of the variables left without a value, naming each (never a value), or
 * undefined when every variable is settled. `target`: what the import goes into, for the advice.
 */
export function unsettledError(env: EnvResolution, target: { toolId?: string; backupBefore: boolean }): ActionError | undefined {
  const { missing, damaged } = env
  if (missing.length === 0 && damaged.length === 0) return undefined
  const names = (list: string[]): string => list.map(name => logValue(name)).join(', ')
  const variables = (n: number): string => `${n} environment variable${n === 1 ? '' : 's'} of the source hold${n === 1 ? 's' : ''}`
  const said: string[] = []
  const fixes: string[] = []
  if (missing.length > 0) {
    const n = missing.length
    const from = target.toolId && target.backupBefore ? ', nor does the existing tool have them' : ''
    said.push(`${variables(n)} a redacted placeholder and no value is given for ${n === 1 ? 'it' : 'them'}${from}: ${names(missing)}.`)
    fixes.push(
      `Give their values in "${ImportInputs.EnvValues}" (a JSON object from a secret, such as {"NAME": "value"})${target.toolId ? `, or import into a tool that has them with "${ImportInputs.BackupBefore}: true"` : ''}.`
    )
  }
  if (damaged.length > 0) {
    said.push(
      `${variables(damaged.length)} a damaged placeholder (text that starts like "<redacted:" but is not a whole placeholder: abridged, cut short or edited), which no one meant as a value: ${names(damaged)}.`
    )
    fixes.push(`Put back the whole placeholder the export wrote (git history has it), or give the value in "${ImportInputs.EnvValues}".`)
  }
  return new ActionError(`${said.join(' ')} A placeholder is never imported as a value; nothing was uploaded or imported.`, fixes.join(' '))
}

/** How a variable's source reads in the log, the plan and the summary (names only, never a value). */
export function describeSource(source: ValueSource, dryRun = false): string {
  switch (source) {
    case 'envValues':
      return 'from envValues'
    case 'existing':
      return dryRun
        ? "the existing tool's current value (kept, if the tool has one; else the backup's)"
        : "the existing tool's current value (kept)"
    case 'source':
      return "the source's own value"
  }
}
