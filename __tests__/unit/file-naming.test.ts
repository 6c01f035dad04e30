import { describe, expect, it } from '@jest/globals'
import { artifactFileName, artifactNameProblem, defaultArtifactName } from '../../src/file-naming.js'

describe('artifact names', () => {
  it('defaults to koreai-tool-<toolId>, made safe for the artifact service', () => {
    expect(defaultArtifactName('a-123')).toBe('koreai-tool-a-123')
    expect(defaultArtifactName('a/b:c*d')).toBe('koreai-tool-a-b-c-d')
    expect(artifactNameProblem(defaultArtifactName('x"<>|?\\\r\n'))).toBeUndefined()
  })

  it('names the uploaded file after the artifact, with .zip once', () => {
    expect(artifactFileName('nightly')).toBe('nightly.zip')
    expect(artifactFileName('nightly.ZIP')).toBe('nightly.ZIP')
  })

  it('explains names the service would refuse', () => {
    expect(artifactNameProblem('a/b')).toMatch(/contains "\/"/)
    expect(artifactNameProblem('  ')).toMatch(/empty/)
    expect(artifactNameProblem('x'.repeat(201))).toMatch(/longer/)
    expect(artifactNameProblem('Banking Assistant v2')).toBeUndefined()
  })
})
