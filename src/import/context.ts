/** What the steps of one import share. */
import type { PlatformHttp } from '../http/client.js'
import type { RetryContext } from '../http/retry.js'
import type { RunContext } from '../lifecycle/run.js'
import type { ImportClient } from '../platform/import-client.js'
import type { ImportReport } from '../report/import-summary.js'
import type { ImportSettings } from './settings.js'

export interface ImportContext extends RunContext<ImportSettings> {
  http: PlatformHttp
  client: ImportClient
  report: ImportReport
  /** A folder of the run's own, removed when it ends. */
  tempRoot: string
  retry: Omit<RetryContext, 'what'>
}
