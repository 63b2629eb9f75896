/**
 * agent/raft/core/core.ts: the pure Raft state machine (Ongaro's dissertation, with etcd-io/raft's
 * shape). It never performs I/O and never reads a clock or Math.random: the driver calls tick()
 * at a fixed interval, step() with network input and propose()/readIndex()/… for local requests,
 * then drains ready(), persists/sends/applies in that order and calls advance(). Role-specific
 * message handling lives in step-follower.ts and step-leader.ts, replication in replicate.ts,
 * the leader's heartbeat/lease/progress bookkeeping in leader.ts, configuration history in
 * conf-history.ts, the log with its unstable tail in log.ts, Ready assembly in ready.ts, the
 * status report in status.ts, leader-gone hints in hints.ts.
 *
 * Included: pre-vote, check-quorum, leadership transfer, pipelined/batched appends with fast
 * back-off, ReadIndex, leader lease, snapshots (meta only) and single-server membership changes.
 *
 * What the driver must know beyond types.ts:
 *  - Readies may be taken before the previous one is advanced; handle them strictly in order.
 *  - Persisting Ready.snapshot resets the durable log to start right after it (firstIndex =
 *    index + 1, lastIndex = index) before Ready.entries are appended.
 *  - After a restart, applied starts at the snapshot index: the first Readies hand out every
 *    committed entry after it, for a state machine restored from that snapshot.
 *  - An append-resp rejection carries the rejected prevIndex in matchIndex and the follower's
 *    hint (last index that may match, and its term) in conflictIndex/conflictTerm.
 *  - Pending ReadIndex requests are dropped when leadership is lost (softState.role changes):
 *    fail them then, or let them time out.
 *  - Proposals are sent at the next ready(): call hasReady()/ready() after propose().
 */
import { ZxError, assert } from '../../errors.js'
import type { Prng } from '../../util/prng.js'
import { ConfHistory } from './conf-history.js'
import { applyConfChange, encodeConfState, isVoter } from './conf.js'
import { RaftLog } from './log.js'
import type { Progress } from './progress.js'
import {
  bcastHeartbeat, leaseValid, notLeader, quorumActive, readIndex, reportSnapshot, syncProgress, transferLeadership,
} from './leader.js'
import { ReadOnly } from './read-only.js'
import { maybeCommit } from './replicate.js'
import { tick } from './tick.js'
import { advanceReady, collectReady, hasReady } from './ready.js'
import { campaignNow, firstVoterCampaigns, leaderUnreachable } from './hints.js'
import { campaign, stepCandidate, stepFollower, handleVote } from './step-follower.js'
import { stepLeader } from './step-leader.js'
import type {
  ConfChange, ConfState, CoreEvent, Entry, EntryType, HardState, LogReader, NodeId, RaftConfig,
  RaftMessage, ReadState, Ready, Role, SoftState,
} from './types.js'
import { coreStatus, validateConfig, type CoreStatus } from './status.js'
import { isValidMessage } from './validate.js'

export type { CoreStatus, ProgressStatus } from './status.js'

/**
 * RaftCore is one server's Raft state machine. Fields without a doc comment are internal: the
 * step helpers in this directory read and write them.
 */
export class RaftCore {
  readonly id: NodeId
  readonly log: RaftLog
  term = 0
  vote: NodeId | undefined = undefined
  role: Role = 'follower'
  leaderId: NodeId | undefined = undefined
  readonly confs: ConfHistory
  /** pendingConfIndex is the index of the latest config entry the leader appended. */
  pendingConfIndex = 0
  readonly prs = new Map<NodeId, Progress>()
  readonly votes = new Map<NodeId, boolean>()
  electionElapsed = 0
  heartbeatElapsed = 0
  randomizedElectionTimeout = 0
  /** now counts ticks since the core was created (leases, check-quorum). */
  now = 0
  leadTransferee: NodeId | undefined = undefined
  /**
   * timeoutNowSent records that this leader sent timeout-now in its term. A transfer vote
   * bypasses the followers' vote refusal, and the message may arrive late, so the lease is off
   * for the rest of the term once one was sent, even if the transfer was abandoned.
   */
  timeoutNowSent = false
  readonly readOnly = new ReadOnly()
  /** needFlush asks the next ready() to send appends for entries proposed since the last one. */
  needFlush = false
  msgs: RaftMessage[] = []
  readStates: ReadState[] = []
  events: CoreEvent[] = []
  droppedMessages = 0
  /**
   * freshStart: this process began with no Raft state at all. Such a server was never counted
   * in anybody's lease, so it need not ignore votes during its first election timeout.
   */
  readonly freshStart: boolean
  /** prevSoft/prevHard are the states the last Ready reported (ready.ts diffs against them). */
  prevSoft: SoftState
  prevHard: HardState

