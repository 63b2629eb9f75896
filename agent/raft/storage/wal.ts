/**
 * agent/raft/storage/wal.ts: WalStorage, Raft's durable log. It implements the core's
 * synchronous LogReader from an in-memory copy (MemLog) and mirrors every change into a
 * segmented write-ahead log on disk (record format in record.ts, replay in wal-replay.ts).
 *
 * Writes are group-committed: append/setHardState update memory at once and queue encoded
 * records; sync() resolves once everything queued before it is written and fdatasync'ed.
 * While one flush runs, later callers queue up and share the next single fdatasync, so N
 * concurrent syncs cost far fewer than N fsyncs. A failed write (ENOSPC, EIO) truncates the
 * segment back to its last durable length, keeps the records queued and rejects the waiting
 * syncs with ZX_ERR_DISK; the next sync() retries, so writes go on once space returns.
 */
import { promises as fs, type promises as fsp } from 'node:fs'
import path from 'node:path'
import { ZxError, assert } from '../../errors.js'
import type { Entry, HardState, LogReader, SnapshotMeta } from '../core/types.js'
import { silentLogger, type Logger } from '../node-log.js'
import { diskError, fsyncDir } from './disk.js'
import { MemLog } from './mem-log.js'
import { encodeRecord, type WalRecord } from './record.js'
import { loadLatestSnapshot, removeTempSnapshots, writeSnapshotFile, type SnapshotFile } from './snapshot-files.js'
import { replayWal, segmentFileName, type SegmentInfo } from './wal-replay.js'

/** WalIo is the file I/O the WAL uses; tests swap it to inject ENOSPC/EIO. */
export interface WalIo {
  write(handle: fsp.FileHandle, data: Buffer, position: number): Promise<void>
  datasync(handle: fsp.FileHandle): Promise<void>
}

/** WalOptions tune the WAL; every field has a default with its reason. */
export interface WalOptions {
  /** segmentBytes: roll to a new segment past this size; 64 MiB keeps replay and deletion cheap. */
  segmentBytes?: number
  /** snapshotsKept: older snapshots are deleted; 2 survive one damaged file. */
  snapshotsKept?: number
  log?: Logger
  io?: Partial<WalIo>
}

/** WalStats counts the WAL's disk work (group-commit tests and metrics). */
export interface WalStats {
  fsyncs: number
  bytesWritten: number
  failedFlushes: number
}

type Pending = { kind: 'data'; buf: Buffer } | { kind: 'rotate'; prevIndex: number; buf: Buffer }

interface Current { handle: fsp.FileHandle; file: string; durableBytes: number }

const defaultIo: WalIo = {
  async write(handle, data, position) {
    let done = 0
    while (done < data.length) {
      const { bytesWritten } = await handle.write(data, done, data.length - done, position + done)
      done += bytesWritten
    }
  },
  datasync: (handle) => handle.datasync(),
}

/** WalStorage is the durable Raft log: LogReader in memory, segments + snapshots on disk. */
export class WalStorage implements LogReader {
  private readonly io: WalIo
  private readonly stats_: WalStats = { fsyncs: 0, bytesWritten: 0, failedFlushes: 0 }
  private pending: Pending[] = []
  /** segBytes is the current segment's size including queued records (drives rotation). */
  private segBytes = 0
  private writeSeq = 0
  private durableSeq = 0
  private flushTarget = 0
  private flushing: Promise<void> | undefined
  private closed = false
  private snapMeta: SnapshotMeta | undefined
  private latestSnapshot: { meta: SnapshotMeta; file: string } | undefined

  private constructor(
    private readonly walDir: string,
    private readonly snapDir: string,
    private readonly mem: MemLog,
    private hs: HardState,
    private readonly segments: SegmentInfo[],
    private current: Current,
    private readonly existing: boolean,
    private readonly segmentBytes: number,
    private readonly snapshotsKept: number,
    private readonly log: Logger,
    io: Partial<WalIo>,
  ) {
    this.io = { ...defaultIo, ...io }
    this.segBytes = current.durableBytes
  }

