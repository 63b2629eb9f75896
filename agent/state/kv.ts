/**
 * agent/state/kv.ts: the KV table. Every write goes through `put`/`remove`, which record undo
 * steps on the Tx so /v1/txn can roll back, keep the session → held-keys index and leave a
 * tombstone index behind deleted keys (so a prefix's index never goes backwards). Locks follow
 * Consul: acquire needs a live session and no lock-delay; LockIndex counts new acquisitions.
 */
import type { Tx } from './indexes.js'

/** KvEntry is one stored key. */
export interface KvEntry {
  key: string
  value: Uint8Array
  flags: bigint
  session: string | undefined
  lockIndex: number
  createIndex: number
  modifyIndex: number
}

/** KvWrite is what a set/cas/lock/unlock carries. */
export interface KvWrite {
  key: string
  value?: Uint8Array
  flags?: bigint
  session?: string
}

/** KvFailure says why a lock write was refused with an error rather than `false`. */
export type KvFailure = { error: string }

const empty = new Uint8Array(0)

/** KvTable holds keys, tombstones, lock-delays and who holds which lock. */
export class KvTable {
  readonly entries = new Map<string, KvEntry>()
  readonly tombstones = new Map<string, number>()
  /** lockDelays maps a key to the leader time (ms) before which it cannot be acquired. */
  readonly lockDelays = new Map<string, number>()
  private readonly bySession = new Map<string, Set<string>>()

  constructor(private readonly sessionExists: (id: string) => boolean) {}

  /** get returns one entry. */
  get(key: string): KvEntry | undefined {
    return this.entries.get(key)
  }

  /** list returns every entry whose key starts with prefix, sorted by key. */
  list(prefix: string): KvEntry[] {
    const found: KvEntry[] = []
    for (const entry of this.entries.values()) if (entry.key.startsWith(prefix)) found.push(entry)
    return found.sort((a, b) => compareKeys(a.key, b.key))
  }

  /** prefixIndex is the highest ModifyIndex or tombstone index under prefix (0 if none). */
  prefixIndex(prefix: string): number {
    let index = 0
    for (const entry of this.entries.values()) if (entry.key.startsWith(prefix)) index = Math.max(index, entry.modifyIndex)
    for (const [key, at] of this.tombstones) if (key.startsWith(prefix)) index = Math.max(index, at)
    return index
  }

  /** keys lists keys under prefix, folding everything after `separator` into one folder entry. */
  keys(prefix: string, separator: string): string[] {
    const out = new Set<string>()
    for (const entry of this.list(prefix)) {
      const cut = separator === '' ? -1 : entry.key.indexOf(separator, prefix.length)
      out.add(cut === -1 ? entry.key : entry.key.slice(0, cut + separator.length))
    }
    return [...out]
  }

  /** heldBy lists the keys a session holds, sorted. */
  heldBy(session: string): string[] {
    return [...(this.bySession.get(session) ?? [])].sort(compareKeys)
  }

  /** set writes a key; an existing holder stays (locks are advisory). */
  set(tx: Tx, write: KvWrite): true {
    const existing = this.entries.get(write.key)
    this.put(tx, {
      key: write.key,
      value: write.value ?? empty,
      flags: write.flags ?? 0n,
      session: existing?.session,
      lockIndex: existing?.lockIndex ?? 0,
      createIndex: existing?.createIndex ?? tx.index,
      modifyIndex: tx.index,
    })
    return true
  }

  /** cas writes only if the key's ModifyIndex equals index (0: only if absent). */
  cas(tx: Tx, write: KvWrite, index: number): boolean {
    const existing = this.entries.get(write.key)
    if (index === 0 ? existing !== undefined : existing?.modifyIndex !== index) return false
    return this.set(tx, write)
  }

  /** lock acquires the key for write.session (Consul's ?acquire=). */
  lock(tx: Tx, write: KvWrite): boolean | KvFailure {
    const session = write.session ?? ''
    if (!this.sessionExists(session)) return { error: `invalid session "${session}"` }
    const existing = this.entries.get(write.key)
    const heldByUs = existing?.session === session
    if (existing?.session !== undefined && !heldByUs) return false
    if (!heldByUs && (this.lockDelays.get(write.key) ?? 0) > tx.nowMs) return false
    this.put(tx, {
      key: write.key,
      value: write.value ?? empty,
      flags: write.flags ?? 0n,
      session,
      lockIndex: (existing?.lockIndex ?? 0) + (heldByUs ? 0 : 1),
      createIndex: existing?.createIndex ?? tx.index,
      modifyIndex: tx.index,
    })
    return true
  }

