/**
 * agent/raft/storage/wal-replay.ts: rebuilds the log from the segment files at open. Segments
 * are read in name order (their first index); each starts with a header record naming the
 * entry just before it, so after compaction deleted older segments the oldest remaining one
 * still says where the log begins. Entries records replace any suffix they overlap, reset
 * records restart the log after a received snapshot, and the last hard state record wins.
 * A torn tail of the last segment is truncated on disk (with a warning) before appending.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { ZxError } from '../../errors.js'
import type { HardState } from '../core/types.js'
import type { Logger } from '../node-log.js'
import { MemLog } from './mem-log.js'
import { scanSegment } from './segment-scan.js'

/** SegmentInfo is one segment file: its path and the index just before its first entry. */
export interface SegmentInfo {
  file: string
  prevIndex: number
  /** bytes is the segment's valid length (where the next record goes, for the last one). */
  bytes: number
}

/** Replayed is the log state found on disk. */
export interface Replayed {
  mem: MemLog
  hardState: HardState
  segments: SegmentInfo[]
}

/** segmentFileName is `<firstIndex>.seg`, 20-digit zero padded so names sort by index. */
export function segmentFileName(firstIndex: number): string {
  return `${String(firstIndex).padStart(20, '0')}.seg`
}

/** replayWal reads every segment under walDir into memory, truncating a torn tail. */
export async function replayWal(walDir: string, log: Logger): Promise<Replayed> {
  const names = (await fs.readdir(walDir)).filter((name) => /^\d{20}\.seg$/.test(name)).sort()
  const mem = new MemLog()
  let hardState: HardState = { term: 0, vote: undefined, commit: 0 }
  const segments: SegmentInfo[] = []
  for (let i = 0; i < names.length; i++) {
    const file = path.join(walDir, names[i]!)
    const isLast = i === names.length - 1
    const scan = scanSegment(await fs.readFile(file), file, isLast)
    if (scan.tornReason !== undefined) {
      log.warn('truncating torn WAL tail', { file, offset: scan.validBytes, reason: scan.tornReason })
      await fs.truncate(file, scan.validBytes)
    }
    const first = scan.records[0]
    if (first === undefined || first.kind !== 'header') {
      if (isLast && scan.records.length === 0) {
        // A crash right after creating the file: nothing in it was ever acknowledged.
        log.warn('removing empty WAL segment', { file })
        await fs.rm(file)
        continue
      }
      throw new ZxError('ZX_ERR_CORRUPT', `WAL segment ${file} does not start with a header record`, { details: { file, offset: 0 } })
    }
    if (segments.length === 0) {
      mem.reset(first.prevIndex, first.prevTerm)
    } else if (first.prevIndex !== mem.lastIndex() || mem.term(first.prevIndex) !== first.prevTerm) {
      throw new ZxError('ZX_ERR_CORRUPT', `WAL segment ${file} header (${first.prevIndex}/${first.prevTerm}) does not follow the log (last index ${mem.lastIndex()})`, { details: { file, offset: 0 } })
    }
    for (const record of scan.records.slice(1)) {
      switch (record.kind) {
        case 'header':
          throw new ZxError('ZX_ERR_CORRUPT', `WAL segment ${file} has a second header record`, { details: { file } })
        case 'entries': mem.append(record.entries); break
        case 'hard-state': hardState = record.hardState; break
        case 'reset': mem.reset(record.index, record.term); break
      }
    }
    segments.push({ file, prevIndex: first.prevIndex, bytes: scan.validBytes })
  }
  return { mem, hardState, segments }
}
