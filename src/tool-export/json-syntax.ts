import { JsonSyntaxError } from '../errors.js'
import { UTF8_BOM } from './definition-json.js'
/**
 * Checks that a stream of bytes is one JSON text (RFC 8259), piece by piece, without building it:
 * memory stays at a few numbers and one small stack however large the file is. Pure.
 *
 * Why not a library: streaming JSON parsers build every token as a value. On a structure-heavy
 * 240 MB flow definition @streamparser/json checked 38 MB/s, this checker 224 MB/s (JSON.parse,
 * which needs the whole text in memory, 128 MB/s); verifying must stay a fraction of the download.
 */

/** Deeper than this is refused rather than tracked: no definition nests so far, and the stack stays small. */
export const MAX_DEPTH = 10_000

const enum State {
  /** A value must come (after `:`, `[`, `,` in an array, or at the start). */
  Value,
  /** After `[`: a value or `]`. */
  ValueOrEnd,
  /** After `{`: a key or `}`. */
  KeyOrEnd,
  /** After `,` in an object: a key. */
  Key,
  /** After a key: `:`. */
  Colon,
  /** After a value inside a container: `,` or the closing bracket. */
  CommaOrEnd,
  /** After the top-level value: only whitespace. */
  Done,
  String,
  StringEscape,
  StringUnicode,
  Literal,
  /** Number parts, as the grammar names them. */
  Minus,
  Zero,
  Integer,
  Point,
  Fraction,
  Exponent,
  ExponentSign,
  ExponentDigits
}

const OBJECT = 1
const ARRAY = 2

/** 1 for the bytes a string goes on with; 0 for `"`, `\\` and the control characters. One look-up a byte. */
const STRING_PLAIN = new Uint8Array(256).map((_, b) => (b === 0x22 || b === 0x5c || b < 0x20 ? 0 : 1))

/** The chunk's memory as 32-bit words, from the start of its buffer (so word k is bytes 4k–4k+3 of it). */
function wordsOf(chunk: Uint8Array): Int32Array {
  return new Int32Array(chunk.buffer, 0, (chunk.byteOffset + chunk.length) >> 2)
}

/**
 * The index of the first byte at or after `from` that is not plain string content (`"`, `\\`, a
 * control character), or the chunk's length. Four bytes at a time: a word holds such a byte
 * exactly when one of three bit tests says so (a byte below 0x20; a byte equal to `"` or `\\`,
 * as a zero byte after an XOR), and only then are its bytes looked at one by one. This made
 * verifying a string-heavy definition about 2.5 times faster than a loop over every byte.
 */
function skipPlain(chunk: Uint8Array, words: Int32Array, from: number): number {
  const n = chunk.length
  const base = chunk.byteOffset
  let i = from
  while (i < n && ((base + i) & 3) !== 0) {
    if (STRING_PLAIN[chunk[i]] === 0) return i
    i++
  }
  if (i === n) return n
  let w = (base + i) >> 2
  const end = (base + n) >> 2
  while (w < end) {
    const x = words[w]
    const quote = x ^ 0x22222222
    const backslash = x ^ 0x5c5c5c5c
    if ((((x - 0x20202020) & ~x) | ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash)) & 0x80808080) break
    w++
  }
  i = (w << 2) - base
  while (i < n && STRING_PLAIN[chunk[i]] === 1) i++
  return i
}

const isWhitespace = (b: number): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09
const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39
const isHex = (b: number): boolean => isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)

export class JsonSyntaxChecker {
  private state: State = State.Value
  private readonly stack = new Uint8Array(MAX_DEPTH)
  private depth = 0
  /** Whether the string being read is an object key (a colon follows it). */
  private stringIsKey = false
  private hexLeft = 0
  private literal = ''
  private literalAt = 0
  private offset = 0
  /** How many bytes of a leading byte order mark have been read; -1 once the text itself began. */
  private bomAt = 0

