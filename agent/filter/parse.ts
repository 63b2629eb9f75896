/**
 * agent/filter/parse.ts: the parser of Consul's `?filter=` expression language (go-bexpr). An
 * expression is a tree of matches joined by `and`, `or`, `not` and parentheses; a match tests
 * one selector (a dotted path such as `Service.Tags` or `ServiceMeta.env`) against a value:
 *
 *   Selector == "v"   Selector != "v"   "v" in Selector   "v" not in Selector
 *   Selector contains "v"   Selector not contains "v"   Selector matches "re"
 *   Selector not matches "re"   Selector is empty   Selector is not empty
 *
 * Values are double-quoted strings (with backslash escapes), backtick raw strings, or bare
 * words (numbers, true/false, identifiers). `and` binds tighter than `or`, as in bexpr. The
 * parser is a plain recursive descent over a token list; bad input gets a ZX_ERR_BAD_REQUEST.
 */
import { ZxError } from '../errors.js'

/** FilterOp is every comparison a match may make. */
export type FilterOp =
  | 'equal' | 'notEqual' | 'in' | 'notIn' | 'contains' | 'notContains'
  | 'matches' | 'notMatches' | 'isEmpty' | 'isNotEmpty'

/** FilterExpr is a parsed filter expression tree. */
export type FilterExpr =
  | { type: 'and'; left: FilterExpr; right: FilterExpr }
  | { type: 'or'; left: FilterExpr; right: FilterExpr }
  | { type: 'not'; operand: FilterExpr }
  | { type: 'match'; op: FilterOp; selector: string[]; value: string | undefined }

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'op'; text: '==' | '!=' | '(' | ')' }

/** filterExpressionMaxChars caps an expression so a hostile query cannot burn CPU. */
export const filterExpressionMaxChars = 4096

/** parseFilter parses a filter expression or throws ZX_ERR_BAD_REQUEST saying what is wrong. */
export function parseFilter(source: string): FilterExpr {
  if (source.length > filterExpressionMaxChars) throw filterError('expression too long')
  const tokens = tokenize(source)
  if (tokens.length === 0) throw filterError('empty expression')
  const parser = new Parser(tokens)
  const expr = parser.parseOr()
  if (!parser.done()) throw filterError(`unexpected ${describe(parser.peek())}`)
  return expr
}

function filterError(detail: string): ZxError {
  return new ZxError('ZX_ERR_BAD_REQUEST', `Failed to create boolean expression evaluator: ${detail}`)
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < source.length) {
    const c = source[i]!
    if (/\s/.test(c)) { i++; continue }
    if (c === '(' || c === ')') { tokens.push({ kind: 'op', text: c }); i++; continue }
    if ((c === '=' || c === '!') && source[i + 1] === '=') {
      tokens.push({ kind: 'op', text: c === '=' ? '==' : '!=' }); i += 2; continue
    }
    if (c === '"') { const [text, next] = readQuoted(source, i); tokens.push({ kind: 'string', text }); i = next; continue }
    if (c === '`') {
      const end = source.indexOf('`', i + 1)
      if (end < 0) throw filterError('unterminated raw string')
      tokens.push({ kind: 'string', text: source.slice(i + 1, end) }); i = end + 1; continue
    }
    const start = i
    while (i < source.length && /[^\s()"`=!]/.test(source[i]!)) {
      if (source[i] === '[') {
        // A bracketed map key may hold quotes, dots and spaces: `Meta["a b"]`.
        const close = source.indexOf(']', i)
        if (close < 0) throw filterError('unterminated "["')
        i = close + 1
        continue
      }
      i++
    }
    if (i === start) throw filterError(`unexpected character ${JSON.stringify(c)} at ${i}`)
    tokens.push({ kind: 'word', text: source.slice(start, i) })
  }
  return tokens
}

function readQuoted(source: string, start: number): [string, number] {
  let out = ''
  let i = start + 1
  while (i < source.length) {
    const c = source[i]!
    if (c === '"') return [out, i + 1]
    if (c === '\\' && i + 1 < source.length) {
      const n = source[i + 1]!
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n
      i += 2
      continue
    }
    out += c
    i++
  }
  throw filterError('unterminated string')
}

function describe(token: Token | undefined): string {
  return token === undefined ? 'end of expression' : JSON.stringify(token.text)
}

class Parser {
  private position = 0
  constructor(private readonly tokens: Token[]) {}

