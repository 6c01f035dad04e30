/**
 * Names, pure: the artifact's name, and the export file's name on disk, which is the artifact's
 * (a name a server proposes is never used: it could be another tool's, or a path).
 */
import * as path from 'node:path'
import { Defaults } from './constants.js'

/** Characters the artifact service refuses in a name (it mirrors NTFS's rules). */
const ARTIFACT_FORBIDDEN = /[":<>|*?\r\n\\/]/g
const MAX_NAME = 200

/** The artifact service's own rule; undefined when `name` is acceptable, else the reason. */
export function artifactNameProblem(name: string): string | undefined {
  if (!name.trim()) return 'it is empty'
  const bad = name.match(ARTIFACT_FORBIDDEN)
  if (bad) return `it contains ${JSON.stringify(bad[0])}; these are not allowed: " : < > | * ? \\ / and line breaks`
  if (name.length > MAX_NAME) return `it is longer than ${MAX_NAME} characters`
  return undefined
}

/** `koreai-tool-<toolId>`, with the characters the artifact service refuses replaced by `-`. */
export function defaultArtifactName(toolId: string): string {
  return `${Defaults.artifactPrefix}${toolId}`.replace(ARTIFACT_FORBIDDEN, '-').slice(0, MAX_NAME)
}

/**
 * The export's file name, on disk and in the artifact. The artifact is uploaded unzipped (the
 * export is a zip already), and an unzipped artifact takes its file's name, so the file is named
 * after the artifact; and the artifact's name holds the tool's id, so two tools' files never
 * share a name, while each run of one tool replaces the file of the run before.
 */
export function artifactFileName(artifactName: string): string {
  return /\.zip$/i.test(artifactName) ? artifactName : `${artifactName}.zip`
}

/** Whether `inner` is `outer` itself or lies below it, as the platform's paths are resolved. */
export function isWithin(outer: string, inner: string): boolean {
  const relative = path.relative(outer, inner)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}