  constructor(readonly config: RaftConfig, reader: LogReader, readonly rng: Prng) {
    validateConfig(config)
    this.id = config.id
    this.log = new RaftLog(reader)
    const hs = reader.hardState()
    this.freshStart = hs.term === 0 && reader.lastIndex() === 0 && reader.snapshotMeta() === undefined
    this.term = hs.term
    this.vote = hs.vote
    this.confs = ConfHistory.restore(reader, this.log.committed)
    this.becomeFollower(this.term, undefined)
    this.prevSoft = this.softState()
    this.prevHard = this.hardState()
  }

  /** tick advances the core by one abstract tick: elections, heartbeats, check-quorum (tick.ts). */
  tick(): void {
    tick(this)
  }

  /** step handles one message from the network; malformed or misaddressed messages are dropped and counted. */
  step(message: RaftMessage): void {
    if (!isValidMessage(message) || message.to !== this.id || message.from === this.id) {
      this.droppedMessages++
      return
    }
    const m = message
    if (m.term > this.term) {
      if (m.type === 'vote' && !m.transfer && this.inLease()) return
      const keepTerm = (m.type === 'vote' && m.preVote) || (m.type === 'vote-resp' && m.preVote && m.granted)
      if (!keepTerm) {
        const leader = m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot' ? m.from : undefined
        this.becomeFollower(m.term, leader)
      }
    } else if (m.term < this.term) {
      this.stepStale(m)
      return
    }
    if (m.type === 'vote') {
      handleVote(this, m)
      return
    }
    switch (this.role) {
      case 'leader': stepLeader(this, m); return
      case 'candidate':
      case 'precandidate': stepCandidate(this, m); return
      case 'follower': stepFollower(this, m); return
    }
  }

  /**
   * inLease tells whether this server must ignore vote requests (check-quorum): it heard from a
   * leader within an election timeout, or it started less than an election timeout ago — a
   * restarted server forgot whom it heard from, and the leader's lease may still count on it.
   */
  private inLease(): boolean {
    if (!this.config.checkQuorum) return false
    if (this.now < this.config.electionTicks && !this.freshStart) return true
    return this.leaderId !== undefined && this.electionElapsed < this.config.electionTicks
  }

  /** stepStale answers a lower-term message where that helps the sender catch up on the term. */
  private stepStale(m: RaftMessage): void {
    if (m.type === 'append' || m.type === 'heartbeat') {
      // Raft Figure 2: answer with our term. A leader cut off by a partition (or one that removed
      // itself and never saw the commit) learns the new term from this and steps down.
      this.send({ type: 'append-resp', term: this.term, from: this.id, to: m.from, success: false, matchIndex: 0, conflictIndex: 0, conflictTerm: 0 })
    } else if (m.type === 'vote' && m.preVote) {
      this.send({ type: 'vote-resp', term: this.term, from: this.id, to: m.from, granted: false, preVote: true })
    }
  }

  /** propose appends a command on the leader and returns where it will commit if it does. */
  propose(data: Uint8Array): { index: number; term: number } {
    this.assertLeaderForWrite()
    return this.appendEntry('normal', data)
  }

