/**
 * src/kv/format.ts: how `zx kv` prints entries, matching `consul kv get`: the raw value, or
 * `key:value` lines with --recurse, or the aligned --detailed block (value column at 17), with
 * --base64 showing values base64-encoded.
 */
import { decodeValue } from '../api/json.js'
import type { KvPair } from '../api/types.js'
import { keyValues } from '../format/table.js'

/** valueText renders a pair's value as text, or base64 when asked. */
export function valueText(pair: KvPair, base64: boolean): string {
  const bytes = decodeValue(pair)
  return base64 ? bytes.toString('base64') : bytes.toString('utf8')
}

/** detailedBlock renders one pair like `consul kv get -detailed`. */
export function detailedBlock(pair: KvPair, base64: boolean): string {
  return keyValues([
    ['CreateIndex', String(pair.CreateIndex)],
    ['Flags', pair.Flags.toString()],
    ['Key', pair.Key],
    ['LockIndex', String(pair.LockIndex)],
    ['ModifyIndex', String(pair.ModifyIndex)],
    ['Session', pair.Session ?? '-'],
    ['Value', valueText(pair, base64)],
  ])
}

/** renderPairs renders one or many pairs for `zx kv get`. */
export function renderPairs(pairs: KvPair[], options: { recurse: boolean; detailed: boolean; base64: boolean }): string {
  if (options.detailed) return pairs.map((p) => detailedBlock(p, options.base64)).join('\n\n')
  if (options.recurse) return pairs.map((p) => `${p.Key}:${valueText(p, options.base64)}`).join('\n')
  return pairs.map((p) => valueText(p, options.base64)).join('\n')
}

/** PairJson is a KvPair as --json prints it: value decoded, flags exact. */
export interface PairJson {
  key: string
  value: string
  flags: bigint
  lockIndex: number
  session: string | null
  createIndex: number
  modifyIndex: number
}

/** pairJson converts a pair for --json output. */
export function pairJson(pair: KvPair, base64: boolean): PairJson {
  return {
    key: pair.Key, value: valueText(pair, base64), flags: pair.Flags, lockIndex: pair.LockIndex,
    session: pair.Session ?? null, createIndex: pair.CreateIndex, modifyIndex: pair.ModifyIndex,
  }
}