  /** open replays `dir` (creating it if needed); throws ZX_ERR_CORRUPT or ZX_ERR_DISK. */
  static async open(dir: string, options: WalOptions = {}): Promise<WalStorage> {
    const log = options.log ?? silentLogger
    const walDir = path.join(dir, 'wal')
    const snapDir = path.join(dir, 'snapshots')
    try {
      await fs.mkdir(walDir, { recursive: true })
      await fs.mkdir(snapDir, { recursive: true })
      await removeTempSnapshots(snapDir)
    } catch (error) {
      throw diskError(`preparing ${dir}`, error)
    }
    const snapshot = await loadLatestSnapshot(snapDir, log)
    const replayed = await replayWal(walDir, log)
    const { mem } = replayed
    let hs = replayed.hardState
    let reset: WalRecord | undefined
    if (snapshot !== undefined && mem.term(snapshot.meta.index) !== snapshot.meta.term && snapshot.meta.index >= mem.firstIndex() - 1) {
      // A received snapshot saved before the log was reset: adopt it now (it holds only committed data).
      log.warn('log does not contain the latest snapshot; resetting the log to it', { index: snapshot.meta.index })
      mem.reset(snapshot.meta.index, snapshot.meta.term)
      reset = { kind: 'reset', index: snapshot.meta.index, term: snapshot.meta.term }
    }
    const base = snapshot?.meta.index ?? 0
    if (mem.firstIndex() - 1 > base) {
      // The log starts after the newest readable snapshot: entries in between are gone.
      throw new ZxError('ZX_ERR_CORRUPT', `raft log in ${walDir} starts at index ${mem.firstIndex()} but the newest readable snapshot covers only up to ${base}`, { details: { file: snapDir } })
    }
    if (snapshot !== undefined && hs.commit < snapshot.meta.index) hs = { ...hs, commit: snapshot.meta.index }
    if (hs.commit > mem.lastIndex()) {
      log.warn('hard state commit is past the last durable entry; clamping', { commit: hs.commit, lastIndex: mem.lastIndex() })
      hs = { ...hs, commit: mem.lastIndex() }
    }
    // Headers and an all-zero hard state are written on first open; they are not Raft state.
    const existing = mem.lastIndex() > 0 || hs.term > 0 || snapshot !== undefined
    const wal = await WalStorage.attach(walDir, snapDir, mem, hs, replayed.segments, existing, options, log)
    if (snapshot !== undefined) {
      wal.latestSnapshot = { meta: snapshot.meta, file: snapshot.file }
      wal.snapMeta = snapshot.meta
    }
    if (reset !== undefined) {
      wal.enqueue(reset)
      wal.enqueue({ kind: 'hard-state', hardState: hs })
      await wal.sync()
    }
    return wal
  }

  private static async attach(walDir: string, snapDir: string, mem: MemLog, hs: HardState, segments: SegmentInfo[],
    existing: boolean, options: WalOptions, log: Logger): Promise<WalStorage> {
    try {
      let current: Current
      const last = segments[segments.length - 1]
      if (last !== undefined) {
        current = { handle: await fs.open(last.file, 'r+'), file: last.file, durableBytes: last.bytes }
      } else {
        const file = path.join(walDir, segmentFileName(mem.lastIndex() + 1))
        const buf = Buffer.concat([
          encodeRecord({ kind: 'header', prevIndex: mem.lastIndex(), prevTerm: mem.term(mem.lastIndex()) ?? 0 }),
          encodeRecord({ kind: 'hard-state', hardState: hs }),
        ])
        const handle = await fs.open(file, 'w')
        await handle.write(buf, 0, buf.length, 0)
        await handle.datasync()
        await fsyncDir(walDir)
        current = { handle, file, durableBytes: buf.length }
        segments.push({ file, prevIndex: mem.lastIndex(), bytes: buf.length })
      }
      return new WalStorage(walDir, snapDir, mem, hs, segments, current, existing,
        options.segmentBytes ?? 64 * 1024 * 1024, options.snapshotsKept ?? 2, log, options.io ?? {})
    } catch (error) {
      throw diskError(`opening WAL in ${walDir}`, error)
    }
  }

