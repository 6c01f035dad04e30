/**
 * Every environment variable's value, settled before anything is uploaded (the rules are
 * env-values.ts's), each value masked as soon as it is known, and the settled file written for
 * the upload where only this user can read it.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import * as path from 'node:path'
import { ImportInputs } from '../constants.js'
import type { Secrets } from '../lifecycle/secrets.js'
import { logValue } from '../log-text.js'
import { isNamedVariable } from '../tool-export/env-variables.js'
import { ENV_VARIABLES } from '../tool-export/zip-rules.js'
import type { ImportContext } from './context.js'
import { describeSource, resolveEnvVariables, unsettledError, type EnvResolution, type ExistingVariables } from './env-values.js'
import type { ImportSource, SourceFile } from './source.js'

/** Settles every variable, or refuses naming each one left without a value. `final`: after the backup. */
export function resolveEnv(ctx: ImportContext, source: ImportSource, existing: ExistingVariables, final: boolean): EnvResolution {
  const { settings, report, io } = ctx
  const env = resolveEnvVariables(source.envValue, settings.envValues, existing, settings.envConflict)
  const unsettled = unsettledError(env, settings)
  if (unsettled) throw unsettled
  report.variables = env.variables.map(variable => ({ name: variable.name, source: describeSource(variable.source, !final) }))
  if (final || settings.dryRun || !settings.backupBefore) {
    if (env.file === 'existing') io.log.info(`The source has no ${ENV_VARIABLES}: the existing tool's current one is imported.`)
    for (const variable of env.variables) io.log.info(`Variable ${logValue(variable.name)}: ${describeSource(variable.source, !final)}`)
    if (env.unused.length)
      io.log.warning(
        `"${ImportInputs.EnvValues}" names variables the source does not have; not imported: ${env.unused.map(name => logValue(name)).join(', ')}.`
      )
  }
  return env
}

/** Every variable's value registered as a secret (names stay readable). */
export function maskValues(secrets: Secrets, file: unknown): void {
  const add = (value: unknown): void => {
    if (typeof value === 'string') secrets.add(value)
    else if (value !== null && typeof value === 'object') for (const member of Object.values(value)) add(member)
  }
  if (Array.isArray(file) && file.every(isNamedVariable)) for (const variable of file) add(variable.value)
  else add(file)
}

/** The settled env_variables.json, written for the upload only readable by this user. */
export async function writeEnvFile(tempRoot: string, value: unknown): Promise<SourceFile> {
  const file = path.join(tempRoot, 'upload', ENV_VARIABLES)
  const text = `${JSON.stringify(value, null, 2)}\n`
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
  await writeFile(file, text, { mode: 0o600 })
  return { name: ENV_VARIABLES, path: file, size: Buffer.byteLength(text) }
}
