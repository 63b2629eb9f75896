/**
 * agent/state/sessions.ts: the sessions table. A session binds locks to a node and its checks;
 * destroying (or invalidating) it releases or deletes the keys it holds per its Behavior and arms
 * lock-delay on them. Creation and invalidation checks against the catalog go through the
 * CatalogView the store hands in, so this table works with or without a catalog.
 */
import type { SessionSpec } from './commands.js'
import type { Tx } from './indexes.js'
import type { KvTable } from './kv.js'

/** SessionEntry is one stored session. */
export interface SessionEntry extends SessionSpec {
  createIndex: number
  modifyIndex: number
}

/** CatalogView is what sessions need from the catalog: nodes and check states. */
export interface CatalogView {
  nodeExists(node: string): boolean
  /** checkStatus is 'passing' | 'warning' | 'critical', or undefined if the check is not registered. */
  checkStatus(node: string, checkId: string): string | undefined
}

/** SessionTable holds sessions by id. */
export class SessionTable {
  readonly entries = new Map<string, SessionEntry>()

  /** get returns one session. */
  get(id: string): SessionEntry | undefined {
    return this.entries.get(id)
  }

  /** list returns every session sorted by id (optionally one node's). */
  list(node?: string): SessionEntry[] {
    return [...this.entries.values()]
      .filter((session) => node === undefined || session.node === node)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  }

  /** create stores a session after checking its node and checks; returns an error message if refused. */
  create(tx: Tx, spec: SessionSpec, catalog: CatalogView | undefined): string | undefined {
    if (this.entries.has(spec.id)) return `Session ID '${spec.id}' already exists`
    if (catalog !== undefined) {
      const refusal = checkBindings(spec, catalog)
      if (refusal !== undefined) return refusal
    }
    const entry: SessionEntry = { ...spec, createIndex: tx.index, modifyIndex: tx.index }
    this.entries.set(spec.id, entry)
    tx.touched.add('sessions')
    tx.undo.push(() => { this.entries.delete(spec.id) })
    return undefined
  }

  /** destroy removes a session and releases/deletes its locks; false if it did not exist. */
  destroy(tx: Tx, id: string, kv: KvTable): boolean {
    const entry = this.entries.get(id)
    if (entry === undefined) return false
    kv.releaseSession(tx, id, entry.behavior, entry.lockDelayMs)
    this.entries.delete(id)
    tx.touched.add('sessions')
    tx.undo.push(() => { this.entries.set(id, entry) })
    return true
  }

  /** invalidated lists sessions whose node or checks are gone or critical (deterministic order). */
  invalidated(catalog: CatalogView): string[] {
    return this.list().filter((session) => checkBindings(session, catalog) !== undefined).map((session) => session.id)
  }

  /** clear empties the table (restore). */
  clear(): void {
    this.entries.clear()
  }
}

function checkBindings(spec: SessionSpec, catalog: CatalogView): string | undefined {
  if (!catalog.nodeExists(spec.node)) return 'Missing node registration'
  const checks = [...spec.nodeChecks, ...spec.serviceChecks.map((check) => check.id)]
  for (const check of checks) {
    const status = catalog.checkStatus(spec.node, check)
    if (status === undefined) return `Missing check '${check}' registration`
    if (status === 'critical') return `Check '${check}' is in critical state`
  }
  return undefined
}