  /** proposeConfChange appends a configuration change; one at a time, effective when appended. */
  proposeConfChange(change: ConfChange): { index: number; term: number } {
    this.assertLeaderForWrite()
    if (!this.committedInTerm()) {
      throw new ZxError('ZX_ERR_MEMBERSHIP', 'the leader has not committed an entry of its term yet')
    }
    if (this.pendingConfIndex > this.log.committed) {
      throw new ZxError('ZX_ERR_MEMBERSHIP', 'a configuration change is already in progress')
    }
    const next = applyConfChange(this.conf(), change)
    const at = this.appendEntry('config', encodeConfState(next))
    this.pendingConfIndex = at.index
    this.setConf(at.index, next)
    return at
  }

  private assertLeaderForWrite(): void {
    if (this.role !== 'leader') throw notLeader(this)
    if (this.leadTransferee !== undefined) {
      throw new ZxError('ZX_ERR_NOT_LEADER', `leadership is being transferred to ${this.leadTransferee}`,
        { details: { leaderId: this.leadTransferee } })
    }
  }

  /** appendEntry appends one entry at the leader's log end and counts the leader's own match. */
  appendEntry(type: EntryType, data: Uint8Array): { index: number; term: number } {
    const index = this.log.lastIndex() + 1
    const entry: Entry = { index, term: this.term, type, data }
    this.log.appendOne(entry)
    this.prs.get(this.id)?.maybeUpdate(index)
    this.needFlush = true
    maybeCommit(this)
    return { index, term: this.term }
  }

  /** bootstrap writes the first configuration as entry 1 (term 1) of an empty log, committed. */
  bootstrap(conf: ConfState): void {
    if (this.log.lastIndex() !== 0 || this.term !== 0) {
      throw new ZxError('ZX_ERR_MEMBERSHIP', 'bootstrap needs an empty log: this server already has Raft state')
    }
    if (conf.voters.length === 0) throw new ZxError('ZX_ERR_CONFIG', 'bootstrap needs at least one voter')
    this.becomeFollower(1, undefined)
    this.log.append([{ index: 1, term: 1, type: 'config', data: encodeConfState(conf) }])
    this.setConf(1, conf)
    this.log.commitTo(1)
    this.confs.committedTo(1)
    firstVoterCampaigns(this, conf)
  }

  /**
   * leaderUnreachable tells a follower that leader `id`'s RPC port refuses connections (its
   * process is gone): it forgets the leader and returns its campaign rank (-1 if `id` was not
   * its leader); the driver calls campaignNow after rank × a stagger. See hints.ts.
   */
  leaderUnreachable(id: NodeId): number {
    return leaderUnreachable(this, id)
  }

  /** campaignNow starts a (pre-)vote at once if this follower knows no leader. */
  campaignNow(): void {
    campaignNow(this)
  }

  /** readIndex asks for a linearizable read point; the answer arrives as a ReadState in a Ready. */
  readIndex(ctx: number): void {
    readIndex(this, ctx)
  }

  /** leaseValid tells whether the leader heard from a quorum within leaseTicks of sending (lease reads). */
  leaseValid(): boolean {
    return leaseValid(this)
  }

  /** transferLeadership catches `to` up and then tells it to campaign at once (timeout-now). */
  transferLeadership(to: NodeId): void {
    transferLeadership(this, to)
  }

  /** reportUnreachable tells the core the transport lost `to`: stop pipelining, probe again. */
  reportUnreachable(to: NodeId): void {
    const pr = this.prs.get(to)
    if (this.role === 'leader' && pr !== undefined && pr.state === 'replicate') pr.becomeProbe()
  }

  /** reportSnapshot tells the core whether streaming a snapshot to `to` worked. */
  reportSnapshot(to: NodeId, ok: boolean): void {
    reportSnapshot(this, to, ok)
  }

  /** hasReady tells whether ready() has anything for the driver. */
  hasReady(): boolean {
    return hasReady(this)
  }

  /** ready collects the work for the driver: persist, then send, then apply, then advance(). */
  ready(): Ready {
    return collectReady(this)
  }

