/**
 * agent/raft/core/step-follower.ts: elections and the follower side of replication. A follower
 * (or learner) accepts appends, heartbeats and snapshots from its leader; a (pre)candidate
 * counts votes. With pre-vote, a server first asks whether it could win (term + 1, nothing
 * persisted) and only then raises its term, so a server returning from a partition cannot
 * depose a healthy leader (dissertation §9.6).
 */
import { decodeConfState } from './conf.js'
import type { RaftCore } from './core.js'
import { tallyVotes } from './quorum.js'
import type { RaftMessage } from './types.js'

type Msg<T extends RaftMessage['type']> = Extract<RaftMessage, { type: T }>

/** CampaignKind is a pre-vote, a normal election, or one forced by a leadership transfer. */
export type CampaignKind = 'pre' | 'normal' | 'transfer'

/** campaign starts an election (or pre-vote) if this server may campaign. */
export function campaign(core: RaftCore, kind: CampaignKind): void {
  if (!core.promotable()) return
  if (kind === 'pre') core.becomePreCandidate()
  else core.becomeCandidate()
  const preVote = kind === 'pre'
  const voteTerm = preVote ? core.term + 1 : core.term
  core.events.push({ type: 'election-start', term: voteTerm, preVote })
  core.votes.set(core.id, true)
  if (decide(core, preVote)) return
  const lastLogIndex = core.log.lastIndex()
  const lastLogTerm = core.log.lastTerm()
  for (const v of core.conf().voters) {
    if (v === core.id) continue
    core.send({ type: 'vote', term: voteTerm, from: core.id, to: v, lastLogIndex, lastLogTerm, preVote, transfer: kind === 'transfer' })
  }
}

/** decide acts on the tally; it returns true when the election is over. */
function decide(core: RaftCore, preVote: boolean): boolean {
  switch (tallyVotes(core.conf().voters, core.votes)) {
    case 'won':
      if (preVote) campaign(core, 'normal')
      else core.becomeLeader()
      return true
    case 'lost':
      core.becomeFollower(core.term, undefined)
      return true
    case 'pending':
      return false
  }
}

/**
 * handleVote answers a (pre-)vote request at our term or a newer one. Raft §5.4.1: a candidate
 * whose log is less up to date than ours must not get our vote.
 */
export function handleVote(core: RaftCore, m: Msg<'vote'>): void {
  const canVote = core.vote === m.from ||
    (core.vote === undefined && core.leaderId === undefined) ||
    (m.preVote && m.term > core.term)
  if (canVote && core.log.isUpToDate(m.lastLogIndex, m.lastLogTerm)) {
    core.send({ type: 'vote-resp', term: m.term, from: core.id, to: m.from, granted: true, preVote: m.preVote })
    if (!m.preVote) {
      core.electionElapsed = 0
      core.vote = m.from
    }
  } else {
    core.send({ type: 'vote-resp', term: core.term, from: core.id, to: m.from, granted: false, preVote: m.preVote })
  }
}

/** stepFollower handles a message at our term as a follower. */
export function stepFollower(core: RaftCore, m: RaftMessage): void {
  switch (m.type) {
    case 'append':
      heardFromLeader(core, m.from)
      handleAppend(core, m)
      return
    case 'heartbeat':
      heardFromLeader(core, m.from)
      handleHeartbeat(core, m)
      return
    case 'snapshot':
      heardFromLeader(core, m.from)
      handleSnapshot(core, m)
      return
    case 'timeout-now':
      // Dissertation §3.10: the leader asks us to take over; skip pre-vote and the lease check.
      campaign(core, 'transfer')
      return
    case 'vote':
    case 'vote-resp':
    case 'append-resp':
    case 'heartbeat-resp':
    case 'snapshot-resp':
      return
  }
}

function heardFromLeader(core: RaftCore, from: string): void {
  core.electionElapsed = 0
  core.leaderId = from
}

