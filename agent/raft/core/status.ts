/**
 * agent/raft/core/status.ts: what the core reports about itself (status pages, list-peers, the
 * UI, tests) and the validation of its settings.
 */
import { ZxError } from '../../errors.js'
import type { RaftCore } from './core.js'
import type { ProgressState } from './progress.js'
import type { ConfState, NodeId, RaftConfig, Role } from './types.js'

/** ProgressStatus is the leader's view of one follower, for status(). */
export interface ProgressStatus {
  match: number
  next: number
  inflight: number
  state: ProgressState
  learner: boolean
}

/** CoreStatus is a snapshot of the core's state for status pages, list-peers and tests. */
export interface CoreStatus {
  id: NodeId
  role: Role
  term: number
  vote: NodeId | undefined
  leaderId: NodeId | undefined
  commit: number
  applied: number
  firstIndex: number
  lastIndex: number
  lastTerm: number
  conf: ConfState
  /** progress per member, known only on the leader. */
  progress: Record<NodeId, ProgressStatus>
  ticksSinceLeaderContact: number
  leadTransferee: NodeId | undefined
  pendingReads: number
  droppedMessages: number
}

/** validateConfig rejects settings the core cannot work with (ZX_ERR_CONFIG). */
export function validateConfig(c: RaftConfig): void {
  const bad = (why: string): never => { throw new ZxError('ZX_ERR_CONFIG', `raft config: ${why}`) }
  if (typeof c.id !== 'string' || c.id.length === 0) bad('id must be a non-empty string')
  if (!(c.heartbeatTicks >= 1)) bad('heartbeatTicks must be >= 1')
  if (!(c.electionTicks > c.heartbeatTicks)) bad('electionTicks must exceed heartbeatTicks')
  if (!(c.leaseTicks < c.electionTicks)) bad('leaseTicks must be below electionTicks')
  if (!(c.maxInflight >= 1)) bad('maxInflight must be >= 1')
  if (!(c.maxBatchBytes >= 1)) bad('maxBatchBytes must be >= 1')
}

/** coreStatus reports the core's state; progress is filled in on the leader only. */
export function coreStatus(core: RaftCore): CoreStatus {
  const progress: Record<NodeId, ProgressStatus> = {}
  if (core.role === 'leader') {
    for (const pr of core.prs.values()) {
      progress[pr.id] = { match: pr.match, next: pr.next, inflight: pr.inflight(), state: pr.state, learner: pr.learner }
    }
  }
  return {
    id: core.id, role: core.role, term: core.term, vote: core.vote, leaderId: core.leaderId,
    commit: core.log.committed, applied: core.log.applied, firstIndex: core.log.firstIndex(),
    lastIndex: core.log.lastIndex(), lastTerm: core.log.lastTerm(), conf: copyConf(core.conf()), progress,
    ticksSinceLeaderContact: core.role === 'leader' ? 0 : core.electionElapsed,
    leadTransferee: core.leadTransferee, pendingReads: core.readOnly.pendingCount(), droppedMessages: core.droppedMessages,
  }
}

/** copyConf gives callers their own copy: the core's configurations are shared, never mutated. */
function copyConf(conf: ConfState): ConfState {
  return { voters: [...conf.voters], learners: [...conf.learners], addresses: { ...conf.addresses } }
}
