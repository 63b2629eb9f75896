/**
 * agent/filter/evaluate.ts: evaluates a parsed filter expression against JSON-shaped records
 * (the same objects the API returns). Selectors walk object fields (exact name first, then
 * case-insensitively, as bexpr matches struct fields) and map keys (exact). Comparison follows
 * bexpr's spirit: the literal is coerced to the type of the selected value (numbers, booleans),
 * `in`/`contains` test membership in arrays, keys of maps and substrings of strings, and a
 * selector that leads nowhere makes a positive match false (and its negation true).
 */
import { assertNever } from '../errors.js'
import { parseFilter, type FilterExpr, type FilterOp } from './parse.js'

/** Filter is a compiled expression: call `matches(record)` per row. */
export interface Filter {
  readonly source: string
  matches(record: unknown): boolean
}

/** compileFilter parses once and returns a reusable matcher (throws ZX_ERR_BAD_REQUEST). */
export function compileFilter(source: string): Filter {
  const expr = parseFilter(source)
  const regexCache = new Map<string, RegExp>()
  return { source, matches: (record) => evaluate(expr, record, regexCache) }
}

/** applyFilter keeps the rows matching `source`; an absent or blank filter keeps all. */
export function applyFilter<T>(rows: T[], source: string | undefined): T[] {
  if (source === undefined || source.trim() === '') return rows
  const filter = compileFilter(source)
  return rows.filter((row) => filter.matches(row))
}

/** applyFilterToMap is applyFilter for map-shaped results such as /v1/agent/services. */
export function applyFilterToMap<T>(map: Record<string, T>, source: string | undefined): Record<string, T> {
  if (source === undefined || source.trim() === '') return map
  const filter = compileFilter(source)
  const out: Record<string, T> = {}
  for (const [key, value] of Object.entries(map)) if (filter.matches(value)) out[key] = value
  return out
}

function evaluate(expr: FilterExpr, record: unknown, regexCache: Map<string, RegExp>): boolean {
  switch (expr.type) {
    case 'and': return evaluate(expr.left, record, regexCache) && evaluate(expr.right, record, regexCache)
    case 'or': return evaluate(expr.left, record, regexCache) || evaluate(expr.right, record, regexCache)
    case 'not': return !evaluate(expr.operand, record, regexCache)
    case 'match': return matchOne(expr.op, select(record, expr.selector), expr.value ?? '', regexCache)
    default: return assertNever(expr)
  }
}

const missing = Symbol('missing')

function select(record: unknown, path: string[]): unknown {
  let current: unknown = record
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return missing
    const object = current as Record<string, unknown>
    if (Object.prototype.hasOwnProperty.call(object, segment)) { current = object[segment]; continue }
    const lower = segment.toLowerCase()
    const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === lower)
    if (key === undefined) return missing
    current = object[key]
  }
  return current
}

function matchOne(op: FilterOp, selected: unknown, value: string, regexCache: Map<string, RegExp>): boolean {
  switch (op) {
    case 'equal': return selected !== missing && equalTo(selected, value)
    case 'notEqual': return selected === missing || !equalTo(selected, value)
    case 'in':
    case 'contains': return selected !== missing && containsValue(selected, value)
    case 'notIn':
    case 'notContains': return selected === missing || !containsValue(selected, value)
    case 'matches': return typeof selected === 'string' && regex(value, regexCache).test(selected)
    case 'notMatches': return typeof selected !== 'string' || !regex(value, regexCache).test(selected)
    case 'isEmpty': return isEmpty(selected)
    case 'isNotEmpty': return !isEmpty(selected)
    default: return assertNever(op)
  }
}

function regex(source: string, cache: Map<string, RegExp>): RegExp {
  let compiled = cache.get(source)
  if (compiled === undefined) { compiled = new RegExp(source); cache.set(source, compiled) }
  return compiled
}

function equalTo(selected: unknown, value: string): boolean {
  if (typeof selected === 'string') return selected === value
  if (typeof selected === 'number') return value.trim() !== '' && Number(value) === selected
  if (typeof selected === 'boolean') return value.toLowerCase() === String(selected)
  if (selected === null || selected === undefined) return value === ''
  return false
}

function containsValue(selected: unknown, value: string): boolean {
  if (typeof selected === 'string') return selected.includes(value)
  if (Array.isArray(selected)) return selected.some((element) => equalTo(element, value))
  if (selected !== null && typeof selected === 'object') return Object.prototype.hasOwnProperty.call(selected, value)
  return false
}

function isEmpty(selected: unknown): boolean {
  if (selected === missing || selected === null || selected === undefined) return true
  if (typeof selected === 'string' || Array.isArray(selected)) return selected.length === 0
  if (typeof selected === 'object') return Object.keys(selected).length === 0
  return false
}
