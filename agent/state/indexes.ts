/**
 * agent/state/indexes.ts: the Raft index of every table and the watches that wake blocking
 * queries. A write bumps the index of each table it touched once its transaction commits; every
 * waiter on one of those tables is woken synchronously, so a parked blocking query re-runs
 * within a tick of the apply. Waking is a hint: the query compares indexes itself.
 */

/** TableName names a store table ('kvs', 'tombstones', 'sessions', catalog tables …). */
export type TableName = string

interface Waiter {
  tables: readonly TableName[]
  wake: () => void
}

/** TableIndexes tracks per-table indexes and parks readers until one of their tables moves. */
export class TableIndexes {
  private readonly indexes = new Map<TableName, number>()
  private readonly waiters = new Set<Waiter>()

  /** get is a table's last-modified index (0 if never written). */
  get(table: TableName): number {
    return this.indexes.get(table) ?? 0
  }

  /** max is the largest index among tables. */
  max(...tables: TableName[]): number {
    return tables.reduce((best, table) => Math.max(best, this.get(table)), 0)
  }

  /** bump records that `table` changed at `index` and wakes its waiters. */
  bump(table: TableName, index: number): void {
    if (index > this.get(table)) this.indexes.set(table, index)
    for (const waiter of [...this.waiters]) {
      if (waiter.tables.includes(table)) waiter.wake()
    }
  }

  /** wakeAll wakes every waiter (restore, shutdown). */
  wakeAll(): void {
    for (const waiter of [...this.waiters]) waiter.wake()
  }

  /** entries lists every table index (snapshots, metrics). */
  entries(): [TableName, number][] {
    return [...this.indexes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  }

  /** reset replaces every index (restore). */
  reset(entries: [TableName, number][]): void {
    this.indexes.clear()
    for (const [table, index] of entries) this.indexes.set(table, index)
  }

  /** waitChange resolves true when one of `tables` is bumped, false after timeoutMs or abort. */
  waitChange(tables: readonly TableName[], timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (changed: boolean): void => {
        clearTimeout(timer)
        this.waiters.delete(waiter)
        signal?.removeEventListener('abort', onAbort)
        resolve(changed)
      }
      const waiter: Waiter = { tables, wake: () => finish(true) }
      const onAbort = (): void => finish(false)
      const timer = setTimeout(() => finish(false), Math.max(0, timeoutMs))
      if (signal?.aborted) return finish(false)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.add(waiter)
    })
  }

  /** waiterCount is how many blocking readers are parked (metrics). */
  waiterCount(): number {
    return this.waiters.size
  }
}

/** Tx is one atomic write: undo steps for rollback and the tables to bump on commit. */
export class Tx {
  readonly undo: (() => void)[] = []
  readonly touched = new Set<TableName>()
  constructor(readonly index: number, readonly nowMs: number) {}

  /** rollback reverts every change of this transaction, newest first. */
  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]!()
    this.undo.length = 0
    this.touched.clear()
  }

  /** commit bumps the touched tables' indexes (waking their watchers). */
  commit(indexes: TableIndexes): void {
    for (const table of this.touched) indexes.bump(table, this.index)
    this.undo.length = 0
  }
}
