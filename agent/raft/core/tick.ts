/**
 * agent/raft/core/tick.ts: what one abstract tick does — a follower or candidate counts towards
 * its randomized election timeout and campaigns when it expires; a leader sends heartbeats,
 * checks that a quorum was heard from every election timeout (check-quorum) and abandons a
 * leadership transfer that did not finish within one.
 */
import type { RaftCore } from './core.js'
import { bcastHeartbeat, quorumActive } from './leader.js'
import { campaign } from './step-follower.js'

/** tick advances the core by one tick. */
export function tick(core: RaftCore): void {
  core.now++
  if (core.role === 'leader') tickLeader(core)
  else tickElection(core)
}

function tickElection(core: RaftCore): void {
  core.electionElapsed++
  if (core.promotable() && core.electionElapsed >= core.randomizedElectionTimeout) {
    campaign(core, core.config.preVote ? 'pre' : 'normal')
  }
}

function tickLeader(core: RaftCore): void {
  core.heartbeatElapsed++
  core.electionElapsed++
  if (core.electionElapsed >= core.config.electionTicks) {
    core.electionElapsed = 0
    if (core.config.checkQuorum && !quorumActive(core)) {
      core.becomeFollower(core.term, undefined)
      return
    }
    core.leadTransferee = undefined
  }
  if (core.heartbeatElapsed >= core.config.heartbeatTicks) {
    core.heartbeatElapsed = 0
    bcastHeartbeat(core)
  }
}
