/**
 * agent/raft/core/read-only.ts: ReadIndex bookkeeping (Raft dissertation §6.4) and the leader
 * lease. Every heartbeat round the leader sends carries a fresh round number (the heartbeat's
 * ctx) and the leader remembers the tick it was sent. A read request received while round r is
 * the latest is confirmed once a quorum acknowledged a round > r (the leader starts one at its
 * next Ready): that proves it was still the leader after the read arrived. The same acks give the lease:
 * a follower that got round r at or after its send tick will refuse votes for electionTicks
 * after that, so the leader may serve reads locally until sendTick(r) + leaseTicks.
 */
import type { ReadState } from './types.js'

interface PendingRead {
  round: number
  ctx: number
  index: number
}

/** ReadOnly tracks heartbeat rounds, pending read requests and their send ticks. */
export class ReadOnly {
  /** round is the latest heartbeat round number sent (monotonic across terms). */
  round = 0
  private pending: PendingRead[] = []
  /** deferred holds read ctxs received before the leader committed an entry of its term. */
  deferred: number[] = []
  /** sent holds [round, tick] pairs, oldest first, for rounds that may still matter for leases. */
  private sent: Array<[number, number]> = []

  /** nextRound starts a heartbeat round sent at tick and returns its number. */
  nextRound(tick: number): number {
    this.round++
    this.sent.push([this.round, tick])
    return this.round
  }

  /** add queues a read that needs a round later than the current one to confirm it. */
  add(ctx: number, index: number): void {
    this.pending.push({ round: this.round + 1, ctx, index })
  }

  /** needsRound tells whether reads are waiting for a heartbeat round newer than the latest. */
  needsRound(): boolean {
    const last = this.pending[this.pending.length - 1]
    return last !== undefined && last.round > this.round
  }

  /** release returns the reads confirmed by a quorum acknowledging round `confirmed`. */
  release(confirmed: number): ReadState[] {
    let k = 0
    while (k < this.pending.length && this.pending[k]!.round <= confirmed) k++
    if (k === 0) return []
    const done = this.pending.splice(0, k)
    return done.map((p) => ({ ctx: p.ctx, index: p.index }))
  }

  /** sentTick returns when round was sent, or -Infinity when unknown or pruned. */
  sentTick(round: number): number {
    let lo = 0
    let hi = this.sent.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const r = this.sent[mid]![0]
      if (r === round) return this.sent[mid]![1]
      if (r < round) lo = mid + 1
      else hi = mid - 1
    }
    return -Infinity
  }

  /** prune forgets send ticks older than tick (they cannot give a valid lease any more). */
  prune(tick: number): void {
    let k = 0
    while (k < this.sent.length - 1 && this.sent[k]![1] < tick) k++
    if (k > 0) this.sent.splice(0, k)
  }

  /** reset drops every pending read (leadership changed: the driver fails them on role change). */
  reset(): void {
    this.pending = []
    this.deferred = []
    this.sent = []
  }

  /** pendingCount is the number of reads waiting for confirmation. */
  pendingCount(): number {
    return this.pending.length + this.deferred.length
  }
}
