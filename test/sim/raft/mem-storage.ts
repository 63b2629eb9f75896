/**
 * test/sim/raft/mem-storage.ts: an in-memory durable log for the simulator. It implements the
 * core's LogReader and remembers which writes were "fsynced": crash() throws away everything
 * written since the last sync, the way a real power loss would, so the simulator can check
 * that the core only relies on what it asked to sync (Ready.mustSync).
 */
import type { ConfState, Entry, HardState, LogReader, Ready, SnapshotMeta } from '../../../agent/raft/core/types.js'

interface DiskState {
  hs: HardState
  snap: SnapshotMeta | undefined
  snapData: Uint8Array | undefined
  /** log[k] has index offset + k. */
  log: Entry[]
  offset: number
}

function copy(state: DiskState): DiskState {
  return { hs: { ...state.hs }, snap: state.snap, snapData: state.snapData, log: state.log.slice(), offset: state.offset }
}

/** MemStorage is the simulator's disk for one server. */
export class MemStorage implements LogReader {
  private cur: DiskState = { hs: { term: 0, vote: undefined, commit: 0 }, snap: undefined, snapData: undefined, log: [], offset: 1 }
  private synced: DiskState = copy(this.cur)
  /** syncs counts fsyncs, for figures. */
  syncs = 0

  hardState(): HardState {
    return { ...this.cur.hs }
  }

  snapshotMeta(): SnapshotMeta | undefined {
    return this.cur.snap
  }

  snapshotData(): Uint8Array | undefined {
    return this.cur.snapData
  }

  firstIndex(): number {
    return this.cur.offset
  }

  lastIndex(): number {
    return this.cur.offset + this.cur.log.length - 1
  }

  term(index: number): number | undefined {
    const s = this.cur
    if (s.snap !== undefined && index === s.snap.index) return s.snap.term
    if (index === 0) return 0
    return s.log[index - s.offset]?.term
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    const out: Entry[] = []
    let bytes = 0
    for (let i = lo; i < hi; i++) {
      const e = this.cur.log[i - this.cur.offset]
      if (e === undefined) throw new Error(`MemStorage: entry ${i} unavailable`)
      if (out.length > 0 && bytes + e.data.length > maxBytes) break
      out.push(e)
      bytes += e.data.length
    }
    return out
  }

  /** write applies a Ready's snapshot, entries and hard state (not yet synced). */
  write(rd: Ready, snapData: Uint8Array | undefined): void {
    const s = this.cur
    if (rd.snapshot !== undefined) {
      if (snapData === undefined) throw new Error('MemStorage: snapshot without data')
      s.snap = rd.snapshot
      s.snapData = snapData
      s.log = []
      s.offset = rd.snapshot.index + 1
    }
    if (rd.entries.length > 0) {
      const first = rd.entries[0]!.index
      if (first < s.offset) throw new Error(`MemStorage: write below firstIndex (${first} < ${s.offset})`)
      if (first > this.lastIndex() + 1) throw new Error(`MemStorage: gap (${first} > ${this.lastIndex() + 1})`)
      s.log.length = first - s.offset
      for (const e of rd.entries) s.log.push(e)
    }
    if (rd.hardState !== undefined) s.hs = { ...rd.hardState }
  }

  /** sync makes everything written so far durable. */
  sync(): void {
    this.synced = copy(this.cur)
    this.syncs++
  }

  /** crash loses every unsynced write. */
  crash(): void {
    this.cur = copy(this.synced)
  }

  /** compact installs a local snapshot at index (durably) and drops the entries it covers. */
  compact(index: number, conf: ConfState, data: Uint8Array): void {
    for (const s of [this.cur, this.synced]) {
      if (index < s.offset || index >= s.offset + s.log.length) continue
      const t = s.log[index - s.offset]!.term
      s.snap = { index, term: t, conf }
      s.snapData = data
      s.log = s.log.slice(index - s.offset + 1)
      s.offset = index + 1
    }
  }
}