  /** advance records that a Ready was persisted, sent and applied. */
  advance(ready: Ready): void {
    advanceReady(this, ready)
  }

  /** status reports the core's state; progress is filled in on the leader only. */
  status(): CoreStatus {
    return coreStatus(this)
  }

  // ---- internal helpers used by the step files ----

  /** conf is the current configuration (the latest config entry in the log). */
  conf(): ConfState {
    return this.confs.current()
  }

  /** promotable tells whether this server may campaign: it is a voter in its configuration. */
  promotable(): boolean {
    return isVoter(this.conf(), this.id)
  }

  /** committedInTerm tells whether the leader committed an entry of its own term (§5.4.2, §6.4). */
  committedInTerm(): boolean {
    return this.log.term(this.log.committed) === this.term
  }

  /** send queues a message for the next Ready. */
  send(m: RaftMessage): void {
    this.msgs.push(m)
  }

  /** softState is the volatile state the driver shows (role, leader, term). */
  softState(): SoftState {
    return { role: this.role, leaderId: this.leaderId, term: this.term }
  }

  /** hardState is what must be durable before dependent messages leave. */
  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed }
  }

  /** setConf makes conf (appended at index) the current configuration. */
  setConf(index: number, conf: ConfState): void {
    this.confs.push(index, conf)
    this.confChanged(index)
  }

  /** truncateConfFrom drops config entries at index and above (a follower's log suffix was replaced). */
  truncateConfFrom(index: number): void {
    if (this.confs.truncateFrom(index)) this.confChanged(this.confs.currentIndex())
  }

  /** restoreConf resets the configuration to a snapshot's. */
  restoreConf(index: number, conf: ConfState): void {
    this.confs.reset(index, conf)
    this.confChanged(index)
  }

  private confChanged(index: number): void {
    const conf = this.conf()
    this.events.push({ type: 'conf', index, conf })
    if (this.role === 'leader') syncProgress(this)
    if (this.leadTransferee !== undefined && !isVoter(conf, this.leadTransferee)) this.leadTransferee = undefined
  }

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term
      this.vote = undefined
    }
    this.leaderId = undefined
    this.electionElapsed = 0
    this.heartbeatElapsed = 0
    this.randomizedElectionTimeout = this.config.electionTicks + this.rng.int(this.config.electionTicks)
    this.votes.clear()
    this.leadTransferee = undefined
    this.timeoutNowSent = false
    this.readOnly.reset()
    this.prs.clear()
    this.needFlush = false
  }

  private became(): void {
    this.events.push({ type: 'became', role: this.role, term: this.term, leaderId: this.leaderId })
  }

  /** becomeFollower steps down (or stays) as a follower of term, with leader if known. */
  becomeFollower(term: number, leader: NodeId | undefined): void {
    const changed = this.role !== 'follower' || this.term !== term || this.leaderId !== leader
    this.reset(term)
    this.role = 'follower'
    this.leaderId = leader
    if (changed) this.became()
  }

  /** becomePreCandidate starts a pre-vote: no term change, nothing persisted. */
  becomePreCandidate(): void {
    assert(this.role !== 'leader', 'leader cannot pre-campaign')
    const term = this.term
    this.reset(term)
    this.role = 'precandidate'
    this.became()
  }

  /** becomeCandidate starts an election in a new term, voting for itself. */
  becomeCandidate(): void {
    assert(this.role !== 'leader', 'leader cannot campaign')
    this.reset(this.term + 1)
    this.vote = this.id
    this.role = 'candidate'
    this.became()
  }

  /** becomeLeader takes over: progress for every member and a no-op entry to commit (§5.4.2). */
  becomeLeader(): void {
    assert(this.role === 'candidate', 'only a candidate becomes leader')
    this.reset(this.term)
    this.role = 'leader'
    this.leaderId = this.id
    syncProgress(this)
    for (const pr of this.prs.values()) if (pr.id === this.id) pr.recentActive = true
    this.pendingConfIndex = this.confs.currentIndex()
    this.became()
    this.appendEntry('noop', new Uint8Array(0))
  }
}
