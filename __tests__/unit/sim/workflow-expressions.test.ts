/**
 * The expression evaluator of sim/workflow-runner.mjs: GitHub's semantics for what the README's
 * workflows use, and an error that quotes the expression for anything else.
 */
import { describe, expect, it } from '@jest/globals'
import { ExpressionError, condition, evaluate, interpolate } from '../../../sim/workflow-expressions.mjs'

const contexts = {
  github: { ref_name: 'v1.2.0', run_id: '4242', event_name: 'push' },
  steps: { export: { outputs: { changed: 'true', size: '506', results: '[{"name":"a","status":"SUCCESS"}]' }, outcome: 'success' } },
  secrets: { KOREAI_API_KEY: 'kg-key' },
  vars: { KOREAI_HOST: 'http://127.0.0.1:1' },
  env: {},
  matrix: { shard: 2 },
  needs: { export: { result: 'success', outputs: { artifact: 'tool-v1.zip' } } },
  inputs: { 'run-id': '17' }
}
const scope = (extra: Partial<Parameters<typeof evaluate>[1]> = {}) => ({ contexts, ...extra })
const value = (source: string) => evaluate(source, scope())

describe('workflow expressions', () => {
  it('reads contexts, with names in any case and dashes, by dot or index', () => {
    expect(value('steps.export.outputs.size')).toBe('506')
    expect(value("steps['export'].outputs['changed']")).toBe('true')
    expect(value('Steps.EXPORT.outputs.Changed')).toBe('true')
    expect(value('inputs.run-id')).toBe('17')
    expect(value('needs.export.outputs.artifact')).toBe('tool-v1.zip')
    expect(value('fromJSON(steps.export.outputs.results)[0].status')).toBe('SUCCESS')
  })

  it('gives null for a missing name, and reports the first missing one', () => {
    const missing: string[] = []
    const read: string[] = []
    const s = scope({ onMissing: (p: string) => missing.push(p), onRead: (p: string) => read.push(p) })
    expect(evaluate('steps.export.outputs.sha265', s)).toBeNull()
    expect(evaluate('steps.exprt.outputs.size', s)).toBeNull()
    expect(evaluate('secrets.KOREAI_KEY', s)).toBeNull()
    expect(missing).toEqual(['steps.export.outputs.sha265', 'steps.exprt', 'secrets.KOREAI_KEY'])
    evaluate('steps.export.outputs.size', s)
    expect(read).toEqual(['steps.export.outputs.size'])
  })

  it('compares as GitHub does: strings without case, other types as numbers; && and || give an operand', () => {
    expect(value("steps.export.outputs.changed == 'TRUE'")).toBe(true)
    expect(value("steps.export.outputs.changed != 'true'")).toBe(false)
    expect(value('matrix.shard == 2')).toBe(true)
    expect(value("matrix.shard == '2'")).toBe(true)
    expect(value("'' == 0")).toBe(true)
    expect(value('null == false')).toBe(true)
    expect(value("'abc' == 0")).toBe(false)
    expect(value('1 < 2 && 0x10 >= 16 && -1.5e1 < 0')).toBe(true)
    expect(value("steps.export.outputs.missing || 'default'")).toBe('default')
    expect(value("github.ref_name && 'tagged'")).toBe('tagged')
    expect(value("!(github.event_name == 'push') || false")).toBe(false)
    expect(value("'it''s'")).toBe("it's")
  })

  it('has the functions the workflows use', () => {
    expect(value("contains('Hello world', 'WORLD')")).toBe(true)
    expect(value('contains(fromJSON(\'["a", "b"]\'), \'B\')')).toBe(true)
    expect(value("startsWith(github.ref_name, 'V1')")).toBe(true)
    expect(value("endsWith(needs.export.outputs.artifact, '.zip')")).toBe(true)
    expect(value("format('{0}-{1} {{x}}', 'tool', github.run_id)")).toBe('tool-4242 {x}')
    expect(value("join(fromJSON('[1, 2]'), '+')")).toBe('1+2')
    expect(value('toJSON(matrix)')).toBe('{\n  "shard": 2\n}')
    expect(value('success() && !failure() && always() && !cancelled()')).toBe(true)
  })

  it('interpolates ${{ }} into text: null as empty, objects by kind', () => {
    const s = scope()
    expect(interpolate('tool-${{ github.ref_name }}.zip', s)).toBe('tool-v1.2.0.zip')
    expect(interpolate("${{ steps.export.outputs.none }}|${{ 'a}}b' }}|${{ matrix }}", s)).toBe('|a}}b|Object')
  })

  it('wraps an if: in success() unless it calls a status function', () => {
    const failed = scope({ status: { success: false, failure: true, cancelled: false } })
    expect(condition("steps.export.outputs.changed == 'true'", failed)).toBe(false)
    expect(condition("${{ steps.export.outputs.changed == 'true' }}", scope())).toBe(true)
    expect(condition('always()', failed)).toBe(true)
    expect(condition("${{ !cancelled() && steps.export.outputs.changed == 'true' }}", failed)).toBe(true)
    expect(condition('failure()', failed)).toBe(true)
    expect(condition(undefined, failed)).toBe(false)
    expect(() => condition("x ${{ 'a' }}", scope())).toThrow(ExpressionError)
  })

  it('refuses what it does not support, quoting the expression', () => {
    for (const [source, why] of [
      ["hashFiles('**/package-lock.json')", 'the function hashFiles() is not supported'],
      ['steps.*.outcome', 'the "*" filter is not supported'],
      ['strategy.job-index', '"strategy" is not a context here'],
      ['github.sha + 1', '"+" is not supported here'],
      ["format('{1}', 'a')", 'format() has no argument {1}'],
      ["fromJSON('{')", 'fromJSON() was given text that is not JSON'],
      ["contains('a')", 'contains() takes 2 to 2 arguments, not 1'],
      ['(github.sha', 'expected ")" at the end'],
      ["'open", 'an unterminated string']
    ]) {
      expect(() => value(source)).toThrow(ExpressionError)
      expect(() => value(source)).toThrow(why)
      expect(() => value(source)).toThrow(source)
    }
  })
})
