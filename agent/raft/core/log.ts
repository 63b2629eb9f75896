/**
 * agent/raft/core/log.ts: the core's view of the log — the durable log (LogReader, owned by
 * storage) with the unstable entries on top that the core has accepted but the driver has not
 * yet persisted (etcd's raftLog + unstable). Entries move from unstable to storage when the
 * driver persists a Ready and calls advance. The unstable suffix may start at or below the
 * storage's last index, which means "replace the storage suffix from here" when persisted.
 *
 * A snapshot received from the leader is held as pendingSnapshot until persisted: meanwhile the
 * log is empty past it, whatever the storage still holds.
 */
import { assert } from '../../errors.js'
import type { Entry, LogReader, SnapshotMeta } from './types.js'

/** RaftLog combines the durable LogReader with the not-yet-persisted entries. */
export class RaftLog {
  /** committed is the highest index known committed. */
  committed: number
  /** applied is the highest index the driver has applied (advanced). */
  applied: number
  /** applying is the highest committed index already handed out in a Ready. */
  applying: number
  /** pendingSnapshot is a received snapshot not yet persisted. */
  pendingSnapshot: SnapshotMeta | undefined
  /** snapshotHanded tells whether pendingSnapshot was already handed out in a Ready. */
  snapshotHanded = false
  private unstable: Entry[] = []
  /** offset is the index of unstable[0]. */
  private offset: number
  /** inProgress is the first unstable index not yet handed out in a Ready. */
  private inProgress: number

  constructor(readonly storage: LogReader) {
    const first = storage.firstIndex()
    const last = storage.lastIndex()
    const commit = storage.hardState().commit
    this.committed = Math.min(Math.max(commit, first - 1), last)
    this.applied = first - 1
    this.applying = first - 1
    this.offset = last + 1
    this.inProgress = last + 1
  }

  /** firstIndex is the first index still available in the log. */
  firstIndex(): number {
    return this.pendingSnapshot ? this.pendingSnapshot.index + 1 : this.storage.firstIndex()
  }

  /** lastIndex is the index of the last entry, persisted or not. */
  lastIndex(): number {
    if (this.unstable.length > 0) return this.offset + this.unstable.length - 1
    if (this.pendingSnapshot) return this.pendingSnapshot.index
    return this.storage.lastIndex()
  }

  /** lastTerm is the term of the last entry. */
  lastTerm(): number {
    return this.term(this.lastIndex()) ?? 0
  }

  /** term returns the term at index, or undefined when compacted or absent. */
  term(index: number): number | undefined {
    if (index === 0) return 0
    const ps = this.pendingSnapshot
    if (ps !== undefined && index <= ps.index) return index === ps.index ? ps.term : undefined
    if (this.unstable.length > 0 && index >= this.offset) {
      const k = index - this.offset
      return k < this.unstable.length ? this.unstable[k]!.term : undefined
    }
    if (ps !== undefined) return undefined
    const meta = this.storage.snapshotMeta()
    if (meta !== undefined && index === meta.index) return meta.term
    return this.storage.term(index)
  }

