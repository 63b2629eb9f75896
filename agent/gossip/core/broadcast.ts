/**
 * agent/gossip/core/broadcast.ts: the transmit-limited broadcast queue (memberlist's
 * TransmitLimitedQueue). Every state update is queued under a key (the member's name, or the
 * user event's id), so a newer update about a node replaces the older one. Each gossip packet
 * takes the least-transmitted updates that fit; an update is dropped after
 * retransmitMult × ceil(log10(N+1)) transmissions, enough for an epidemic to reach every node
 * with high probability while keeping per-node traffic constant in N.
 */
import type { GossipMessage } from './messages.js'

/** Broadcast is one queued update with its encoded size. */
export interface Broadcast {
  key: string
  message: GossipMessage
  sizeBytes: number
  transmits: number
}

/** retransmitLimit is how often an update is sent before it is dropped. */
export function retransmitLimit(retransmitMult: number, nodes: number): number {
  return retransmitMult * Math.max(1, Math.ceil(Math.log10(nodes + 1)))
}

/** BroadcastQueue holds pending updates bucketed by how often each was sent. */
export class BroadcastQueue {
  private readonly byKey = new Map<string, Broadcast>()
  private readonly buckets: Array<Set<Broadcast>> = []

  constructor(private readonly capacity: number) {}

  /** size is the number of queued updates. */
  get size(): number {
    return this.byKey.size
  }

  /** has tells whether an update with this key is still queued. */
  has(key: string): boolean {
    return this.byKey.has(key)
  }

  /** enqueue queues an update, replacing any older one with the same key. */
  enqueue(key: string, message: GossipMessage, sizeBytes: number): void {
    this.remove(key)
    const item: Broadcast = { key, message, sizeBytes, transmits: 0 }
    this.byKey.set(key, item)
    this.bucket(0).add(item)
    if (this.byKey.size > this.capacity) this.pruneOldest()
  }

  /** remove drops a queued update. */
  remove(key: string): void {
    const old = this.byKey.get(key)
    if (old === undefined) return
    this.byKey.delete(key)
    this.buckets[old.transmits]?.delete(old)
  }

  /**
   * take returns updates (least sent first) whose sizes plus `overheadBytes` each fit in
   * `budgetBytes`, at most `countMax` of them, and counts one transmission for each.
   */
  take(overheadBytes: number, budgetBytes: number, countMax: number, limit: number): GossipMessage[] {
    const out: GossipMessage[] = []
    const sent: Broadcast[] = []
    let left = budgetBytes
    let misses = 0
    // A few misses mean the packet is nearly full: stop rather than scan a long queue.
    for (let t = 0; t < this.buckets.length && out.length < countMax && misses < 8; t++) {
      const bucket = this.buckets[t]
      if (bucket === undefined) continue
      for (const item of bucket) {
        if (out.length >= countMax || misses >= 8) break
        const cost = item.sizeBytes + overheadBytes
        if (cost > left) { misses++; continue }
        left -= cost
        out.push(item.message)
        sent.push(item)
      }
    }
    for (const item of sent) this.transmitted(item, limit)
    return out
  }

  private transmitted(item: Broadcast, limit: number): void {
    this.buckets[item.transmits]!.delete(item)
    item.transmits += 1
    if (item.transmits >= limit) this.byKey.delete(item.key)
    else this.bucket(item.transmits).add(item)
  }

  private bucket(transmits: number): Set<Broadcast> {
    let bucket = this.buckets[transmits]
    if (bucket === undefined) {
      bucket = new Set()
      this.buckets[transmits] = bucket
    }
    return bucket
  }

  private pruneOldest(): void {
    for (let t = this.buckets.length - 1; t >= 0; t--) {
      const bucket = this.buckets[t]
      const victim = bucket?.values().next().value
      if (victim !== undefined) {
        this.remove(victim.key)
        return
      }
    }
  }
}
