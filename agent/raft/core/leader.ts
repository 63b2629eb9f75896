/**
 * agent/raft/core/leader.ts: the leader's bookkeeping beside replication — its progress map kept
 * in step with the configuration, check-quorum, heartbeat rounds with the reads they confirm,
 * and the lease those rounds give.
 */
import { ZxError } from '../../errors.js'
import { isVoter } from './conf.js'
import type { RaftCore } from './core.js'
import { Progress } from './progress.js'
import { quorumSize, quorumValue } from './quorum.js'
import { sendAppend, sendTimeoutNow } from './replicate.js'
import type { NodeId } from './types.js'

/** quorumActive checks (and resets) which voters were heard from during this election timeout. */
export function quorumActive(core: RaftCore): boolean {
  const voters = core.conf().voters
  let active = 0
  for (const v of voters) {
    const pr = core.prs.get(v)
    if (v === core.id || pr?.recentActive === true) active++
  }
  for (const pr of core.prs.values()) pr.recentActive = pr.id === core.id
  return voters.length === 0 || active >= quorumSize(voters.length)
}

/** syncProgress makes the leader's progress map match the configuration. */
export function syncProgress(core: RaftCore): void {
  const conf = core.conf()
  const next = core.log.lastIndex() + 1
  for (const id of conf.voters) ensureProgress(core, id, false, next)
  for (const id of conf.learners) ensureProgress(core, id, true, next)
  for (const id of [...core.prs.keys()]) {
    if (id !== core.id && !conf.voters.includes(id) && !conf.learners.includes(id)) core.prs.delete(id)
  }
  ensureProgress(core, core.id, !conf.voters.includes(core.id), next)
  core.prs.get(core.id)!.maybeUpdate(core.log.lastIndex())
}

function ensureProgress(core: RaftCore, id: NodeId, learner: boolean, next: number): void {
  const pr = core.prs.get(id)
  if (pr === undefined) {
    const fresh = new Progress(id, next, learner)
    // A new member gets a full election timeout before it counts against check-quorum.
    fresh.recentActive = true
    core.prs.set(id, fresh)
  } else {
    pr.learner = learner
  }
}

/** bcastHeartbeat starts a heartbeat round (which also confirms pending reads and renews the lease). */
export function bcastHeartbeat(core: RaftCore): void {
  const round = core.readOnly.nextRound(core.now)
  core.readOnly.prune(core.now - core.config.electionTicks * 2)
  for (const pr of core.prs.values()) {
    if (pr.id === core.id) continue
    core.send({ type: 'heartbeat', term: core.term, from: core.id, to: pr.id, commit: Math.min(pr.match, core.log.committed), ctx: round })
  }
  releaseReads(core)
}

/** releaseReads hands out the reads a quorum has confirmed. */
export function releaseReads(core: RaftCore): void {
  const voters = core.conf().voters
  const acks = voters.map((v) => (v === core.id ? core.readOnly.round : core.prs.get(v)?.readAck ?? 0))
  for (const rs of core.readOnly.release(quorumValue(acks))) core.readStates.push(rs)
}

/**
 * leaseValid tells whether a quorum acknowledged a heartbeat round sent less than leaseTicks ago.
 * Each such follower refuses votes for electionTicks (> leaseTicks) after receiving it, so no
 * other leader can exist yet. Not once a transfer started this term: timeout-now overrides that refusal.
 */
export function leaseValid(core: RaftCore): boolean {
  // Without check-quorum followers do not refuse votes, so no lease can be sound.
  if (!core.config.checkQuorum) return false
  if (core.role !== 'leader' || core.leadTransferee !== undefined || core.timeoutNowSent || !core.committedInTerm()) return false
  const voters = core.conf().voters
  if (!voters.includes(core.id)) return false
  const sent = voters.map((v) => (v === core.id ? core.now : core.readOnly.sentTick(core.prs.get(v)?.readAck ?? 0)))
  return quorumValue(sent) > core.now - core.config.leaseTicks
}

/** notLeader is the error for leader-only calls on another role, with the known leader as a hint. */
export function notLeader(core: RaftCore): ZxError {
  return new ZxError('ZX_ERR_NOT_LEADER', `${core.id} is not the leader`, { details: { leaderId: core.leaderId } })
}

/**
 * readIndex registers a read (dissertation §6.4): it waits until the leader committed an entry
 * of its term, then for a quorum to acknowledge a heartbeat round started after it arrived.
 */
export function readIndex(core: RaftCore, ctx: number): void {
  if (core.role !== 'leader') throw notLeader(core)
  if (!core.committedInTerm()) {
    core.readOnly.deferred.push(ctx)
    return
  }
  const voters = core.conf().voters
  if (voters.length === 1 && voters[0] === core.id) {
    core.readStates.push({ ctx, index: core.log.committed })
    return
  }
  core.readOnly.add(ctx, core.log.committed)
}

/** transferLeadership starts a transfer (dissertation §3.10): catch `to` up, then timeout-now. */
export function transferLeadership(core: RaftCore, to: NodeId): void {
  if (core.role !== 'leader') throw notLeader(core)
  if (to === core.id) return
  if (!isVoter(core.conf(), to)) throw new ZxError('ZX_ERR_MEMBERSHIP', `${to} is not a voter`)
  if (core.leadTransferee === to) return
  core.leadTransferee = to
  // The transfer must finish within an election timeout, or tickLeader abandons it.
  core.electionElapsed = 0
  const pr = core.prs.get(to)!
  if (pr.match === core.log.lastIndex()) sendTimeoutNow(core, to)
  else sendAppend(core, to, false)
}

/** reportSnapshot ends the snapshot state of `to`: probe next, once it answers or a heartbeat does. */
export function reportSnapshot(core: RaftCore, to: NodeId, ok: boolean): void {
  const pr = core.prs.get(to)
  if (core.role !== 'leader' || pr === undefined || pr.state !== 'snapshot') return
  if (!ok) pr.pendingSnapshot = 0
  pr.becomeProbe()
  pr.probeSent = true
}