  /** hasState tells whether the directory held Raft state when opened. */
  hasState(): boolean {
    return this.existing
  }

  // LogReader ------------------------------------------------------------------------------

  hardState(): HardState { return this.hs }
  snapshotMeta(): SnapshotMeta | undefined { return this.snapMeta }
  firstIndex(): number { return this.mem.firstIndex() }
  lastIndex(): number { return this.mem.lastIndex() }
  term(index: number): number | undefined { return this.mem.term(index) }
  entries(lo: number, hi: number, maxBytes: number): Entry[] { return this.mem.slice(lo, hi, maxBytes) }

  /** entryCount is how many entries are held in memory (since the last compaction). */
  entryCount(): number { return this.mem.size() }

  /** stats returns counters of disk work done so far. */
  stats(): WalStats { return { ...this.stats_ } }

  // Writes ---------------------------------------------------------------------------------

  /** append adds entries (replacing an overlapping suffix); durable after the next sync(). */
  append(entries: Entry[]): void {
    this.assertOpen()
    if (entries.length === 0) return
    if (this.segBytes >= this.segmentBytes) this.rotate()
    this.mem.append(entries)
    this.enqueue({ kind: 'entries', firstIndex: entries[0]!.index, entries })
  }

  /** setHardState records term/vote/commit; durable after the next sync(). */
  setHardState(hs: HardState): void {
    this.assertOpen()
    if (hs.term === this.hs.term && hs.vote === this.hs.vote && hs.commit === this.hs.commit) return
    this.hs = { term: hs.term, vote: hs.vote, commit: hs.commit }
    this.enqueue({ kind: 'hard-state', hardState: this.hs })
  }

  /** applySnapshot restarts the log right after a received snapshot (already saved to disk). */
  applySnapshot(meta: SnapshotMeta): void {
    this.assertOpen()
    this.mem.reset(meta.index, meta.term)
    this.snapMeta = meta
    this.enqueue({ kind: 'reset', index: meta.index, term: meta.term })
    if (this.hs.commit < meta.index) this.setHardState({ ...this.hs, commit: meta.index })
  }

  private enqueue(record: WalRecord): void {
    const buf = encodeRecord(record)
    this.pending.push({ kind: 'data', buf })
    this.segBytes += buf.length
    this.writeSeq++
  }

  private rotate(): void {
    const prevIndex = this.mem.lastIndex()
    if (this.segments.some((s) => s.prevIndex === prevIndex) || this.pending.some((p) => p.kind === 'rotate' && p.prevIndex === prevIndex)) return
    const buf = Buffer.concat([
      encodeRecord({ kind: 'header', prevIndex, prevTerm: this.mem.term(prevIndex) ?? 0 }),
      encodeRecord({ kind: 'hard-state', hardState: this.hs }),
    ])
    this.pending.push({ kind: 'rotate', prevIndex, buf })
    this.segBytes = buf.length
    this.writeSeq++
  }

  /** sync resolves once everything written before the call is on disk; ZX_ERR_DISK on failure. */
  sync(): Promise<void> {
    const target = this.writeSeq
    if (this.durableSeq >= target) return Promise.resolve()
    return this.waitDurable(target)
  }

  private async waitDurable(target: number): Promise<void> {
    while (this.durableSeq < target) {
      if (this.closed && this.flushing === undefined) throw new ZxError('ZX_ERR_STOPPED', 'WAL is closed')
      if (this.flushing === undefined) {
        this.flushing = this.flushOnce().finally(() => { this.flushing = undefined })
      }
      const coversMe = this.flushTarget >= target
      try {
        await this.flushing
      } catch (error) {
        if (coversMe) throw error
      }
    }
  }

  private async flushOnce(): Promise<void> {
    const items = this.pending
    this.pending = []
    this.flushTarget = this.writeSeq
    let done = 0
    try {
      while (done < items.length) {
        const item = items[done]!
        if (item.kind === 'rotate') {
          await this.openNextSegment(item)
          done++
          continue
        }
        let end = done
        while (end < items.length && items[end]!.kind === 'data') end++
        await this.writeDurable(Buffer.concat(items.slice(done, end).map((p) => p.buf)))
        done = end
      }
    } catch (error) {
      this.stats_.failedFlushes++
      this.pending = items.slice(done).concat(this.pending)
      throw diskError(`writing WAL segment ${this.current.file}`, error)
    }
    this.durableSeq = this.flushTarget
  }

