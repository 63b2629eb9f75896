/**
 * agent/raft/core/step-leader.ts: the leader's side of replication — append answers (advance,
 * or back off fast using the follower's conflict hint), heartbeat answers (read rounds, leases,
 * unpausing probes) and snapshot answers — plus leadership transfer once the target caught up.
 */
import type { RaftCore } from './core.js'
import { releaseReads } from './leader.js'
import { maybeCommit, sendAllTo, sendAppend, sendTimeoutNow } from './replicate.js'
import type { RaftMessage } from './types.js'

/**
 * stalledRoundsMax: heartbeat rounds a replicating follower may answer without its match moving
 * before the leader assumes appends were lost and probes again. Two rounds leave time for
 * appends legitimately in flight.
 */
const stalledRoundsMax = 2

type Msg<T extends RaftMessage['type']> = Extract<RaftMessage, { type: T }>

/** stepLeader handles a message at our term as the leader. */
export function stepLeader(core: RaftCore, m: RaftMessage): void {
  switch (m.type) {
    case 'append-resp': handleAppendResp(core, m); return
    case 'heartbeat-resp': handleHeartbeatResp(core, m); return
    case 'snapshot-resp': handleSnapshotResp(core, m); return
    case 'append':
    case 'heartbeat':
    case 'snapshot':
      // Two leaders in one term would break election safety; this can only be forged input.
      core.droppedMessages++
      return
    case 'vote':
    case 'vote-resp':
    case 'timeout-now':
      return
  }
}

function handleAppendResp(core: RaftCore, m: Msg<'append-resp'>): void {
  const pr = core.prs.get(m.from)
  if (pr === undefined) return
  pr.recentActive = true
  if (!m.success) {
    // The leader refines the follower's hint with its own log: skip a whole term at a time.
    const hint = m.conflictTerm > 0
      ? core.log.findConflictByTerm(m.conflictIndex, m.conflictTerm, pr.match)
      : m.conflictIndex
    if (pr.maybeDecrTo(m.matchIndex, hint)) {
      if (pr.state === 'replicate') pr.becomeProbe()
      sendAppend(core, m.from, true)
    }
    return
  }
  if (!pr.maybeUpdate(m.matchIndex)) {
    sendAllTo(core, m.from)
    return
  }
  if (pr.state === 'probe') pr.becomeReplicate()
  else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) pr.becomeReplicate()
  maybeCommit(core)
  if (core.role !== 'leader') return
  if (core.leadTransferee === m.from && pr.match === core.log.lastIndex()) sendTimeoutNow(core, m.from)
  sendAllTo(core, m.from)
}

function handleHeartbeatResp(core: RaftCore, m: Msg<'heartbeat-resp'>): void {
  const pr = core.prs.get(m.from)
  if (pr === undefined) return
  pr.recentActive = true
  pr.probeSent = false
  if (m.ctx > pr.readAck) {
    pr.readAck = m.ctx
    releaseReads(core)
  }
  if (pr.state === 'replicate' && pr.match < core.log.lastIndex() && ++pr.stalledRounds >= stalledRoundsMax) {
    // Appends were lost (dropped, or the follower restarted): the window would never drain.
    pr.becomeProbe()
  }
  if (pr.match < core.log.lastIndex() || pr.commitSent < Math.min(pr.match, core.log.committed)) sendAllTo(core, m.from)
}

function handleSnapshotResp(core: RaftCore, m: Msg<'snapshot-resp'>): void {
  const pr = core.prs.get(m.from)
  if (pr === undefined) return
  pr.recentActive = true
  if (pr.state !== 'snapshot') {
    if (m.success) pr.maybeUpdate(m.matchIndex)
    return
  }
  if (m.success) {
    pr.maybeUpdate(m.matchIndex)
    pr.becomeProbe()
  } else {
    pr.pendingSnapshot = 0
    pr.becomeProbe()
    pr.probeSent = true
  }
  maybeCommit(core)
  if (core.role === 'leader') sendAllTo(core, m.from)
}
