/**
 * agent/http/query.ts: parsing of Consul's common query parameters: blocking (`index`, `wait`),
 * consistency (`stale`, `consistent`, `leader`, `max_stale`) and small typed helpers. Bad
 * values are 400s with Consul's messages.
 */
import { httpDefaults } from '../config/defaults.js'
import { parseDurationMs } from '../config/duration.js'
import { ZxError } from '../errors.js'
import type { QueryOptions } from '../endpoints/blocking.js'

/** badRequest is a 400 with a plain-text message. */
export function badRequest(message: string): ZxError {
  return new ZxError('ZX_ERR_BAD_REQUEST', message, { status: 400 })
}

/** parseQueryOptions reads index/wait/consistency parameters. */
export function parseQueryOptions(query: URLSearchParams): QueryOptions {
  const stale = query.has('stale')
  const consistent = query.has('consistent')
  if (stale && consistent) throw badRequest('Cannot specify ?stale with ?consistent, conflicting semantics.')
  const indexText = query.get('index')
  let minIndex = 0
  if (indexText !== null && indexText !== '') {
    if (!/^\d+$/.test(indexText) || !Number.isSafeInteger(Number(indexText))) throw badRequest('Invalid index')
    minIndex = Number(indexText)
  }
  const waitText = query.get('wait')
  let waitMs: number = httpDefaults.defaultQueryTimeMs
  if (waitText !== null && waitText !== '') {
    const parsed = parseDurationMs(waitText)
    if (parsed === undefined) throw badRequest('Invalid wait time')
    waitMs = Math.min(parsed, httpDefaults.maxQueryTimeMs)
  }
  const maxStaleText = query.get('max_stale')
  let maxStaleMs: number | undefined
  if (maxStaleText !== null && maxStaleText !== '') {
    if (consistent) throw badRequest('Cannot specify ?max_stale with ?consistent, conflicting semantics.')
    maxStaleMs = parseDurationMs(maxStaleText)
    if (maxStaleMs === undefined) throw badRequest('Invalid max_stale value')
  }
  const mode = consistent ? 'consistent' : stale || maxStaleMs !== undefined ? 'stale' : 'leader'
  return maxStaleMs === undefined ? { minIndex, waitMs, mode } : { minIndex, waitMs, mode, maxStaleMs }
}

/** forwardTimeoutFor bounds a forwarded read: its blocking wait plus jitter plus a margin. */
export function forwardTimeoutFor(query: QueryOptions): number {
  if (query.minIndex === 0) return httpDefaults.forwardTimeoutMs
  return Math.min(query.waitMs * (1 + 1 / httpDefaults.jitterFraction), httpDefaults.maxQueryTimeMs) + httpDefaults.forwardTimeoutMs
}

/** parseUint reads an unsigned integer parameter (undefined if absent). */
export function parseUint(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name)
  if (text === null) return undefined
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw badRequest(`Invalid ${name}: ${JSON.stringify(text)}`)
  return Number(text)
}
