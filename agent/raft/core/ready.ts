/**
 * agent/raft/core/ready.ts: assembling a Ready from the core's state (what changed since the last
 * one, what to persist, send and apply) and recording that the driver handled it.
 */
import type { RaftCore } from './core.js'
import { flushLeader } from './replicate.js'
import type { Ready } from './types.js'

/** committedBytesMax caps the committed entries handed out per Ready, so one apply batch stays bounded. */
const committedBytesMax = 8 * 1024 * 1024

/** hasReady tells whether collectReady has anything for the driver. */
export function hasReady(core: RaftCore): boolean {
  if (core.msgs.length > 0 || core.readStates.length > 0 || core.events.length > 0) return true
  if (core.role === 'leader' && (core.needFlush || core.readOnly.needsRound())) return true
  if (core.log.hasUnstable() || core.log.hasCommitted()) return true
  if (core.log.pendingSnapshot !== undefined && !core.log.snapshotHanded) return true
  const soft = core.prevSoft
  if (soft.role !== core.role || soft.leaderId !== core.leaderId || soft.term !== core.term) return true
  const hard = core.prevHard
  return hard.term !== core.term || hard.vote !== core.vote || hard.commit !== core.log.committed
}

/** collectReady gathers the work for the driver: persist, then send, then apply, then advance. */
export function collectReady(core: RaftCore): Ready {
  if (core.role === 'leader') flushLeader(core)
  const soft = core.softState()
  const hard = core.hardState()
  const softChanged = soft.role !== core.prevSoft.role || soft.leaderId !== core.prevSoft.leaderId || soft.term !== core.prevSoft.term
  const hardChanged = hard.term !== core.prevHard.term || hard.vote !== core.prevHard.vote || hard.commit !== core.prevHard.commit
  const voteChanged = hard.term !== core.prevHard.term || hard.vote !== core.prevHard.vote
  let snapshot = undefined
  if (core.log.pendingSnapshot !== undefined && !core.log.snapshotHanded) {
    snapshot = core.log.pendingSnapshot
    core.log.snapshotHanded = true
  }
  const entries = core.log.takeUnstable()
  const rd: Ready = {
    softState: softChanged ? soft : undefined,
    hardState: hardChanged ? hard : undefined,
    snapshot,
    entries,
    mustSync: voteChanged || entries.length > 0 || snapshot !== undefined,
    messages: core.msgs,
    committed: core.log.takeCommitted(committedBytesMax),
    readStates: core.readStates,
    events: core.events,
  }
  core.prevSoft = soft
  core.prevHard = hard
  core.msgs = []
  core.readStates = []
  core.events = []
  return rd
}

/** advanceReady records that a Ready was persisted, sent and applied. */
export function advanceReady(core: RaftCore, ready: Ready): void {
  if (ready.snapshot !== undefined) {
    core.log.stableSnapTo(ready.snapshot.index)
    core.log.appliedTo(ready.snapshot.index)
  }
  const last = ready.entries[ready.entries.length - 1]
  if (last !== undefined) core.log.stableTo(last.index, last.term)
  const applied = ready.committed[ready.committed.length - 1]
  if (applied !== undefined) core.log.appliedTo(applied.index)
}
