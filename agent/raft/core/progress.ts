/**
 * agent/raft/core/progress.ts: the leader's view of one follower (etcd's Progress). A follower
 * is in one of three states:
 *  - probe: we do not know where its log matches; send one append at a time and wait for the
 *    answer (or the next heartbeat response) before sending another;
 *  - replicate: its log matches ours up to `match`; stream appends optimistically, advancing
 *    `next` on send, with at most maxInflight messages in flight (the pipelining window);
 *  - snapshot: it needs entries we compacted; a snapshot is on its way, send nothing else.
 */
import type { NodeId } from './types.js'

/** ProgressState is how the leader is currently replicating to a follower. */
export type ProgressState = 'probe' | 'replicate' | 'snapshot'

/** Progress is the leader's replication state for one member (itself included). */
export class Progress {
  match = 0
  next: number
  state: ProgressState = 'probe'
  /** probeSent pauses a probing follower until it answers or a heartbeat response comes back. */
  probeSent = false
  /** pendingSnapshot is the index of the snapshot being sent while in the snapshot state. */
  pendingSnapshot = 0
  /** recentActive records any message from the follower since the last check-quorum round. */
  recentActive = false
  /** lastAckTick is the leader tick at which this follower last answered (leases). */
  lastAckTick = -Infinity
  /** readAck is the latest read round (heartbeat ctx) the follower acknowledged. */
  readAck = 0
  /** stalledRounds counts heartbeat answers without progress while entries are outstanding. */
  stalledRounds = 0
  /** commitSent is the highest commit index we told this follower. */
  commitSent = 0
  /** inflights holds the last index of every append in flight, oldest first. */
  private readonly inflights: number[] = []

  constructor(readonly id: NodeId, next: number, public learner: boolean) {
    this.next = next
  }

  /** inflight returns how many appends are in flight. */
  inflight(): number {
    return this.inflights.length
  }

  /** becomeProbe falls back to probing from just after the last known match. */
  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot
      this.next = Math.max(this.match + 1, pending + 1)
    } else {
      this.next = this.match + 1
    }
    this.resetState('probe')
  }

  /** becomeReplicate starts streaming from just after the match. */
  becomeReplicate(): void {
    this.next = this.match + 1
    this.resetState('replicate')
  }

  /** becomeSnapshot pauses replication while the snapshot at index is sent. */
  becomeSnapshot(index: number): void {
    this.resetState('snapshot')
    this.pendingSnapshot = index
  }

  private resetState(state: ProgressState): void {
    this.state = state
    this.probeSent = false
    this.stalledRounds = 0
    this.pendingSnapshot = 0
    this.inflights.length = 0
  }

  /** maybeUpdate records a successful append up to n; it returns false when n is stale. */
  maybeUpdate(n: number): boolean {
    let updated = false
    if (this.match < n) {
      this.match = n
      updated = true
      this.probeSent = false
      this.stalledRounds = 0
    }
    this.next = Math.max(this.next, n + 1)
    this.freeTo(n)
    return updated
  }

  /**
   * maybeDecrTo handles a rejection of the append at `rejected`; `hint` is the follower's (or
   * our own refined) guess of the last matching index. It returns false for a stale rejection.
   */
  maybeDecrTo(rejected: number, hint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false
      this.next = this.match + 1
      return true
    }
    if (this.next - 1 !== rejected) return false
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1, 1)
    this.probeSent = false
    return true
  }

  /** sentEntries records that an append carrying entries up to last was sent. */
  sentEntries(last: number, count: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = last + 1
        this.inflights.push(last)
      }
    } else if (this.state === 'probe') {
      this.probeSent = true
    }
  }

  /** isPaused tells whether the leader must not send another append now. */
  isPaused(maxInflight: number): boolean {
    switch (this.state) {
      case 'probe': return this.probeSent
      case 'replicate': return this.inflights.length >= maxInflight
      case 'snapshot': return true
    }
  }

  private freeTo(n: number): void {
    let k = 0
    while (k < this.inflights.length && this.inflights[k]! <= n) k++
    if (k > 0) this.inflights.splice(0, k)
  }
}
