import { describe, expect, it } from '@jest/globals'
import { artifactPageUrl, artifactServiceProblem } from '../../../src/artifact/upload.js'

const RUNTIME = { ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'https://results.example/' }

describe('artifactServiceProblem', () => {
  it('accepts github.com, GHE.com and a runner with the runtime variables', () => {
    expect(artifactServiceProblem({ ...RUNTIME })).toBeUndefined()
    expect(artifactServiceProblem({ ...RUNTIME, GITHUB_SERVER_URL: 'https://github.com' })).toBeUndefined()
    expect(artifactServiceProblem({ ...RUNTIME, GITHUB_SERVER_URL: 'https://octo.ghe.com' })).toBeUndefined()
  })

  it('refuses GitHub Enterprise Server, pointing at uploadArtifact: false', () => {
    const problem = String(artifactServiceProblem({ ...RUNTIME, GITHUB_SERVER_URL: 'https://github.acme.corp' }))
    expect(problem).toContain('not supported on GitHub Enterprise Server (https://github.acme.corp)')
    expect(problem).toContain('"uploadArtifact: false"')
  })

  it('explains a run outside Actions', () => {
    const problem = String(artifactServiceProblem({}))
    expect(problem).toContain('ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set')
    expect(problem).toContain('"uploadArtifact: false"')
  })
})

describe('artifactPageUrl', () => {
  it('builds the run page link as actions/upload-artifact does', () => {
    expect(artifactPageUrl({ GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '7' }, 9)).toBe('https://github.com/o/r/actions/runs/7/artifacts/9')
    expect(artifactPageUrl({ GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '7', GITHUB_SERVER_URL: 'https://octo.ghe.com/' }, 9)).toBe(
      'https://octo.ghe.com/o/r/actions/runs/7/artifacts/9'
    )
    expect(artifactPageUrl({}, 9)).toBeUndefined()
  })
})
