/**
 * The backup made before an import into an existing tool: the tool exported as it is now, through
 * the export's own pipeline (started, waited for, downloaded, verified, kept as an artifact), so
 * that a backup is made as every export is. Its environment variables are what the import keeps
 * for values the source does not give.
 */
import * as path from 'node:path'
import { Defaults, ImportInputs } from '../constants.js'
import { ActionError, CancelledError, errorMessage } from '../errors.js'
import { defaultArtifactName } from '../file-naming.js'
import type { PlatformHttp } from '../http/client.js'
import { prefixedLog, type Log } from '../lifecycle/run.js'
import type { Secrets } from '../lifecycle/secrets.js'
import type { TrackedPaths } from '../lifecycle/temporary-paths.js'
import { exportTool, type ToolLog } from '../pipeline/export-tool.js'
import type { ImportSettings } from './settings.js'

/** The backup, as the import's summary and outputs name it, and the file it was kept from. */
export interface Backup {
  artifactName: string
  artifactId: number
  artifactUrl?: string
  /** When it was taken (ISO 8601). */
  takenAt: string
  /** The verified export on disk. */
  filePath: string
}

export interface BackupDeps {
  http: PlatformHttp
  signal: AbortSignal
  secrets: Secrets
  temporary: TrackedPaths
  log: Log
  env: NodeJS.ProcessEnv
  /** A folder of the run's own, where the backup's file is saved. */
  folder: string
}

export async function backUp(settings: ImportSettings, deps: BackupDeps): Promise<Backup> {
  const toolId = settings.toolId!
  const takenAt = new Date().toISOString()
  const log: ToolLog = { ...prefixedLog(deps.log, '[backup] '), heartbeat: true }
  const target = {
    toolId,
    flowId: settings.flowId!,
    name: 'backup',
    folder: path.join(deps.folder, 'backup'),
    // Stamped with the time it was taken: artifact names are unique within a run, and a matrix or
    // a second import of the same tool in one run must not collide with this one.
    artifactName: defaultArtifactName(`${toolId}-before-import-${takenAt.replace(/[-:.]/g, '')}`)
  }
  let exported
  try {
    exported = await exportTool({ ...deps, log }, target, {
      platform: settings.platform,
      key: settings.key,
      timeoutMs: settings.timeoutMs,
      downloadTimeoutMs: Defaults.downloadTimeoutSeconds * 1000,
      maxPauseMs: Defaults.pollIntervalSeconds * 1000,
      uploadArtifact: true,
      verifyToolExport: true,
      envVariables: 'keep'
    })
  } catch (error) {
    if (error instanceof CancelledError) throw error
    const cause = error instanceof ActionError ? error.toString() : errorMessage(error)
    throw new ActionError(
      `The backup of tool ${toolId} before the import failed, so nothing was imported: ${cause}`,
      `Fix the cause above, or set "${ImportInputs.BackupBefore}: false" to import without a backup.`
    )
  }
  const { file, artifact } = exported
  return { artifactName: artifact!.name, artifactId: artifact!.id, artifactUrl: artifact!.url, takenAt, filePath: file!.filePath }
}
