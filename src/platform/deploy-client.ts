/**
 * The deploy's platform calls: deploy a tool's in-development version (the one an import into it
 * replaced), or undeploy the tool, and read the job's status. The API takes no version: a deploy
 * deploys what is in development now. Each answer is parsed by answers.ts; a refusal becomes an
 * ActionError that says what to do; every failure after which the platform may have acted passes
 * unchanged, for the caller to decide (see isSafeToResend).
 */
import { HttpError, RefusedUrlError } from '../errors.js'
import { MAX_ANSWER_BYTES, type PlatformHttp } from '../http/client.js'
import { parseToolJobAnswer, type StatusAnswer, type ToolJobAnswer } from './answers.js'
import { explainCallFailure } from './connection.js'
import { readJobStatus } from './jobs.js'
import { deployUrl } from './urls.js'

export type DeployAction = 'deploy' | 'undeploy'

export interface DeployTarget {
  platform: URL
  toolId: string
  /** Said after the scope advice of a 403: what the refusal leaves behind (an import in development). */
  forbiddenAlso?: string
}

export class DeployClient {
  constructor(
    private readonly http: PlatformHttp,
    private readonly target: DeployTarget
  ) {}

  url(action: DeployAction): URL {
    return deployUrl(this.target.platform, this.target.toolId, action)
  }

  /**
   * Starts the job. The API requires `isAsync` on a deploy and does not say what it changes: the
   * job is waited for either way, and a final status in the first answer is taken as it is.
   */
  async start(action: DeployAction): Promise<ToolJobAnswer> {
    try {
      const body = action === 'deploy' ? { isAsync: true } : undefined
      return parseToolJobAnswer(await this.http.requestText('POST', this.url(action), MAX_ANSWER_BYTES, body))
    } catch (error) {
      if (error instanceof RefusedUrlError) throw this.explain(error, action)
      if (error instanceof HttpError && error.status >= 400 && error.status < 500 && error.status !== 429 && error.status !== 408) {
        throw this.explain(error, action)
      }
      throw error
    }
  }

  async getStatus(dockStatusId: string, action: DeployAction): Promise<StatusAnswer> {
    return readJobStatus(this.http, this.target.platform, dockStatusId, error =>
      explainCallFailure(error, this.call(action, `Checking the ${action} status`), this.target.platform)
    )
  }

  private explain(error: unknown, action: DeployAction): unknown {
    return explainCallFailure(error, this.call(action, `Starting the ${action}`), this.target.platform)
  }

  private call(action: DeployAction, what: string) {
    const { toolId, platform } = this.target
    return {
      what,
      scope: action === 'deploy' ? 'Deploy Tool' : 'Undeploy Tool',
      forbiddenAlso: this.target.forbiddenAlso,
      notFound: `Check that the tool "${toolId}" (input "toolId") exists on ${platform.host}, and that "host" is the right environment.`,
      refused:
        action === 'deploy'
          ? 'The platform refused to deploy the tool as it is: fix the errors and warnings of its flow on the platform (a deploy needs a flow without them), then run again.'
          : 'The platform refused to undeploy the tool: check its state on the platform, then run again.'
    }
  }
}
