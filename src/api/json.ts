/**
 * src/api/json.ts: decoding agent answers. JSON.parse turns integers above 2^53 into wrong
 * doubles, and KV `Flags` is a uint64 whose lock/semaphore values are above 2^53. So `Flags`
 * numbers are quoted before parsing (the pattern only matches a `"Flags":` key followed by an
 * integer, never text inside a string value, because values are base64) and become bigints.
 */
import { LabError } from '../errors.js'
import type { KvPair } from './types.js'

/** parseJson decodes a JSON body, turning a syntax error into ZX_ERR_BAD_RESPONSE. */
export function parseJson(body: Buffer | string, what: string): unknown {
  const text = typeof body === 'string' ? body : body.toString('utf8')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new LabError('ZX_ERR_BAD_RESPONSE', `the agent sent invalid JSON for ${what}: ${text.slice(0, 120)}`, { cause: error })
  }
}

/** parseKvPairs decodes a KV GET body into pairs with lossless bigint Flags. */
export function parseKvPairs(body: Buffer): KvPair[] {
  const quoted = body.toString('utf8').replace(/"Flags"\s*:\s*(\d+)/g, '"Flags":"$1"')
  const raw = parseJson(quoted, 'a KV read')
  if (!Array.isArray(raw)) throw new LabError('ZX_ERR_BAD_RESPONSE', 'the agent sent a KV answer that is not an array')
  return raw.map(toKvPair)
}

function toKvPair(raw: unknown): KvPair {
  if (typeof raw !== 'object' || raw === null || typeof (raw as { Key?: unknown }).Key !== 'string') {
    throw new LabError('ZX_ERR_BAD_RESPONSE', 'the agent sent a KV entry without a Key')
  }
  const entry = raw as Record<string, unknown>
  const flags = entry.Flags
  const pair: KvPair = {
    Key: entry.Key as string,
    Flags: typeof flags === 'string' && /^\d+$/.test(flags) ? BigInt(flags) : 0n,
    Value: typeof entry.Value === 'string' ? entry.Value : null,
    LockIndex: numberOr(entry.LockIndex),
    CreateIndex: numberOr(entry.CreateIndex),
    ModifyIndex: numberOr(entry.ModifyIndex),
  }
  if (typeof entry.Session === 'string' && entry.Session !== '') pair.Session = entry.Session
  return pair
}

function numberOr(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0
}

/** decodeValue turns a KvPair's base64 Value into bytes (empty for null). */
export function decodeValue(pair: KvPair): Buffer {
  return pair.Value === null ? Buffer.alloc(0) : Buffer.from(pair.Value, 'base64')
}

/** stringifyWithBigints renders JSON with bigints as plain integers (for --json output). */
export function stringifyWithBigints(value: unknown, indent = 2): string {
  const marker = '__zx_bigint__:'
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${marker}${v.toString()}` : v), indent)
  return text.replace(new RegExp(`"${marker}(\\d+)"`, 'g'), '$1')
}
