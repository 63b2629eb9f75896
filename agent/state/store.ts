/**
 * agent/state/store.ts: the replicated state store. It holds the KV and session tables, the
 * catalog tables (agent/state/catalog.ts, plugged in through `catalogFactory`), the per-table
 * indexes and watches. Every write takes the Raft index first and runs inside a Tx, so a failed
 * /v1/txn rolls back and a committed write bumps its tables' indexes and wakes blocking queries.
 * Nothing in here reads the clock: time arrives as `nowMs` chosen by the leader.
 */
import type { KvRequest, SessionSpec, TxnOp } from './commands.js'
import { TableIndexes, Tx } from './indexes.js'
import { KvTable, type KvEntry } from './kv.js'
import { SessionTable, type CatalogView } from './sessions.js'
import { applyTxnOps, type TxnOutcome } from './txn.js'

/**
 * CatalogTablesLike is the seam for the catalog engineer's CatalogTables: appliers for the
 * catalog commands, snapshot/restore, and the view sessions consult. The catalog bumps its own
 * tables ('nodes', 'services', 'checks') on the TableIndexes it is constructed with.
 */
export interface CatalogTablesLike extends CatalogView {
  applyRegister(index: number, request: unknown): unknown
  applyDeregister(index: number, request: unknown): unknown
  applyCheckStatus(index: number, request: unknown): unknown
  snapshot(): unknown
  restore(data: unknown): void
}

/** StoreOptions plugs optional tables into a store. */
export interface StoreOptions {
  /** catalogFactory builds the catalog tables over the store's indexes (e.g. `(ix) => new CatalogTables(ix)`). */
  catalogFactory?: (indexes: TableIndexes) => CatalogTablesLike
}

/** KvApplyResult is a KV write's answer: Consul's true/false, or an error message. */
export type KvApplyResult = boolean | { error: string }

/** StateStore is the whole replicated state of one server (or the test double's). */
export class StateStore {
  readonly indexes = new TableIndexes()
  readonly sessions = new SessionTable()
  readonly kv = new KvTable((id) => this.sessions.get(id) !== undefined)
  readonly catalog: CatalogTablesLike | undefined
  /** clockMs is the latest leader time seen in an applied command (drives lock-delay checks). */
  clockMs = 0

  constructor(options: StoreOptions = {}) {
    this.catalog = options.catalogFactory?.(this.indexes)
  }

  /** kvApply runs one KV write at `index` with the leader's time `nowMs`. */
  kvApply(index: number, nowMs: number, request: KvRequest): KvApplyResult {
    const tx = this.begin(index, nowMs)
    const write = { key: request.key, value: request.value, flags: request.flags, session: request.session }
    let result: KvApplyResult
    switch (request.op) {
      case 'set': result = this.kv.set(tx, write); break
      case 'cas': result = this.kv.cas(tx, write, request.index ?? 0); break
      case 'lock': result = this.kv.lock(tx, write); break
      case 'unlock': result = this.kv.unlock(tx, write); break
      case 'delete': result = this.kv.delete(tx, request.key); break
      case 'delete-cas': result = this.kv.deleteCas(tx, request.key, request.index ?? 0); break
      case 'delete-tree': result = this.kv.deleteTree(tx, request.key); break
      case 'reap-tombstones': result = this.kv.reapTombstones(tx, request.index ?? 0); break
      default: result = { error: `unknown KV operation ${JSON.stringify((request as { op: unknown }).op)}` }
    }
    tx.commit(this.indexes)
    return result
  }

  /** sessionCreate stores a session; returns its id or the refusal message. */
  sessionCreate(index: number, nowMs: number, spec: SessionSpec): { id: string } | { error: string } {
    const tx = this.begin(index, nowMs)
    const refusal = this.sessions.create(tx, spec, this.catalog)
    if (refusal !== undefined) return { error: refusal }
    tx.commit(this.indexes)
    return { id: spec.id }
  }

  /** sessionDestroy invalidates a session (idempotent: true even if it is gone). */
  sessionDestroy(index: number, nowMs: number, id: string): true {
    const tx = this.begin(index, nowMs)
    this.sessions.destroy(tx, id, this.kv)
    tx.commit(this.indexes)
    return true
  }

  /** txnApply runs a transaction atomically: every op or none. */
  txnApply(index: number, nowMs: number, ops: TxnOp[]): TxnOutcome {
    const tx = this.begin(index, nowMs)
    const outcome = applyTxnOps(tx, this.kv, ops)
    if (outcome.errors.length > 0) tx.rollback()
    else tx.commit(this.indexes)
    return outcome
  }

  /** txnRead runs a read-only transaction against the current state (no index needed). */
  txnRead(ops: TxnOp[]): TxnOutcome {
    const tx = new Tx(0, this.clockMs)
    const outcome = applyTxnOps(tx, this.kv, ops)
    tx.rollback()
    return outcome
  }

  /** invalidateSessions destroys every session whose node or checks are gone or critical. */
  invalidateSessions(index: number, nowMs: number): string[] {
    if (this.catalog === undefined) return []
    const doomed = this.sessions.invalidated(this.catalog)
    if (doomed.length === 0) return doomed
    const tx = this.begin(index, nowMs)
    for (const id of doomed) this.sessions.destroy(tx, id, this.kv)
    tx.commit(this.indexes)
    return doomed
  }

  /** kvGet reads one key with the index a blocking query should watch. */
  kvGet(key: string): { index: number; entry: KvEntry | undefined } {
    const entry = this.kv.get(key)
    return { index: entry?.modifyIndex ?? this.indexes.max('kvs', 'tombstones'), entry }
  }

  /** kvList reads a prefix with the index a blocking query should watch. */
  kvList(prefix: string): { index: number; entries: KvEntry[] } {
    const entries = this.kv.list(prefix)
    const index = this.kv.prefixIndex(prefix) || this.indexes.max('kvs', 'tombstones')
    return { index, entries }
  }

  /** kvKeys lists keys (folded at separator) under a prefix. */
  kvKeys(prefix: string, separator: string): { index: number; keys: string[] } {
    const index = this.kv.prefixIndex(prefix) || this.indexes.max('kvs', 'tombstones')
    return { index, keys: this.kv.keys(prefix, separator) }
  }

  private begin(index: number, nowMs: number): Tx {
    this.clockMs = Math.max(this.clockMs, nowMs)
    return new Tx(index, this.clockMs)
  }
}