  /** Feeds the next piece; throws JsonSyntaxError at the first byte that cannot belong. */
  push(chunk: Uint8Array): void {
    const n = chunk.length
    let i = 0
    // A byte order mark before the text is no part of it (definition-json.ts), even split between pieces.
    while (this.bomAt >= 0 && i < n) {
      if (chunk[i] === UTF8_BOM[this.bomAt]) {
        i++
        if (++this.bomAt === UTF8_BOM.length) this.bomAt = -1
      } else if (this.bomAt === 0) this.bomAt = -1
      else throw this.error('an incomplete byte order mark', i)
    }
    let words: Int32Array | undefined
    while (i < n) {
      const b = chunk[i]
      switch (this.state) {
        case State.String: {
          // The hot loop: most bytes of a definition are inside strings.
          i = skipPlain(chunk, (words ??= wordsOf(chunk)), i)
          if (i === n) continue
          const c = chunk[i]
          if (c === 0x5c) this.state = State.StringEscape
          else if (c === 0x22) this.endValue(this.stringIsKey)
          else throw this.error('a control character inside a string', i)
          i++
          continue
        }
        case State.StringEscape:
          if (b === 0x75) {
            this.state = State.StringUnicode
            this.hexLeft = 4
          } else if (b === 0x22 || b === 0x5c || b === 0x2f || b === 0x62 || b === 0x66 || b === 0x6e || b === 0x72 || b === 0x74) {
            this.state = State.String
          } else throw this.error('an unknown escape in a string', i)
          i++
          continue
        case State.StringUnicode:
          if (!isHex(b)) throw this.error('a \\u escape without four hex digits', i)
          if (--this.hexLeft === 0) this.state = State.String
          i++
          continue
        case State.Literal:
          if (b !== this.literal.charCodeAt(this.literalAt)) throw this.error(`an unknown word (expected "${this.literal}")`, i)
          if (++this.literalAt === this.literal.length) this.endValue(false)
          i++
          continue
        case State.Minus:
          if (b === 0x30) this.state = State.Zero
          else if (isDigit(b)) this.state = State.Integer
          else throw this.error('a minus sign without digits', i)
          i++
          continue
        case State.Zero:
        case State.Integer:
        case State.Fraction:
        case State.ExponentDigits:
          if (isDigit(b) && this.state !== State.Zero) {
            i++
            continue
          }
          if (b === 0x2e && (this.state === State.Zero || this.state === State.Integer)) {
            this.state = State.Point
            i++
            continue
          }
          if ((b === 0x65 || b === 0x45) && this.state !== State.ExponentDigits) {
            this.state = State.Exponent
            i++
            continue
          }
          if (isDigit(b)) throw this.error('a number with a leading zero', i)
          // The number ended: this byte belongs to what follows it.
          this.endValue(false)
          continue
        case State.Point:
          if (!isDigit(b)) throw this.error('a decimal point without digits after it', i)
          this.state = State.Fraction
          i++
          continue
        case State.Exponent:
          if (b === 0x2b || b === 0x2d) this.state = State.ExponentSign
          else if (isDigit(b)) this.state = State.ExponentDigits
          else throw this.error('an exponent without digits', i)
          i++
          continue
        case State.ExponentSign:
          if (!isDigit(b)) throw this.error('an exponent without digits', i)
          this.state = State.ExponentDigits
          i++
          continue
      }
      // Structural states: whitespace is skipped between tokens.
      if (isWhitespace(b)) {
        i++
        continue
      }
      switch (this.state) {
        case State.Value:
        case State.ValueOrEnd:
          if (b === 0x5d && this.state === State.ValueOrEnd) this.close(ARRAY, i)
          else this.startValue(b, i)
          break
        case State.KeyOrEnd:
        case State.Key:
          if (b === 0x7d && this.state === State.KeyOrEnd) this.close(OBJECT, i)
          else if (b === 0x22) {
            this.state = State.String
            this.stringIsKey = true
          } else throw this.error('an object key that is not a string', i)
          break
        case State.Colon:
          if (b !== 0x3a) throw this.error('a missing ":" after an object key', i)
          this.state = State.Value
          break
        case State.CommaOrEnd: {
          const container = this.stack[this.depth - 1]
          if (b === 0x2c) this.state = container === OBJECT ? State.Key : State.Value
          else if (b === 0x7d || b === 0x5d) this.close(b === 0x7d ? OBJECT : ARRAY, i)
          else throw this.error(`a missing "," or "${container === OBJECT ? '}' : ']'}"`, i)
          break
        }
        case State.Done:
          throw this.error('more text after the JSON value', i)
      }
      i++
    }
    this.offset += n
  }

  /** Called after the last piece: throws when the text stopped in the middle of a value. */
  end(): void {
    switch (this.state) {
      case State.Done:
        return
      case State.Zero:
      case State.Integer:
      case State.Fraction:
      case State.ExponentDigits:
        if (this.depth === 0) return
    }
    if (this.offset === 0) throw new JsonSyntaxError('an empty file', 0)
    if (this.bomAt > 0) throw new JsonSyntaxError('an incomplete byte order mark', this.offset)
    if (this.state === State.Value && this.depth === 0) throw new JsonSyntaxError('no JSON value, only white space', this.offset)
    throw new JsonSyntaxError('the text ends in the middle of a value', this.offset)
  }

  private startValue(b: number, i: number): void {
    switch (b) {
      case 0x7b:
      case 0x5b:
        if (this.depth >= MAX_DEPTH) throw this.error(`nesting deeper than ${MAX_DEPTH} levels`, i)
        this.stack[this.depth++] = b === 0x7b ? OBJECT : ARRAY
        this.state = b === 0x7b ? State.KeyOrEnd : State.ValueOrEnd
        return
      case 0x22:
        this.state = State.String
        this.stringIsKey = false
        return
      case 0x2d:
        this.state = State.Minus
        return
      case 0x30:
        this.state = State.Zero
        return
      case 0x74:
      case 0x66:
      case 0x6e:
        this.literal = b === 0x74 ? 'true' : b === 0x66 ? 'false' : 'null'
        this.literalAt = 1
        this.state = State.Literal
        return
    }
    if (isDigit(b)) this.state = State.Integer
    else throw this.error('a character that cannot start a value', i)
  }

  private close(container: number, i: number): void {
    if (this.stack[this.depth - 1] !== container) throw this.error('a closing bracket that does not match', i)
    this.depth--
    this.endValue(false)
  }

  private endValue(isKey: boolean): void {
    if (isKey) this.state = State.Colon
    else this.state = this.depth === 0 ? State.Done : State.CommaOrEnd
  }

  private error(reason: string, i: number): JsonSyntaxError {
    return new JsonSyntaxError(reason, this.offset + i)
  }
}
