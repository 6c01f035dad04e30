import { describe, expect, it } from '@jest/globals'
import { formatBytes } from '../../../src/log-text.js'
import { changeRows, contentRows, exportSummary, setSummary, summaryRows } from '../../../src/report/export-summary.js'

describe('summaryRows', () => {
  it('lists tool, status, duration, file, size, sha256 and a link to the artifact', () => {
    const rows = Object.fromEntries(
      summaryRows({
        toolId: 'a-1',
        host: 'agent-platform.kore.ai',
        status: 'SUCCESS',
        durationMs: 4200,
        fileName: 'Banking Assistant.zip',
        size: 2048,
        sha256: 'ab12',
        artifactName: 'koreai-tool-a-1.zip',
        artifactUrl: 'https://github.com/o/r/actions/runs/1/artifacts/9'
      })
    )
    expect(rows).toEqual({
      Tool: '<code>a-1</code>',
      Host: 'agent-platform.kore.ai',
      Status: '✅ SUCCESS',
      Duration: '4.2 s',
      File: '<code>Banking Assistant.zip</code>',
      Size: '2.0 KiB (2048 bytes)',
      'SHA-256': '<code>ab12</code>',
      Artifact: '<a href="https://github.com/o/r/actions/runs/1/artifacts/9">koreai-tool-a-1.zip</a>'
    })
  })

  it('shows a failure and escapes what it did not write', () => {
    const rows = Object.fromEntries(summaryRows({ toolId: '<b>', status: 'FAILED', error: 'x & "y"' }))
    expect(rows.Tool).toBe('<code>&#60;b&#62;</code>')
    expect(rows.Status).toBe('❌ FAILED')
    expect(rows.Error).toBe('x &#38; &#34;y&#34;')
    expect(Object.fromEntries(summaryRows({})).Status).toBe('❌ not started')
  })

  it("names the tool as its export does, and lists the export's files with their sizes", () => {
    const rows = summaryRows({ toolId: 'a-1', toolName: 'Bank <Bot>' })
    expect(rows[0]).toEqual(['Tool', 'Bank &#60;Bot&#62; (<code>a-1</code>)'])
    expect(
      contentRows([
        { name: 'flow_definition.json', size: 2048 },
        { name: 'a&b.json', size: 3 }
      ])
    ).toEqual([
      ['<code>flow_definition.json</code>', '2.0 KiB (2048 bytes)'],
      ['<code>a&#38;b.json</code>', '3 bytes']
    ])
    const many = Array.from({ length: 25 }, (_, i) => ({ name: `f${i}.json`, size: i }))
    expect(contentRows(many)).toHaveLength(21)
    expect(contentRows(many).at(-1)).toEqual(['… and 5 more', ''])
  })

  it('never shows a step green unless every phase succeeded', () => {
    const status = (report: Parameters<typeof summaryRows>[0]) => Object.fromEntries(summaryRows(report)).Status
    expect(status({ status: 'SUCCESS', phase: 'upload', error: 'Uploading failed' })).toBe('❌ the export job succeeded; the upload failed')
    expect(status({ status: 'SUCCESS', phase: 'unpack', error: 'x', cancelled: true })).toBe(
      '❌ the export job succeeded; unpacking was cancelled'
    )
    expect(status({ status: 'IN_PROGRESS', timedOutAfterSeconds: 90, error: 'x' })).toBe('❌ timed out after 90 s, still IN_PROGRESS')
    expect(status({ phase: 'wait', cancelled: true, error: 'x' })).toBe('❌ cancelled while waiting for the job')
  })

  it('redacts secrets before escaping, so no escaped form escapes the mask', () => {
    const rows = Object.fromEntries(summaryRows({ error: 'HTTP 401: Invalid API key "kg-a&b"' }, text => text.split('kg-a&b').join('***')))
    expect(rows.Error).toBe('HTTP 401: Invalid API key &#34;***&#34;')
  })

  it('says which envVariables policy applied and how many values were redacted, and lists what changed, escaped', () => {
    const rows = Object.fromEntries(summaryRows({ changed: true, envVariables: { policy: 'redact', shape: 'array', redacted: 2 } }))
    expect(rows['Environment variables']).toBe('redact: 2 values replaced by placeholders')
    expect(Object.fromEntries(summaryRows({ envVariables: { policy: 'omit' } }))['Environment variables']).toBe(
      'omit: env_variables.json left out of the repository copy'
    )
    expect(
      changeRows([
        { kind: 'added', name: 'a<b>.json', lines: { added: 3, removed: 0 } },
        { kind: 'changed', name: 'flow_definition.json', lines: { added: 1, removed: 1 } },
        { kind: 'removed', name: 'notes.txt' }
      ])
    ).toEqual([
      ['<code>a&#60;b&#62;.json</code>', 'added', '+3 -0 lines'],
      ['<code>flow_definition.json</code>', 'changed', '+1 -1 lines'],
      ['<code>notes.txt</code>', 'removed', '']
    ])
    const many = Array.from({ length: 52 }, (_, i) => ({ kind: 'added' as const, name: `f${i}.json` }))
    expect(changeRows(many).at(-1)).toEqual(['… and 2 more', '', ''])
  })

  it('says a check compared the export with a folder, and whether it found drift; no "unpacked to", no "changed since"', () => {
    const same = Object.fromEntries(summaryRows({ status: 'SUCCESS', comparedWith: 'koreai/banking', changed: false, fileChanges: [] }))
    expect(same['Compared with']).toBe('<code>koreai/banking</code>')
    expect(same['Drift check']).toBe('✅ no drift: the export equals the folder in value; nothing was written')
    expect(same['Unpacked to']).toBeUndefined()
    expect(same['Changed since the last run']).toBeUndefined()
    expect(same.Status).toBe('✅ SUCCESS')
    const fileChanges = [
      { kind: 'changed' as const, name: 'flow_definition.json', lines: { added: 3, removed: 1 } },
      { kind: 'added' as const, name: 'notes.txt' }
    ]
    const drift = { status: 'SUCCESS', comparedWith: 'koreai/banking', changed: true, fileChanges }
    expect(Object.fromEntries(summaryRows(drift))['Drift check']).toBe('❌ drift: 2 files differ from the folder; nothing was written')
    const html = exportSummary(drift, text => text)
    expect(html).toContain('What differs from the repository copy')
    expect(html).not.toContain('What changed in the repository copy')
  })

  it('a set checked: how many tools differ, and a column that says so', () => {
    const html = setSummary(
      [
        { name: 'banking', status: 'SUCCESS', comparedWith: 'koreai/banking', changed: true },
        { name: 'travel', status: 'SUCCESS', comparedWith: 'koreai/travel', changed: false }
      ],
      "The platform's tools differ from git (1 of 2): …",
      1000,
      text => text
    )
    expect(html).toContain('Compared with git (extract: check): 1 of 2 tools differ; nothing was written.')
    expect(html).toContain('<th>Differs from git</th>')
    expect(setSummary([{ name: 'banking', status: 'SUCCESS', changed: true }], undefined, 1000, text => text)).not.toContain(
      'extract: check'
    )
  })

  it('formats sizes', () => {
    expect(formatBytes(12)).toBe('12 bytes')
    expect(formatBytes(512 * 1024 * 1024)).toBe('512.0 MiB (536870912 bytes)')
  })
})