  /** matchTerm tells whether the entry at index has term. */
  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term
  }

  /** isUpToDate is Raft §5.4.1's comparison: is a log ending at (index, term) at least as up to date? */
  isUpToDate(index: number, term: number): boolean {
    const lastTerm = this.lastTerm()
    return term > lastTerm || (term === lastTerm && index >= this.lastIndex())
  }

  /** entries returns [lo, hi) limited to about maxBytes of data, at least one entry when lo < hi. */
  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    assert(lo >= this.firstIndex(), 'entries below firstIndex')
    hi = Math.min(hi, this.lastIndex() + 1)
    if (lo >= hi) return []
    let out: Entry[] = []
    let bytes = 0
    const start = this.unstable.length > 0 ? this.offset : hi
    if (lo < start) {
      const storageHi = Math.min(hi, start)
      out = this.storage.entries(lo, storageHi, maxBytes)
      for (const e of out) bytes += e.data.length
      if (out.length < storageHi - lo || bytes >= maxBytes) return out
      lo = storageHi
    }
    for (let i = lo; i < hi; i++) {
      const e = this.unstable[i - this.offset]!
      if (out.length > 0 && bytes + e.data.length > maxBytes) break
      out.push(e)
      bytes += e.data.length
    }
    return out
  }

  /** append adds entries that follow index entries[0].index - 1, replacing any suffix from there. */
  append(entries: Entry[]): void {
    if (entries.length === 0) return
    const after = entries[0]!.index
    assert(after > this.committed, 'append would truncate committed entries')
    if (this.unstable.length === 0) {
      this.unstable = entries.slice()
      this.offset = after
      this.inProgress = after
      return
    }
    const end = this.offset + this.unstable.length
    if (after === end) {
      for (const e of entries) this.unstable.push(e)
    } else if (after <= this.offset) {
      this.unstable = entries.slice()
      this.offset = after
      this.inProgress = after
    } else {
      this.unstable = this.unstable.slice(0, after - this.offset).concat(entries)
      this.inProgress = Math.min(this.inProgress, after)
    }
  }

  /** appendOne adds one entry at lastIndex + 1 (the leader's hot path). */
  appendOne(entry: Entry): void {
    if (this.unstable.length === 0) {
      this.offset = entry.index
      this.inProgress = entry.index
    }
    assert(entry.index === this.offset + this.unstable.length, 'log gap')
    this.unstable.push(entry)
  }

  /** findConflict returns the index of the first entry whose term differs from ours, or 0. */
  findConflict(entries: Entry[]): number {
    for (const e of entries) {
      if (!this.matchTerm(e.index, e.term)) return e.index
    }
    return 0
  }

  /**
   * findConflictByTerm returns the largest index <= index whose term is <= term, never going
   * below floor (entries at or below floor are known to match). Used for fast back-off.
   */
  findConflictByTerm(index: number, term: number, floor: number): number {
    let i = Math.min(index, this.lastIndex())
    const low = Math.max(floor, this.firstIndex() - 1)
    while (i > low) {
      const t = this.term(i)
      if (t === undefined || t <= term) break
      i--
    }
    return i
  }

  /** commitTo raises committed (never lowers it). */
  commitTo(index: number): boolean {
    if (index <= this.committed) return false
    assert(index <= this.lastIndex(), 'commit beyond last index')
    this.committed = index
    return true
  }

  /** hasUnstable tells whether there are entries not yet handed out for persisting. */
  hasUnstable(): boolean {
    return this.unstable.length > 0 && this.inProgress < this.offset + this.unstable.length
  }

  /** takeUnstable hands out the unstable entries not yet handed out. */
  takeUnstable(): Entry[] {
    if (!this.hasUnstable()) return []
    const k = Math.max(0, this.inProgress - this.offset)
    const out = this.unstable.slice(k)
    this.inProgress = this.offset + this.unstable.length
    return out
  }

  /** hasCommitted tells whether committed entries await handing out for apply. */
  hasCommitted(): boolean {
    return this.committed > this.applying
  }

  /** takeCommitted hands out committed entries not yet handed out, up to about maxBytes. */
  takeCommitted(maxBytes: number): Entry[] {
    if (!this.hasCommitted()) return []
    const out = this.entries(this.applying + 1, this.committed + 1, maxBytes)
    if (out.length > 0) this.applying = out[out.length - 1]!.index
    return out
  }

  /** stableTo drops unstable entries up to (index, term) once the driver persisted them. */
  stableTo(index: number, term: number): void {
    if (index < this.offset) return
    const k = index - this.offset
    if (k >= this.unstable.length || this.unstable[k]!.term !== term) return
    this.unstable = k + 1 === this.unstable.length ? [] : this.unstable.slice(k + 1)
    this.offset = index + 1
    if (this.inProgress < this.offset) this.inProgress = this.offset
  }

  /** stableSnapTo clears the pending snapshot once the driver persisted it. */
  stableSnapTo(index: number): void {
    if (this.pendingSnapshot !== undefined && this.pendingSnapshot.index === index && this.snapshotHanded) {
      this.pendingSnapshot = undefined
      this.snapshotHanded = false
    }
  }

  /** appliedTo records that the driver applied up to index. */
  appliedTo(index: number): void {
    if (index > this.applied) this.applied = index
  }

  /** restore resets the log to a snapshot received from the leader. */
  restore(meta: SnapshotMeta): void {
    this.pendingSnapshot = meta
    this.snapshotHanded = false
    this.unstable = []
    this.offset = meta.index + 1
    this.inProgress = meta.index + 1
    this.committed = meta.index
    this.applying = Math.max(this.applying, meta.index)
    this.applied = Math.max(this.applied, meta.index)
  }
}