  done(): boolean { return this.position >= this.tokens.length }
  peek(offset = 0): Token | undefined { return this.tokens[this.position + offset] }

  private isWord(text: string, offset = 0): boolean {
    const token = this.peek(offset)
    return token?.kind === 'word' && token.text.toLowerCase() === text
  }

  private next(): Token {
    const token = this.tokens[this.position++]
    if (token === undefined) throw filterError('unexpected end of expression')
    return token
  }

  parseOr(): FilterExpr {
    let left = this.parseAnd()
    while (this.isWord('or')) { this.position++; left = { type: 'or', left, right: this.parseAnd() } }
    return left
  }

  private parseAnd(): FilterExpr {
    let left = this.parseUnary()
    while (this.isWord('and')) { this.position++; left = { type: 'and', left, right: this.parseUnary() } }
    return left
  }

  private parseUnary(): FilterExpr {
    if (this.isWord('not')) { this.position++; return { type: 'not', operand: this.parseUnary() } }
    const token = this.peek()
    if (token?.kind === 'op' && token.text === '(') {
      this.position++
      const inner = this.parseOr()
      const close = this.next()
      if (close.kind !== 'op' || close.text !== ')') throw filterError(`expected ")" but found ${describe(close)}`)
      return inner
    }
    return this.parseMatch()
  }

  /** parseMatch reads `value [not] in selector` or `selector <op> [value]`. */
  private parseMatch(): FilterExpr {
    if (this.isWord('in', 1) || (this.isWord('not', 1) && this.isWord('in', 2))) {
      const value = this.readValue()
      const negated = this.isWord('not')
      this.position += negated ? 2 : 1
      return { type: 'match', op: negated ? 'notIn' : 'in', selector: this.readSelector(), value }
    }
    const selector = this.readSelector()
    const token = this.next()
    if (token.kind === 'op' && (token.text === '==' || token.text === '!=')) {
      return { type: 'match', op: token.text === '==' ? 'equal' : 'notEqual', selector, value: this.readValue() }
    }
    const word = token.kind === 'word' ? token.text.toLowerCase() : ''
    if (word === 'contains') return { type: 'match', op: 'contains', selector, value: this.readValue() }
    if (word === 'matches') return { type: 'match', op: 'matches', selector, value: this.readRegex() }
    if (word === 'is') {
      const negated = this.isWord('not')
      if (negated) this.position++
      if (!this.isWord('empty')) throw filterError(`expected "empty" after "is" but found ${describe(this.peek())}`)
      this.position++
      return { type: 'match', op: negated ? 'isNotEmpty' : 'isEmpty', selector, value: undefined }
    }
    if (word === 'not') {
      const after = this.next()
      const what = after.kind === 'word' ? after.text.toLowerCase() : ''
      if (what === 'contains') return { type: 'match', op: 'notContains', selector, value: this.readValue() }
      if (what === 'matches') return { type: 'match', op: 'notMatches', selector, value: this.readRegex() }
      throw filterError(`expected "contains" or "matches" after "not" but found ${describe(after)}`)
    }
    throw filterError(`expected an operator after ${selector.join('.')} but found ${describe(token)}`)
  }

  private readRegex(): string {
    const value = this.readValue()
    try { new RegExp(value) } catch { throw filterError(`invalid regular expression ${JSON.stringify(value)}`) }
    return value
  }

  private readValue(): string {
    const token = this.next()
    if (token.kind === 'op') throw filterError(`expected a value but found ${describe(token)}`)
    return token.text
  }

  /** readSelector splits `A.B.C` and `A["x.y"]` forms into path segments. */
  private readSelector(): string[] {
    const token = this.next()
    if (token.kind !== 'word') throw filterError(`expected a selector but found ${describe(token)}`)
    const parts: string[] = []
    const text = token.text
    const segment = /\.?([^.[\]]+)|\[\s*(?:"([^"]*)"|'([^']*)'|([^\]]*))\s*\]/gy
    let consumed = 0
    for (let found = segment.exec(text); found !== null; found = segment.exec(text)) {
      parts.push(found[1] ?? found[2] ?? found[3] ?? found[4] ?? '')
      consumed = segment.lastIndex
    }
    if (consumed !== text.length) throw filterError(`invalid selector ${JSON.stringify(text)}`)
    if (parts.some((part) => part.length === 0)) throw filterError(`invalid selector ${JSON.stringify(token.text)}`)
    return parts
  }
}
