/**
 * src/verify/history.ts: the record of a verify run. Every client operation is written down
 * with the time it was invoked and the time it completed; an operation whose outcome is unknown
 * (timeout, connection lost after sending) has no completion and may have taken effect at any
 * point after its invocation — exactly how Jepsen records "info" operations.
 */

/** RegisterOp is one operation on one key of a register/CAS store. Values are unique strings. */
export type RegisterOp =
  | { f: 'read'; key: string; output: string | null }
  | { f: 'write'; key: string; value: string }
  | { f: 'cas'; key: string; expected: string | null; value: string; ok: boolean }

/** HistoryEntry is one recorded operation. */
export interface HistoryEntry {
  id: number
  process: number
  op: RegisterOp
  invokeMs: number
  /** completeMs is undefined when the outcome is unknown. */
  completeMs: number | undefined
  /** failed marks an operation that definitely did not take effect (it is then left out). */
  failed: boolean
}

/** HistoryRecorder collects entries from concurrent clients. */
export class HistoryRecorder {
  private readonly entries: HistoryEntry[] = []
  private nextId = 0

  /** invoke opens an entry and returns its id. */
  invoke(process: number, op: RegisterOp, atMs: number): number {
    const id = this.nextId++
    this.entries.push({ id, process, op, invokeMs: atMs, completeMs: undefined, failed: false })
    return id
  }

  /** complete closes an entry with the operation's actual result. */
  complete(id: number, op: RegisterOp, atMs: number): void {
    const entry = this.entries[id]!
    entry.op = op
    entry.completeMs = atMs
  }

  /** fail marks an entry as definitely not applied. */
  fail(id: number, atMs: number): void {
    const entry = this.entries[id]!
    entry.failed = true
    entry.completeMs = atMs
  }

  /** all returns the entries recorded so far. */
  all(): HistoryEntry[] {
    return this.entries
  }
}

/** summarize counts a history's outcomes per kind. */
export function summarize(entries: HistoryEntry[]): Record<string, number> {
  const counts: Record<string, number> = { ok: 0, failed: 0, unknown: 0, reads: 0, writes: 0, cas: 0 }
  for (const e of entries) {
    if (e.failed) counts.failed! += 1
    else if (e.completeMs === undefined) counts.unknown! += 1
    else counts.ok! += 1
    counts[e.op.f === 'read' ? 'reads' : e.op.f === 'write' ? 'writes' : 'cas']! += 1
  }
  return counts
}
