// @ts-check
/**
 * GitHub Actions expressions (`${{ }}`), for sim/workflow-runner.mjs: the subset its workflows
 * use, evaluated as GitHub documents them ("Evaluate expressions in workflows and actions").
 *
 * Supported: literals (null, true, false, numbers, 'strings' with '' for a quote), contexts and
 * their properties (`a.b`, `a['b']`, `a[0]`; names are looked up case-insensitively, a missing
 * one is null), `!`, `<`, `<=`, `>`, `>=`, `==`, `!=`, `&&`, `||`, parentheses, and the functions
 * contains, startsWith, endsWith, format, join, toJSON, fromJSON, success, failure, always and
 * cancelled. `==` compares as GitHub does: strings without regard to case, values of different
 * types as numbers; `&&` and `||` give one of their operands.
 * Anything else (the `*` filter, hashFiles, an unknown context or function, stray characters)
 * throws an error that quotes the expression: never a silent empty value.
 */

/** @typedef {null | boolean | number | string | unknown[] | { [key: string]: unknown }} Value */

/**
 * @typedef {object} Scope
 * @property {Record<string, unknown>} contexts   github, env, steps... (only these names are known)
 * @property {{ success: boolean, failure: boolean, cancelled: boolean }} [status]  for the status functions
 * @property {(path: string) => void} [onMissing]  called with `steps.x.outputs.y` when a named property is not there
 * @property {(path: string, value: unknown) => void} [onRead]  called with every context path read and its value
 */

export class ExpressionError extends Error {}

const FUNCTIONS = [
  'contains',
  'startswith',
  'endswith',
  'format',
  'join',
  'tojson',
  'fromjson',
  'success',
  'failure',
  'always',
  'cancelled'
]

/**
 * @typedef {{ kind: 'number' | 'string' | 'name' | 'punct', text: string, value?: number | string }} Token
 * @param {string} source @returns {Token[]}
 */