  /** writeDurable appends buf to the current segment and fdatasyncs; on failure undoes the write. */
  private async writeDurable(buf: Buffer): Promise<void> {
    const at = this.current.durableBytes
    try {
      await this.io.write(this.current.handle, buf, at)
      await this.io.datasync(this.current.handle)
    } catch (error) {
      await this.current.handle.truncate(at).catch(() => {})
      throw error
    }
    this.stats_.fsyncs++
    this.stats_.bytesWritten += buf.length
    this.current.durableBytes = at + buf.length
    const info = this.segments[this.segments.length - 1]
    if (info !== undefined && info.file === this.current.file) info.bytes = this.current.durableBytes
  }

  private async openNextSegment(item: Extract<Pending, { kind: 'rotate' }>): Promise<void> {
    const file = path.join(this.walDir, segmentFileName(item.prevIndex + 1))
    const handle = await fs.open(file, 'w')
    try {
      await this.io.write(handle, item.buf, 0)
      await this.io.datasync(handle)
      await fsyncDir(this.walDir)
    } catch (error) {
      await handle.close().catch(() => {})
      throw error
    }
    this.stats_.fsyncs++
    const old = this.current
    this.current = { handle, file, durableBytes: item.buf.length }
    this.segments.push({ file, prevIndex: item.prevIndex, bytes: item.buf.length })
    await old.handle.close().catch(() => {})
  }

  // Snapshots and compaction ------------------------------------------------------------

  /**
   * saveSnapshot writes a snapshot file atomically. If the log holds (index, term) it becomes
   * the log's snapshot at once; a snapshot received from a leader waits for applySnapshot.
   */
  async saveSnapshot(meta: SnapshotMeta, data: Uint8Array): Promise<void> {
    this.assertOpen()
    const file = await writeSnapshotFile(this.snapDir, meta, data, this.snapshotsKept, this.log)
    if (this.latestSnapshot === undefined || meta.index >= this.latestSnapshot.meta.index) this.latestSnapshot = { meta, file }
    if (this.mem.term(meta.index) === meta.term && (this.snapMeta === undefined || meta.index > this.snapMeta.index)) this.snapMeta = meta
  }

  /** loadSnapshot reads the newest snapshot file (verifying its checksums). */
  async loadSnapshot(): Promise<SnapshotFile | undefined> {
    return loadLatestSnapshot(this.snapDir, this.log)
  }

  /** latestSnapshotMeta is the newest snapshot saved (it may not yet be the log's). */
  latestSnapshotMeta(): SnapshotMeta | undefined {
    return this.latestSnapshot?.meta
  }

  /**
   * compact drops entries up to `index` from memory and deletes segments whose every entry is
   * at or below it. `index` must not pass the log's snapshot (callers keep a margin below it).
   */
  async compact(index: number): Promise<void> {
    this.assertOpen()
    const snapIndex = this.snapMeta?.index ?? 0
    assert(index <= snapIndex, `compact ${index} <= snapshot ${snapIndex}`)
    if (index < this.mem.firstIndex() || index > this.mem.lastIndex()) return
    this.mem.compact(index)
    const doomed: SegmentInfo[] = []
    while (this.segments.length > 1 && this.segments[1]!.prevIndex <= index) doomed.push(this.segments.shift()!)
    for (const segment of doomed) {
      await fs.rm(segment.file, { force: true }).catch((error: unknown) => {
        this.log.warn('could not delete compacted WAL segment', { file: segment.file, error: String(error) })
      })
    }
  }

  /** close flushes what is queued and closes the segment; the directory stays valid. */
  async close(): Promise<void> {
    if (this.closed) return
    try {
      await this.sync()
    } finally {
      this.closed = true
      await this.flushing?.catch(() => {})
      await this.current.handle.close().catch(() => {})
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new ZxError('ZX_ERR_STOPPED', 'WAL is closed')
  }
}
