/** Input names, exactly as action.yml declares them. */
export enum Inputs {
  Host = 'host',
  Key = 'key',
  ToolId = 'toolId',
  FlowId = 'flowId',
  Tools = 'tools',
  Concurrency = 'concurrency',
  TimeoutSeconds = 'timeoutSeconds',
  DownloadTimeoutSeconds = 'downloadTimeoutSeconds',
  PollIntervalSeconds = 'pollIntervalSeconds',
  Path = 'path',
  ArtifactName = 'artifactName',
  UploadArtifact = 'uploadArtifact',
  RetentionDays = 'retentionDays',
  Verify = 'verify',
  Extract = 'extract',
  ExtractPath = 'extractPath',
  EnvVariables = 'envVariables',
  RedactionKey = 'redactionKey'
}

/** Output names, exactly as action.yml declares them. */
export enum Outputs {
  Status = 'status',
  DockStatusId = 'dockStatusId',
  ExportJobId = 'exportJobId',
  DownloadUrl = 'downloadUrl',
  FilePath = 'filePath',
  Sha256 = 'sha256',
  Size = 'size',
  ArtifactName = 'artifactName',
  ArtifactId = 'artifactId',
  ArtifactUrl = 'artifactUrl',
  ExtractedPath = 'extractedPath',
  Changed = 'changed',
  Changes = 'changes',
  Results = 'results',
  Succeeded = 'succeeded',
  Failed = 'failed'
}

export const Defaults = {
  timeoutSeconds: 600,
  /** The whole download, retries included: 15 minutes. */
  downloadTimeoutSeconds: 900,
  pollIntervalSeconds: 5,
  concurrency: 4,
  artifactPrefix: 'koreai-tool-',
  /** Folder under RUNNER_TEMP used when `path` is not given. */
  tempFolder: 'koreai-tool-export'
} as const

export const API_KEY_HEADER = 'x-api-key'

/** The User-Agent's product, to which each request adds the entry point that sent it. */
export const USER_AGENT_PRODUCT = 'koreai-tool-export/1'

/** The import entry's own inputs (import/action.yml); host, key, toolId, flowId and timeoutSeconds are shared with Inputs. */
export enum ImportInputs {
  Source = 'source',
  ToolName = 'toolName',
  BackupBefore = 'backupBefore',
  EnvValues = 'envValues',
  EnvConflict = 'envConflict',
  DryRun = 'dryRun',
  Deploy = 'deploy',
  Rollback = 'rollback'
}

/** The import entry's outputs, exactly as import/action.yml declares them. */
export enum ImportOutputs {
  Status = 'status',
  ToolId = 'toolId',
  DockStatusId = 'dockStatusId',
  BackupArtifactId = 'backupArtifactId',
  DeployStatus = 'deployStatus',
  DeployDockStatusId = 'deployDockStatusId',
  RolledBack = 'rolledBack'
}

/** The deploy entry's own inputs (deploy/action.yml); host, key, toolId and timeoutSeconds are shared with Inputs. */
export enum DeployInputs {
  Undeploy = 'undeploy'
}

/** The deploy entry's outputs, exactly as deploy/action.yml declares them. */
export enum DeployOutputs {
  Status = 'status',
  DockStatusId = 'dockStatusId',
  ToolId = 'toolId'
}
