import { describe, expect, it } from '@jest/globals'
import { artifactFileName, artifactNameProblem, contentDispositionName, defaultArtifactName, safeFileName } from '../../src/file-naming.js'

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

describe('Content-Disposition', () => {
  it.each([
    ['attachment; filename="Banking Assistant.zip"', 'Banking Assistant.zip'],
    ['attachment; filename=plain.zip', 'plain.zip'],
    ['attachment; filename="fallback.zip"; filename*=UTF-8\'\'Caf%C3%A9%20Bot.zip', 'Café Bot.zip'],
    ['attachment; filename="quo\\"te.zip"', 'quo"te.zip'],
    ['inline', undefined],
    [undefined, undefined]
  ])('reads %j', (header, name) => {
    expect(contentDispositionName(header)).toBe(name)
  })
})

describe('safeFileName', () => {
  it('keeps plain names', () => {
    expect(safeFileName('Banking Assistant.zip')).toBe('Banking Assistant.zip')
    expect(safeFileName('Café Bot (v2).zip')).toBe('Café Bot (v2).zip')
  })

  it.each([
    '../evil.zip',
    '..',
    '/etc/passwd',
    'C:\\x.zip',
    'a/b.zip',
    'a\\b.zip',
    'bad\u0000.zip',
    'line\nbreak.zip',
    '.hidden',
    'x.zip.',
    'NUL',
    'con.zip',
    'a|b.zip',
    'x'.repeat(201),
    ''
  ])('refuses %j', name => {
    expect(safeFileName(name)).toBeUndefined()
  })
})
