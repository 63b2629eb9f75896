/**
 * agent/raft/core/replicate.ts: how the leader moves its log to followers. Proposals only append
 * locally and set needFlush; ready() then sends each follower one batched append per window
 * slot (pipelining in the replicate state, one probe at a time otherwise), so a burst of
 * proposals between two Readies costs one message per follower, not one per entry. A follower
 * that needs compacted entries is sent a snapshot (meta only; the driver streams the data).
 * Commit advances only by counting replicas of an entry of the current term (§5.4.2).
 */
import type { RaftCore } from './core.js'
import { bcastHeartbeat } from './leader.js'
import { quorumValue } from './quorum.js'

/**
 * sendAppend sends `to` the next batch (or an empty append when sendIfEmpty, to carry the
 * commit index). It returns whether a message carrying entries went out.
 */
export function sendAppend(core: RaftCore, to: string, sendIfEmpty: boolean): boolean {
  const pr = core.prs.get(to)
  if (pr === undefined || to === core.id || pr.isPaused(core.config.maxInflight)) return false
  const log = core.log
  const prevIndex = pr.next - 1
  const prevTerm = log.term(prevIndex)
  if (prevTerm === undefined || pr.next < log.firstIndex()) {
    sendSnapshot(core, to)
    return false
  }
  const last = log.lastIndex()
  const entries = pr.next <= last ? log.entries(pr.next, last + 1, core.config.maxBatchBytes) : []
  // A probe with nothing new still goes out when we do not know where the follower's log ends.
  const probing = pr.state === 'probe' && pr.match < prevIndex
  if (entries.length === 0 && !sendIfEmpty && !probing) return false
  const commit = log.committed
  core.send({ type: 'append', term: core.term, from: core.id, to, prevIndex, prevTerm, entries, commit })
  pr.commitSent = Math.max(pr.commitSent, Math.min(commit, prevIndex + entries.length))
  pr.sentEntries(prevIndex + entries.length, entries.length)
  return entries.length > 0
}

function sendSnapshot(core: RaftCore, to: string): void {
  const pr = core.prs.get(to)!
  const meta = core.log.storage.snapshotMeta()
  if (meta === undefined) return
  pr.becomeSnapshot(meta.index)
  core.send({ type: 'snapshot', term: core.term, from: core.id, to, meta })
}

/** sendAllTo sends `to` everything its window allows, then the commit index if it is behind. */
export function sendAllTo(core: RaftCore, to: string): void {
  const pr = core.prs.get(to)
  if (pr === undefined) return
  // Bounded by the window (maxInflight) in replicate state, and by one message otherwise.
  while (sendAppend(core, to, false) && pr.state === 'replicate') { /* keep filling the window */ }
  if (Math.min(core.log.committed, pr.match) > pr.commitSent) sendAppend(core, to, true)
}

/** flushLeader sends what proposals and reads accumulated since the last Ready. */
export function flushLeader(core: RaftCore): void {
  if (core.needFlush) {
    core.needFlush = false
    for (const pr of core.prs.values()) if (pr.id !== core.id) sendAllTo(core, pr.id)
  }
  if (core.readOnly.needsRound()) {
    core.heartbeatElapsed = 0
    bcastHeartbeat(core)
  }
}

/** sendTimeoutNow tells the transfer target to campaign right away. */
export function sendTimeoutNow(core: RaftCore, to: string): void {
  core.timeoutNowSent = true
  core.send({ type: 'timeout-now', term: core.term, from: core.id, to })
}

/** maybeCommit advances the commit index to what a quorum of voters holds, if of this term. */
export function maybeCommit(core: RaftCore): boolean {
  if (core.role !== 'leader') return false
  const voters = core.conf().voters
  const matches: number[] = []
  for (const v of voters) matches.push(core.prs.get(v)?.match ?? 0)
  const index = quorumValue(matches)
  if (index <= core.log.committed || core.log.term(index) !== core.term) return false
  const firstInTerm = !core.committedInTerm()
  core.log.commitTo(index)
  core.confs.committedTo(index)
  core.needFlush = true
  if (firstInTerm) releaseDeferredReads(core)
  if (!voters.includes(core.id) && core.pendingConfIndex <= index) {
    // The leader removed itself (§4.2.2): it managed the change until committed, now it steps
    // down and hands over (timeout-now to the most up-to-date voter) instead of leaving the
    // cluster to wait an election timeout. Its own lease ends as it stops being leader.
    const heir = mostUpToDateVoter(core, voters)
    if (heir !== undefined) sendTimeoutNow(core, heir)
    core.becomeFollower(core.term, undefined)
  }
  return true
}

/** mostUpToDateVoter is the voter (never the leader) with the highest match; ties by id. */
function mostUpToDateVoter(core: RaftCore, voters: readonly string[]): string | undefined {
  let best: string | undefined
  let bestMatch = -1
  for (const v of [...voters].sort()) {
    const match = core.prs.get(v)?.match ?? 0
    if (v !== core.id && match > bestMatch) { best = v; bestMatch = match }
  }
  return best
}

function releaseDeferredReads(core: RaftCore): void {
  const deferred = core.readOnly.deferred
  core.readOnly.deferred = []
  for (const ctx of deferred) core.readIndex(ctx)
}
