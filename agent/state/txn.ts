/**
 * agent/state/txn.ts: /v1/txn's KV verbs over one Tx. Ops run in order; the first failing op
 * is reported with its index and Consul-style message, and the caller rolls the Tx back so a
 * transaction applies all of its ops or none.
 */
import { assertNever } from '../errors.js'
import type { TxnOp } from './commands.js'
import type { Tx } from './indexes.js'
import type { KvEntry, KvTable } from './kv.js'

/** TxnResultItem is one result row: the entry, with its Value only for get verbs. */
export interface TxnResultItem {
  entry: KvEntry
  withValue: boolean
}

/** TxnOutcome is a transaction's results and errors (errors non-empty ⇒ rolled back). */
export interface TxnOutcome {
  results: TxnResultItem[]
  errors: { opIndex: number; what: string }[]
}

/** applyTxnOps runs ops against kv inside tx; it stops at the first error. */
export function applyTxnOps(tx: Tx, kv: KvTable, ops: TxnOp[]): TxnOutcome {
  const outcome: TxnOutcome = { results: [], errors: [] }
  for (let i = 0; i < ops.length; i++) {
    const failure = applyOne(tx, kv, ops[i]!, outcome.results)
    if (failure !== undefined) {
      outcome.errors.push({ opIndex: i, what: failure })
      outcome.results = []
      break
    }
  }
  return outcome
}

function applyOne(tx: Tx, kv: KvTable, op: TxnOp, results: TxnResultItem[]): string | undefined {
  const { verb, key } = op.kv
  const write = { key, value: op.kv.value, flags: op.kv.flags, session: op.kv.session }
  const existing = kv.get(key)
  const written = (): undefined => { results.push({ entry: kv.get(key)!, withValue: false }); return undefined }
  switch (verb) {
    case 'set':
      kv.set(tx, write)
      return written()
    case 'cas':
      return kv.cas(tx, write, op.kv.index ?? 0) ? written() : `failed to set key "${key}", index is stale`
    case 'lock': {
      const locked = kv.lock(tx, write)
      if (typeof locked === 'object') return locked.error
      return locked ? written() : `failed to lock key "${key}", lock is already held`
    }
    case 'unlock':
      return kv.unlock(tx, write) ? written() : `failed to unlock key "${key}", lock isn't held, or is held by another session`
    case 'get':
      if (existing === undefined) return `key "${key}" doesn't exist`
      results.push({ entry: existing, withValue: true })
      return undefined
    case 'get-or-empty':
      if (existing !== undefined) results.push({ entry: existing, withValue: true })
      return undefined
    case 'get-tree':
      for (const entry of kv.list(key)) results.push({ entry, withValue: true })
      return undefined
    case 'check-index':
      if (existing === undefined) return `key "${key}" doesn't exist`
      if (existing.modifyIndex !== (op.kv.index ?? 0)) return `current modify index ${existing.modifyIndex} for key "${key}" doesn't match ${op.kv.index ?? 0}`
      results.push({ entry: existing, withValue: false })
      return undefined
    case 'check-session':
      if (existing === undefined) return `key "${key}" doesn't exist`
      if ((existing.session ?? '') !== (op.kv.session ?? '')) return `failed session check for key "${key}", current session "${existing.session ?? ''}" != "${op.kv.session ?? ''}"`
      results.push({ entry: existing, withValue: false })
      return undefined
    case 'check-not-exists':
      return existing === undefined ? undefined : `key "${key}" exists`
    case 'delete':
      kv.delete(tx, key)
      return undefined
    case 'delete-tree':
      kv.deleteTree(tx, key)
      return undefined
    case 'delete-cas':
      return kv.deleteCas(tx, key, op.kv.index ?? 0) ? undefined : `failed to delete key "${key}", index is stale`
    case 'reap-tombstones':
      return 'reap-tombstones is not a transaction verb'
    default:
      return assertNever(verb)
  }
}

/** txnIsReadOnly tells whether a transaction only reads (served without Raft). */
export function txnIsReadOnly(ops: TxnOp[]): boolean {
  return ops.every((op) => ['get', 'get-or-empty', 'get-tree', 'check-index', 'check-session', 'check-not-exists'].includes(op.kv.verb))
}
