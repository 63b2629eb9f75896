/**
 * agent/raft/core/conf-history.ts: the configurations a server may need. A config entry takes
 * effect when appended (dissertation §4.1), so the current configuration is the newest config
 * entry in the log. Only uncommitted config entries can be truncated away, so the history keeps
 * the newest committed one as its base plus any uncommitted ones after it — a handful at most.
 */
import { decodeConfState, emptyConf } from './conf.js'
import type { ConfState, LogReader } from './types.js'

interface Item {
  index: number
  conf: ConfState
}

/** restoreScanChunk is how many entries the startup scan reads at a time, walking backwards. */
const restoreScanChunk = 1024

/** ConfHistory holds the base (committed) configuration and any uncommitted ones after it. */
export class ConfHistory {
  private items: Item[]

  private constructor(items: Item[]) {
    this.items = items
  }

  /** restore finds the configurations in a durable log: scan back from the end to a committed config entry. */
  static restore(reader: LogReader, committed: number): ConfHistory {
    const found: Item[] = []
    const first = reader.firstIndex()
    let hi = reader.lastIndex() + 1
    while (hi > first) {
      const lo = Math.max(first, hi - restoreScanChunk)
      const chunk = reader.entries(lo, hi, Number.MAX_SAFE_INTEGER)
      for (let k = chunk.length - 1; k >= 0; k--) {
        const e = chunk[k]!
        if (e.type !== 'config') continue
        found.unshift({ index: e.index, conf: decodeConfState(e.data) })
        if (e.index <= committed) return new ConfHistory(found)
      }
      hi = lo
    }
    const meta = reader.snapshotMeta()
    found.unshift(meta !== undefined ? { index: meta.index, conf: meta.conf } : { index: 0, conf: emptyConf() })
    return new ConfHistory(found)
  }

  /** current is the newest configuration. */
  current(): ConfState {
    return this.items[this.items.length - 1]!.conf
  }

  /** currentIndex is the log index of the newest configuration. */
  currentIndex(): number {
    return this.items[this.items.length - 1]!.index
  }

  /** push records a configuration appended at index. */
  push(index: number, conf: ConfState): void {
    this.items.push({ index, conf })
  }

  /** truncateFrom drops configurations at index and above; returns whether any was dropped. */
  truncateFrom(index: number): boolean {
    let dropped = false
    while (this.items.length > 1 && this.items[this.items.length - 1]!.index >= index) {
      this.items.pop()
      dropped = true
    }
    return dropped
  }

  /** reset replaces the whole history with one configuration (a snapshot's). */
  reset(index: number, conf: ConfState): void {
    this.items = [{ index, conf }]
  }

  /** committedTo forgets configurations that a newer committed one supersedes. */
  committedTo(commit: number): void {
    while (this.items.length > 1 && this.items[1]!.index <= commit) this.items.shift()
  }
}
