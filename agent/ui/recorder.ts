/**
 * agent/ui/recorder.ts: the lab APIs' memory. An EventRing keeps the last N events of one kind
 * (Raft or gossip) with a sequence number, which doubles as the blocking-query index: a reader
 * passes the last seq it saw as ?index= and is parked until a newer event arrives or its wait
 * runs out, exactly like a Consul blocking query on a table index. Stream subscribers (SSE) get
 * every event as it is pushed. Bounded: old events fall off the ring, waiters end on timeout.
 */

/** EventRing is a bounded, sequence-numbered event buffer with blocking reads. */
export class EventRing<T extends object> {
  private readonly buffer: (T & { seq: number })[] = []
  private seq = 0
  private readonly listeners = new Set<(item: T & { seq: number }) => void>()
  private readonly waiters = new Set<() => void>()

  constructor(private readonly capacity: number) {}

  /** push appends an event, drops the oldest past capacity, and wakes waiters and listeners. */
  push(item: T): T & { seq: number } {
    this.seq += 1
    const stamped = { ...item, seq: this.seq }
    this.buffer.push(stamped)
    if (this.buffer.length > this.capacity) this.buffer.splice(0, this.buffer.length - this.capacity)
    for (const wake of [...this.waiters]) wake()
    for (const listener of [...this.listeners]) listener(stamped)
    return stamped
  }

  /** items returns the buffered events, oldest first (optionally only those after seq). */
  items(afterSeq = 0): (T & { seq: number })[] {
    return afterSeq <= 0 ? [...this.buffer] : this.buffer.filter((e) => e.seq > afterSeq)
  }

  /** lastSeq is the seq of the newest event ever pushed (0 when none). */
  lastSeq(): number {
    return this.seq
  }

  /** subscribe calls listener on each push; returns the unsubscribe function. */
  subscribe(listener: (item: T & { seq: number }) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * waitBeyond resolves once an event newer than index exists, waitMs passed, or signal
   * aborted; it resolves at once when index is 0 or already behind (a reset, as in Consul).
   */
  waitBeyond(index: number, waitMs: number, signal?: AbortSignal): Promise<void> {
    // seq > index: news. seq < index: the reader saw a previous life of this agent, so it
    // gets an answer now and resyncs, like Consul's index reset.
    if (index <= 0 || this.seq !== index || signal?.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.waiters.delete(done)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, waitMs)
      this.waiters.add(done)
      signal?.addEventListener('abort', done)
    })
  }

  /** close wakes every waiter and drops every listener. */
  close(): void {
    for (const wake of [...this.waiters]) wake()
    this.listeners.clear()
  }
}

/**
 * parseWaitMs parses Consul's ?wait= (a Go duration such as 10s, 1m30s, 500ms), capped at
 * maxMs; undefined input gives the default, bad input gives undefined.
 */
export function parseWaitMs(raw: string | null, defaultMs: number, maxMs: number): number | undefined {
  if (raw === null || raw === '') return defaultMs
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy
  let total = 0
  let consumed = 0
  for (let m = re.exec(raw); m !== null; m = re.exec(raw)) {
    total += Number(m[1]) * units[m[2]!]!
    consumed = re.lastIndex
  }
  if (raw === '0') return 0
  if (consumed !== raw.length || consumed === 0) return undefined
  return Math.min(Math.round(total), maxMs)
}

/** parseIndex parses ?index= as a non-negative integer; undefined for bad input. */
export function parseIndex(raw: string | null): number | undefined {
  if (raw === null || raw === '') return 0
  if (!/^\d{1,15}$/.test(raw)) return undefined
  return Number(raw)
}
