/**
 * test/sim/raft/network.ts: the simulated network. Every message is delivered after a random
 * delay (so messages reorder), may be dropped or duplicated, and is blocked by partitions —
 * symmetric or one-way — checked at delivery time, the way a cut cable eats packets in flight.
 */
import type { RaftMessage } from '../../../agent/raft/core/types.js'
import type { Prng } from '../../../agent/util/prng.js'

/** Faults are the network's misbehaviour rates. */
export interface Faults {
  dropRate: number
  duplicateRate: number
  /** delayTicksMax: a message takes 0..delayTicksMax ticks beyond the current one. */
  delayTicksMax: number
}

/** Envelope is a message in flight; a snapshot message carries the streamed data beside it. */
export interface Envelope {
  message: RaftMessage
  snapData: Uint8Array | undefined
}

/** noFaults is a perfect network that still delivers on the next tick. */
export const noFaults: Faults = { dropRate: 0, duplicateRate: 0, delayTicksMax: 0 }

/** SimNetwork queues messages by delivery tick. */
export class SimNetwork {
  faults: Faults
  private readonly queue = new Map<number, Envelope[]>()
  /** blocked holds "from>to" pairs that cannot talk. */
  private readonly blocked = new Set<string>()
  sent = 0
  dropped = 0

  constructor(private readonly rng: Prng, faults: Faults) {
    this.faults = faults
  }

  /** send schedules delivery of a message sent at tick now; returns false when it was dropped at once. */
  send(now: number, envelope: Envelope): boolean {
    this.sent++
    if (this.rng.next() < this.faults.dropRate) {
      this.dropped++
      return false
    }
    const copies = this.rng.next() < this.faults.duplicateRate ? 2 : 1
    for (let c = 0; c < copies; c++) {
      const at = now + 1 + this.rng.int(this.faults.delayTicksMax + 1)
      const bucket = this.queue.get(at)
      if (bucket) bucket.push(envelope)
      else this.queue.set(at, [envelope])
    }
    return true
  }

  /** due removes and returns the messages to deliver at tick now, shuffled, minus the partitioned ones. */
  due(now: number, onBlocked: (e: Envelope) => void): Envelope[] {
    const bucket = this.queue.get(now)
    if (bucket === undefined) return []
    this.queue.delete(now)
    for (let k = bucket.length - 1; k > 0; k--) {
      const j = this.rng.int(k + 1)
      const t = bucket[k]!
      bucket[k] = bucket[j]!
      bucket[j] = t
    }
    const out: Envelope[] = []
    for (const e of bucket) {
      if (this.blocked.has(`${e.message.from}>${e.message.to}`)) {
        this.dropped++
        onBlocked(e)
      } else {
        out.push(e)
      }
    }
    return out
  }

  /**
   * takeFrom removes and returns the queued messages from `from` to `to`: a TCP stream delivers
   * what a dead process had sent before its connection closes, so the simulated driver hands
   * them over before it reports the refused reconnect.
   */
  takeFrom(from: string, to: string): Envelope[] {
    const out: Envelope[] = []
    for (const [at, bucket] of this.queue) {
      const keep = bucket.filter((e) => !(e.message.from === from && e.message.to === to))
      if (keep.length === bucket.length) continue
      for (const e of bucket) if (e.message.from === from && e.message.to === to) out.push(e)
      if (keep.length === 0) this.queue.delete(at)
      else this.queue.set(at, keep)
    }
    return out
  }

  /** isBlocked tells whether a partition blocks this message's direction. */
  isBlocked(e: Envelope): boolean {
    return this.blocked.has(`${e.message.from}>${e.message.to}`)
  }

  /** partition splits the servers into groups that cannot reach each other. */
  partition(groups: string[][]): void {
    this.blocked.clear()
    for (const g of groups) {
      for (const h of groups) {
        if (g === h) continue
        for (const a of g) for (const b of h) this.blocked.add(`${a}>${b}`)
      }
    }
  }

  /** cutOneWay blocks messages from a to b only (asymmetric partition). */
  cutOneWay(a: string, b: string): void {
    this.blocked.add(`${a}>${b}`)
  }

  /** isolate cuts one server off from all others, both ways. */
  isolate(id: string, all: string[]): void {
    for (const other of all) {
      if (other === id) continue
      this.blocked.add(`${id}>${other}`)
      this.blocked.add(`${other}>${id}`)
    }
  }

  /** heal removes every partition. */
  heal(): void {
    this.blocked.clear()
  }

  /** inFlight counts queued messages. */
  inFlight(): number {
    let n = 0
    for (const b of this.queue.values()) n += b.length
    return n
  }
}
