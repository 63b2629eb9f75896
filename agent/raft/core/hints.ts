/**
 * agent/raft/core/hints.ts: facts from outside Raft's own messages that let a cluster elect
 * sooner than its election timeout, without touching safety (Raft is safe whatever the timing;
 * these only decide *when* a server campaigns and whether it still protects a leader's lease).
 *
 *  - leaderUnreachable: the driver saw the leader's RPC port refuse a connection (ECONNREFUSED
 *    right after the connection closed): the leader's process is gone, so nothing can still be
 *    serving reads under its lease. The follower forgets it — and so grants (pre-)votes at once
 *    instead of ignoring them for an election timeout — and the driver calls campaignNow after a
 *    delay set by the follower's rank among the remaining voters (id order): every follower
 *    that saw the same death computes the same ranks, so they ask one after another rather than
 *    all at once (which would split the vote and cost a whole election timeout).
 *  - firstVoterCampaigns: a configuration that was just bootstrapped has no leader to protect;
 *    its first voter (in id order) campaigns at its next tick instead of after 1–2 timeouts.
 */
import type { RaftCore } from './core.js'
import { campaign } from './step-follower.js'
import type { ConfState, NodeId } from './types.js'

/**
 * leaderUnreachable makes a follower forget leader `id`. It returns this server's campaign rank
 * (0 asks first) among the other voters in id order, or -1 if `id` was not its leader.
 */
export function leaderUnreachable(core: RaftCore, id: NodeId): number {
  if (core.role !== 'follower' || core.leaderId !== id) return -1
  core.leaderId = undefined
  const rest = core.conf().voters.filter((v) => v !== id).sort()
  return Math.max(0, rest.indexOf(core.id))
}

/** campaignNow starts a (pre-)vote at once if this follower knows no leader and may campaign. */
export function campaignNow(core: RaftCore): void {
  if (core.role !== 'follower' || core.leaderId !== undefined || !core.promotable()) return
  campaign(core, core.config.preVote ? 'pre' : 'normal')
}

/** firstVoterCampaigns arms the next tick's campaign on the lowest voter id of a fresh configuration. */
export function firstVoterCampaigns(core: RaftCore, conf: ConfState): void {
  const first = [...conf.voters].sort()[0]
  if (first === core.id) core.electionElapsed = Math.max(core.electionElapsed, core.randomizedElectionTimeout - 1)
}