/** stepCandidate handles a message at our term as a pre-candidate or candidate. */
export function stepCandidate(core: RaftCore, m: RaftMessage): void {
  switch (m.type) {
    case 'append':
    case 'heartbeat':
    case 'snapshot':
      // A leader exists for this term: Raft §5.2, return to follower and accept it.
      core.becomeFollower(core.term, m.from)
      stepFollower(core, m)
      return
    case 'vote-resp':
      countVote(core, m)
      return
    case 'vote':
    case 'append-resp':
    case 'heartbeat-resp':
    case 'snapshot-resp':
    case 'timeout-now':
      return
  }
}

function countVote(core: RaftCore, m: Msg<'vote-resp'>): void {
  const pre = core.role === 'precandidate'
  if (m.preVote !== pre) return
  // A granted pre-vote carries the term we would campaign in; a rejection carries the voter's.
  const expected = pre && m.granted ? core.term + 1 : core.term
  if (m.term !== expected) return
  if (!core.conf().voters.includes(m.from) || core.votes.has(m.from)) return
  core.votes.set(m.from, m.granted)
  core.events.push({ type: 'vote', term: m.term, from: m.from, granted: m.granted })
  decide(core, pre)
}

function respondAppend(core: RaftCore, to: string, success: boolean, matchIndex: number, conflictIndex = 0, conflictTerm = 0): void {
  core.send({ type: 'append-resp', term: core.term, from: core.id, to, success, matchIndex, conflictIndex, conflictTerm })
}

/**
 * handleAppend is Raft §5.3's consistency check with fast back-off. A rejection carries the
 * rejected prevIndex in matchIndex and, as the hint, the last index that may still match
 * (conflictIndex, the largest index <= prevIndex whose term <= prevTerm) and its term.
 */
function handleAppend(core: RaftCore, m: Msg<'append'>): void {
  const log = core.log
  if (m.prevIndex < log.committed) {
    respondAppend(core, m.from, true, log.committed)
    return
  }
  if (!log.matchTerm(m.prevIndex, m.prevTerm)) {
    const hint = log.findConflictByTerm(Math.min(m.prevIndex, log.lastIndex()), m.prevTerm, log.committed)
    respondAppend(core, m.from, false, m.prevIndex, hint, log.term(hint) ?? 0)
    return
  }
  const lastNew = m.prevIndex + m.entries.length
  const conflict = log.findConflict(m.entries)
  if (conflict > 0) {
    if (conflict <= log.committed) {
      // A real leader never contradicts a committed entry; drop rather than corrupt the log.
      core.droppedMessages++
      return
    }
    if (conflict <= log.lastIndex()) core.truncateConfFrom(conflict)
    const fresh = m.entries.slice(conflict - (m.prevIndex + 1))
    log.append(fresh)
    for (const e of fresh) if (e.type === 'config') core.setConf(e.index, decodeConfState(e.data))
  }
  if (log.commitTo(Math.min(m.commit, lastNew))) core.confs.committedTo(log.committed)
  respondAppend(core, m.from, true, lastNew)
}

function handleHeartbeat(core: RaftCore, m: Msg<'heartbeat'>): void {
  // The leader sends min(commit, our match), so this never commits an entry we do not share.
  if (core.log.commitTo(Math.min(m.commit, core.log.lastIndex()))) core.confs.committedTo(core.log.committed)
  core.send({ type: 'heartbeat-resp', term: core.term, from: core.id, to: m.from, ctx: m.ctx })
}

/** handleSnapshot installs a leader's snapshot unless our log already covers it. */
function handleSnapshot(core: RaftCore, m: Msg<'snapshot'>): void {
  const log = core.log
  const meta = m.meta
  const respond = (matchIndex: number): void => {
    core.send({ type: 'snapshot-resp', term: core.term, from: core.id, to: m.from, success: true, matchIndex })
  }
  if (meta.index <= log.committed) {
    respond(log.committed)
    return
  }
  if (log.matchTerm(meta.index, meta.term)) {
    log.commitTo(meta.index)
    core.confs.committedTo(meta.index)
    respond(meta.index)
    return
  }
  log.restore(meta)
  core.restoreConf(meta.index, { voters: [...meta.conf.voters], learners: [...meta.conf.learners], addresses: { ...meta.conf.addresses } })
  respond(meta.index)
}
