/**
 * agent/raft/storage/mem-log.ts: the in-memory copy of the log that LogReader answers from.
 * It holds the contiguous entries (offset, lastIndex] plus the term of the entry at `offset`
 * (the last one dropped by compaction or covered by a snapshot), so term(firstIndex - 1) is
 * always known. Pure: no I/O. The WAL replays into it at open and mirrors every write into it.
 */
import { ZxError, assert } from '../../errors.js'
import type { Entry } from '../core/types.js'

/** MemLog is an in-memory, contiguous run of log entries after a known (offset, offsetTerm). */
export class MemLog {
  private items: Entry[] = []
  private offset = 0
  private offsetTerm = 0

  /** firstIndex is the index of the first held entry (offset + 1, even when empty). */
  firstIndex(): number {
    return this.offset + 1
  }

  /** lastIndex is the index of the last held entry (offset when empty). */
  lastIndex(): number {
    return this.offset + this.items.length
  }

  /** size is how many entries are held. */
  size(): number {
    return this.items.length
  }

  /** term returns the term at index for index in [offset, lastIndex], else undefined. */
  term(index: number): number | undefined {
    if (index === this.offset) return this.offsetTerm
    if (index < this.offset || index > this.lastIndex()) return undefined
    return this.items[index - this.offset - 1]!.term
  }

  /** entry returns the entry at index, if held. */
  entry(index: number): Entry | undefined {
    if (index <= this.offset || index > this.lastIndex()) return undefined
    return this.items[index - this.offset - 1]
  }

  /** slice returns [lo, hi) capped at about maxBytes of data, always at least one entry. */
  slice(lo: number, hi: number, maxBytes: number): Entry[] {
    const from = Math.max(lo, this.offset + 1)
    const to = Math.min(hi, this.lastIndex() + 1)
    const out: Entry[] = []
    let bytes = 0
    for (let i = from; i < to; i++) {
      const entry = this.items[i - this.offset - 1]!
      bytes += entry.data.length
      if (out.length > 0 && bytes > maxBytes) break
      out.push(entry)
    }
    return out
  }

  /**
   * append adds entries; when entries[0].index <= lastIndex the suffix from there is replaced.
   * Entries at or below the offset (already covered by a snapshot) are skipped. A gap throws
   * ZX_ERR_CORRUPT, because at replay time it can only come from a damaged log.
   */
  append(entries: Entry[]): void {
    if (entries.length === 0) return
    let start = 0
    while (start < entries.length && entries[start]!.index <= this.offset) start++
    if (start === entries.length) return
    const first = entries[start]!.index
    if (first > this.lastIndex() + 1) {
      throw new ZxError('ZX_ERR_CORRUPT', `log gap: appending index ${first} after last index ${this.lastIndex()}`)
    }
    if (first <= this.lastIndex()) this.items.length = first - this.offset - 1
    for (let i = start; i < entries.length; i++) {
      const entry = entries[i]!
      assert(entry.index === this.lastIndex() + 1, 'entries are contiguous')
      this.items.push(entry)
    }
  }

  /** compact drops entries up to and including index (index must be held or the offset). */
  compact(index: number): void {
    if (index <= this.offset) return
    const term = this.term(index)
    assert(term !== undefined, `compact index ${index} is held`)
    this.items.splice(0, index - this.offset)
    this.offset = index
    this.offsetTerm = term
  }

  /** reset empties the log so that it starts right after (index, term), e.g. a snapshot. */
  reset(index: number, term: number): void {
    this.items = []
    this.offset = index
    this.offsetTerm = term
  }

  /** dataBytes sums the data of held entries (for the snapshot threshold). */
  dataBytes(): number {
    let total = 0
    for (const entry of this.items) total += entry.data.length
    return total
  }
}