function tokenize(source) {
  /** @type {Token[]} */
  const tokens = []
  let i = 0
  const fail = (/** @type {string} */ why) => {
    throw new ExpressionError(`${why} at position ${i + 1} of the expression "${source}"`)
  }
  while (i < source.length) {
    const rest = source.slice(i)
    const space = /^\s+/.exec(rest)
    if (space) {
      i += space[0].length
      continue
    }
    if (rest[0] === "'") {
      let value = ''
      let j = i + 1
      for (;;) {
        if (j >= source.length) fail('an unterminated string')
        if (source[j] === "'") {
          if (source[j + 1] === "'") {
            value += "'"
            j += 2
            continue
          }
          break
        }
        value += source[j++]
      }
      tokens.push({ kind: 'string', text: source.slice(i, j + 1), value })
      i = j + 1
      continue
    }
    const number = /^-?(?:0x[0-9a-f]+|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(?![\w.-])/i.exec(rest)
    if (number) {
      const text = number[0]
      const negative = text.startsWith('-')
      const magnitude = negative ? text.slice(1) : text
      const value = /^0x/i.test(magnitude) ? parseInt(magnitude, 16) : Number(magnitude)
      tokens.push({ kind: 'number', text, value: negative ? -value : value })
      i += text.length
      continue
    }
    const name = /^[a-z_][a-z0-9_-]*/i.exec(rest)
    if (name) {
      tokens.push({ kind: 'name', text: name[0] })
      i += name[0].length
      continue
    }
    const punct = /^(==|!=|<=|>=|&&|\|\||[!<>().,[\]])/.exec(rest)
    if (punct) {
      tokens.push({ kind: 'punct', text: punct[0] })
      i += punct[0].length
      continue
    }
    fail(rest[0] === '*' ? 'the "*" filter is not supported' : `"${rest[0]}" is not supported here`)
  }
  return tokens
}

/**
 * Evaluates one expression (the text inside `${{ }}`, or an `if:` without them).
 * @param {string} source @param {Scope} scope @returns {Value}
 */
export function evaluate(source, scope) {
  const tokens = tokenize(source)
  let at = 0
  const fail = (/** @type {string} */ why) => {
    throw new ExpressionError(`${why} in the expression "${source}"`)
  }
  const peek = () => tokens[at]
  const accept = (/** @type {string} */ text) => {
    if (tokens[at]?.kind === 'punct' && tokens[at].text === text) {
      at++
      return true
    }
    return false
  }
  const expect = (/** @type {string} */ text) => {
    if (!accept(text)) fail(`expected "${text}" ${tokens[at] ? `before "${tokens[at].text}"` : 'at the end'}`)
  }

  /** @returns {Value} */
  function or() {
    let left = and()
    while (accept('||')) {
      const right = and()
      left = truthy(left) ? left : right
    }
    return left
  }
  /** @returns {Value} */
  function and() {
    let left = equality()
    while (accept('&&')) {
      const right = equality()
      left = truthy(left) ? right : left
    }
    return left
  }
  /** @returns {Value} */
  function equality() {
    let left = comparison()
    for (;;) {
      if (accept('==')) left = looseEquals(left, comparison())
      else if (accept('!=')) left = !looseEquals(left, comparison())
      else return left
    }
  }
  /** @returns {Value} */
  function comparison() {
    let left = unary()
    for (;;) {
      const op = peek()?.kind === 'punct' && ['<', '<=', '>', '>='].includes(peek().text) ? tokens[at++].text : undefined
      if (!op) return left
      left = compare(left, unary(), op)
    }
  }
  /** @returns {Value} */
  function unary() {
    if (accept('!')) return !truthy(unary())
    return postfix()
  }
  /** @returns {Value} */
  function postfix() {
    let { value, path } = primary()
    for (;;) {
      /** @type {string | number | undefined} */
      let key
      if (accept('.')) {
        const name = tokens[at]
        if (name?.kind !== 'name') fail('a property name must follow "."')
        key = name.text
        at++
      } else if (accept('[')) {
        const index = or()
        expect(']')
        if (typeof index !== 'string' && typeof index !== 'number') fail('an index must be a string or a number')
        key = /** @type {string | number} */ (index)
      } else break
      const found = property(value, key)
      const known = path !== undefined && value !== null && typeof value === 'object'
      path = path === undefined ? undefined : `${path}.${key}`
      if (found === undefined) {
        if (known && path !== undefined) scope.onMissing?.(path)
        // Reported once, at the first name that is not there; what follows is null too.
        value = null
        path = undefined
      } else {
        value = /** @type {Value} */ (found)
        if (path !== undefined && (value === null || typeof value !== 'object')) scope.onRead?.(path, value)
      }
    }
    return value
  }
  /** @returns {{ value: Value, path?: string }} */
  function primary() {
    const token = tokens[at++]
    if (!token) return fail('the expression ends too early')
    if (token.kind === 'number' || token.kind === 'string') return { value: /** @type {Value} */ (token.value) }
    if (token.kind === 'punct') {
      if (token.text !== '(') return fail(`"${token.text}" is not expected here`)
      const value = or()
      expect(')')
      return { value }
    }
    const lower = token.text.toLowerCase()
    if (lower === 'true' || lower === 'false') return { value: lower === 'true' }
    if (lower === 'null') return { value: null }
    if (accept('(')) {
      /** @type {Value[]} */
      const args = []
      if (!accept(')')) {
        do args.push(or())
        while (accept(','))
        expect(')')
      }
      return { value: call(token.text, args) }
    }
    const name = Object.keys(scope.contexts).find(context => context.toLowerCase() === lower)
    if (name === undefined) return fail(`"${token.text}" is not a context here (known: ${Object.keys(scope.contexts).join(', ')})`)
    return { value: /** @type {Value} */ (scope.contexts[name] ?? null), path: name }
  }
  /** @param {string} name @param {Value[]} args @returns {Value} */
  function call(name, args) {
    const lower = name.toLowerCase()
    if (!FUNCTIONS.includes(lower)) return fail(`the function ${name}() is not supported`)
    const arity = /** @type {Record<string, [number, number]>} */ ({
      contains: [2, 2],
      startswith: [2, 2],
      endswith: [2, 2],
      format: [1, Infinity],
      join: [1, 2],
      tojson: [1, 1],
      fromjson: [1, 1],
      success: [0, 0],
      failure: [0, 0],
      always: [0, 0],
      cancelled: [0, 0]
    })[lower]
    if (args.length < arity[0] || args.length > arity[1]) fail(`${name}() takes ${arity.join(' to ')} arguments, not ${args.length}`)
    const status = scope.status ?? { success: true, failure: false, cancelled: false }
    switch (lower) {
      case 'contains': {
        const [search, item] = args
        if (Array.isArray(search)) return search.some(element => looseEquals(/** @type {Value} */ (element), item))
        return toText(search).toLowerCase().includes(toText(item).toLowerCase())
      }
      case 'startswith':
        return toText(args[0]).toLowerCase().startsWith(toText(args[1]).toLowerCase())
      case 'endswith':
        return toText(args[0]).toLowerCase().endsWith(toText(args[1]).toLowerCase())
      case 'format':
        return format(toText(args[0]), args.slice(1).map(toText))
      case 'join': {
        const [value, separator] = args
        if (!Array.isArray(value)) return toText(value)
        return value.map(element => toText(/** @type {Value} */ (element))).join(args.length > 1 ? toText(separator) : ',')
      }
      case 'tojson':
        return JSON.stringify(args[0], null, 2)
      case 'fromjson':
        try {
          return /** @type {Value} */ (JSON.parse(toText(args[0])))
        } catch (error) {
          return fail(`fromJSON() was given text that is not JSON (${error instanceof Error ? error.message : error})`)
        }
      case 'success':
        return status.success && !status.cancelled
      case 'failure':
        return status.failure && !status.cancelled
      case 'cancelled':
        return status.cancelled
      default:
        return true // always()
    }
    /** @param {string} template @param {string[]} values */
    function format(template, values) {
      return template.replace(/\{\{|\}\}|\{(\d+)\}|[{}]/g, (match, index) => {
        if (match === '{{') return '{'
        if (match === '}}') return '}'
        if (index === undefined) return fail(`format() was given a stray "${match}" in '${template}'`)
        if (Number(index) >= values.length) return fail(`format() has no argument {${index}} for '${template}'`)
        return values[Number(index)]
      })
    }
  }

  const value = or()
  if (at < tokens.length) fail(`"${tokens[at].text}" is not expected here`)
  return value
}

/**
 * A property of a value, looked up as GitHub does: an object's name without regard to case, an
 * array's index; undefined when there is none.
 * @param {Value} value @param {string | number} key @returns {unknown}
 */
function property(value, key) {
  if (Array.isArray(value)) {
    const index = typeof key === 'number' ? key : Number(key)
    return Number.isInteger(index) && index >= 0 && index < value.length ? value[index] : undefined
  }
  if (value === null || typeof value !== 'object') return undefined
  const name = String(key)
  if (Object.prototype.hasOwnProperty.call(value, name)) return value[name]
  const match = Object.keys(value).find(candidate => candidate.toLowerCase() === name.toLowerCase())
  return match === undefined ? undefined : value[match]
}

/** GitHub's truthiness: false, 0, -0, NaN, '' and null are false. @param {Value} value */
export function truthy(value) {
  if (value === null || value === false || value === '') return false
  if (typeof value === 'number') return !(value === 0 || Number.isNaN(value))
  return true
}

/**
 * A value as text, where an expression meets a string (`${{ }}` inside a value, contains()...):
 * null is '', an array 'Array', an object 'Object'.
 * @param {Value} value @returns {string}
 */
export function toText(value) {
  if (value === null) return ''
  if (Array.isArray(value)) return 'Array'
  if (typeof value === 'object') return 'Object'
  return String(value)
}

/** @param {Value} value @returns {number} */
function toNumber(value) {
  if (value === null) return 0
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'number') return value
  if (typeof value === 'string') {
    const text = value.trim()
    if (text === '') return 0
    return /^-?(0x[0-9a-f]+|(\d+\.?\d*|\.\d+)(e[+-]?\d+)?)$/i.test(text) ? Number(text) : NaN
  }
  return NaN
}