  /** unlock releases the key if write.session holds it (Consul's ?release=). */
  unlock(tx: Tx, write: KvWrite): boolean {
    const existing = this.entries.get(write.key)
    if (existing === undefined || existing.session === undefined || existing.session !== write.session) return false
    this.put(tx, { ...existing, value: write.value ?? empty, flags: write.flags ?? 0n, session: undefined, modifyIndex: tx.index })
    return true
  }

  /** delete removes one key (true even if it was absent). */
  delete(tx: Tx, key: string): true {
    this.remove(tx, key)
    return true
  }

  /** deleteCas removes the key only if its ModifyIndex equals index (index 0 never matches). */
  deleteCas(tx: Tx, key: string, index: number): boolean {
    const existing = this.entries.get(key)
    if (existing === undefined || index === 0 || existing.modifyIndex !== index) return false
    this.remove(tx, key)
    return true
  }

  /** deleteTree removes every key with the string prefix. */
  deleteTree(tx: Tx, prefix: string): true {
    for (const entry of this.list(prefix)) this.remove(tx, entry.key)
    if (prefix !== '') this.setTombstone(tx, prefix)
    return true
  }

  /** reapTombstones forgets tombstones at or below index (the leader's 15-minute horizon). */
  reapTombstones(tx: Tx, index: number): true {
    for (const [key, at] of [...this.tombstones]) {
      if (at > index) continue
      this.tombstones.delete(key)
      tx.undo.push(() => { this.tombstones.set(key, at) })
    }
    return true
  }

  /** releaseSession handles a session's invalidation: release or delete its keys, arm lock-delay. */
  releaseSession(tx: Tx, session: string, behavior: 'release' | 'delete', lockDelayMs: number): void {
    for (const key of this.heldBy(session)) {
      const entry = this.entries.get(key)!
      if (behavior === 'delete') this.remove(tx, key)
      else this.put(tx, { ...entry, session: undefined, modifyIndex: tx.index })
      if (lockDelayMs > 0) this.setLockDelay(tx, key, tx.nowMs + lockDelayMs)
    }
  }

  private put(tx: Tx, entry: KvEntry): void {
    const previous = this.entries.get(entry.key)
    const previousTombstone = this.tombstones.get(entry.key)
    this.entries.set(entry.key, entry)
    this.tombstones.delete(entry.key)
    this.unindex(previous)
    this.index(entry)
    tx.touched.add('kvs')
    tx.undo.push(() => {
      this.unindex(entry)
      if (previous === undefined) this.entries.delete(entry.key)
      else { this.entries.set(entry.key, previous); this.index(previous) }
      if (previousTombstone !== undefined) this.tombstones.set(entry.key, previousTombstone)
    })
  }

  private remove(tx: Tx, key: string): void {
    const previous = this.entries.get(key)
    if (previous === undefined) return
    this.entries.delete(key)
    this.unindex(previous)
    this.setTombstone(tx, key)
    tx.touched.add('kvs')
    tx.undo.push(() => { this.entries.set(key, previous); this.index(previous) })
  }

  private setTombstone(tx: Tx, key: string): void {
    const previous = this.tombstones.get(key)
    this.tombstones.set(key, tx.index)
    tx.touched.add('tombstones')
    tx.undo.push(() => { if (previous === undefined) this.tombstones.delete(key); else this.tombstones.set(key, previous) })
  }

  private setLockDelay(tx: Tx, key: string, untilMs: number): void {
    const previous = this.lockDelays.get(key)
    this.lockDelays.set(key, untilMs)
    tx.undo.push(() => { if (previous === undefined) this.lockDelays.delete(key); else this.lockDelays.set(key, previous) })
  }

  private index(entry: KvEntry | undefined): void {
    if (entry?.session === undefined) return
    let keys = this.bySession.get(entry.session)
    if (keys === undefined) this.bySession.set(entry.session, keys = new Set())
    keys.add(entry.key)
  }

  private unindex(entry: KvEntry | undefined): void {
    if (entry?.session === undefined) return
    const keys = this.bySession.get(entry.session)
    keys?.delete(entry.key)
    if (keys?.size === 0) this.bySession.delete(entry.session)
  }

  /** clear empties the table (restore). */
  clear(): void {
    this.entries.clear(); this.tombstones.clear(); this.lockDelays.clear(); this.bySession.clear()
  }

  /** load inserts a restored entry. */
  load(entry: KvEntry): void {
    this.entries.set(entry.key, entry)
    this.index(entry)
  }
}

/** compareKeys orders keys by code unit, like Consul's byte-wise ordering for ASCII keys. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