/** `==` as GitHub does it. @param {Value} a @param {Value} b */
function looseEquals(a, b) {
  const kind = (/** @type {Value} */ v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)
  if (kind(a) !== kind(b)) return toNumber(a) === toNumber(b)
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase()
  return a === b
}

/** @param {Value} a @param {Value} b @param {string} op */
function compare(a, b, op) {
  /** @type {[number | string, number | string]} */
  const [x, y] = typeof a === 'string' && typeof b === 'string' ? [a.toLowerCase(), b.toLowerCase()] : [toNumber(a), toNumber(b)]
  if (op === '<') return x < y
  if (op === '<=') return x <= y
  if (op === '>') return x > y
  return x >= y
}

/**
 * The `${{ }}` parts of a text, each with its position, found as GitHub finds them: from `${{` to
 * the first `}}` outside a string literal.
 * @param {string} text @returns {{ start: number, end: number, expression: string }[]}
 */
export function expressionsIn(text) {
  const found = []
  let from = 0
  for (;;) {
    const start = text.indexOf('${{', from)
    if (start < 0) return found
    let i = start + 3
    let quoted = false
    for (; i < text.length; i++) {
      if (text[i] === "'") quoted = !quoted
      else if (!quoted && text.startsWith('}}', i)) break
    }
    if (i >= text.length) throw new ExpressionError(`"\${{" without its "}}" in "${text}"`)
    found.push({ start, end: i + 2, expression: text.slice(start + 3, i).trim() })
    from = i + 2
  }
}

/**
 * A text with each `${{ }}` replaced by its value as text.
 * @param {string} text @param {Scope} scope @returns {string}
 */
export function interpolate(text, scope) {
  let result = ''
  let from = 0
  for (const part of expressionsIn(text)) {
    result += text.slice(from, part.start) + toText(evaluate(part.expression, scope))
    from = part.end
  }
  return result + text.slice(from)
}

/**
 * The value of an `if:` (with or without `${{ }}`), wrapped in success() when it calls no status
 * function, as GitHub does.
 * @param {string | boolean | number | undefined} condition @param {Scope} scope @returns {boolean}
 */
export function condition(condition, scope) {
  if (condition === undefined) return truthy(evaluate('success()', scope))
  if (typeof condition !== 'string') return truthy(condition)
  let source = condition.trim()
  const parts = expressionsIn(source)
  if (parts.length === 1 && parts[0].start === 0 && parts[0].end === source.length) source = parts[0].expression
  else if (parts.length) throw new ExpressionError(`an if: must be one expression, not text around \${{ }}: "${condition}"`)
  const callsStatus = /\b(success|failure|always|cancelled)\s*\(/i.test(source.replace(/'(?:[^']|'')*'/g, "''"))
  return truthy(evaluate(callsStatus ? source : `success() && (${source})`, scope))
}
