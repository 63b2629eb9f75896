/**
 * agent/raft/node-membership.ts: configuration changes, one server at a time (Raft
 * dissertation §4.1), driven from the leader. A new voter first joins as a non-voting learner
 * and is promoted only once its log is within catchUpLagEntries of the leader's commit index,
 * so adding a slow or empty server never costs the cluster its quorum (Consul's autopilot
 * does the same with "stable" servers). A change the core refuses because another is still
 * uncommitted is retried each tick until the deadline.
 */
import { ZxError, isZxError } from '../errors.js'
import type { ServerId } from './api.js'
import type { ConfChange } from './core/types.js'
import type { RaftNode } from './node.js'
import { notLeader } from './node-errors.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** addServer adds `server` as a learner and, if `voter`, promotes it once caught up. */
export async function addServer(node: RaftNode, server: { id: ServerId; address: string }, voter: boolean): Promise<void> {
  requireLeader(node)
  const conf = node.core.status().conf
  if (conf.voters.includes(server.id)) return
  node.addresses.set(server.id, server.address)
  if (!conf.learners.includes(server.id)) await proposeConf(node, { type: 'add-learner', id: server.id, address: server.address })
  if (!voter) return
  await waitCaughtUp(node, server.id)
  await proposeConf(node, { type: 'add-voter', id: server.id, address: server.address })
}

/** removeServer removes a voter or learner (the leader may remove itself; it steps down after). */
export async function removeServer(node: RaftNode, id: ServerId): Promise<void> {
  requireLeader(node)
  const conf = node.core.status().conf
  if (!conf.voters.includes(id) && !conf.learners.includes(id)) return
  await proposeConf(node, { type: 'remove', id })
}

/** transferLeadership hands leadership to `to` (or the most caught-up voter) and waits for it. */
export async function transferLeadership(node: RaftNode, to?: ServerId): Promise<ServerId> {
  requireLeader(node)
  const status = node.core.status()
  let target = to
  if (target === undefined) {
    let best = -1
    for (const id of status.conf.voters) {
      const match = status.progress[id]?.match ?? 0
      if (id !== node.id && match > best) { best = match; target = id }
    }
  }
  if (target === undefined) throw new ZxError('ZX_ERR_MEMBERSHIP', 'no other voter to transfer leadership to')
  if (target === node.id) return node.id
  if (!status.conf.voters.includes(target)) throw new ZxError('ZX_ERR_MEMBERSHIP', `${target} is not a voter`)
  node.core.transferLeadership(target)
  node.kick()
  const deadline = Date.now() + node.tunables.electionTicks * node.tunables.tickMs * 4
  while (Date.now() < deadline && !node.isClosed()) {
    const now = node.core.status()
    if (now.leaderId === target && now.role !== 'leader') return target
    await sleep(node.tunables.tickMs)
  }
  throw new ZxError('ZX_ERR_TIMEOUT', `leadership transfer to ${target} did not finish in time`)
}

function requireLeader(node: RaftNode): void {
  const status = node.core.status()
  if (status.role !== 'leader') throw notLeader(status.leaderId, status.leaderId === undefined ? undefined : node.addresses.get(status.leaderId))
}

async function proposeConf(node: RaftNode, change: ConfChange): Promise<void> {
  const deadline = Date.now() + node.tunables.readTimeoutMs
  for (;;) {
    requireLeader(node)
    try {
      const at = node.core.proposeConfChange(change)
      const done = node.proposals.wait(at.index, at.term, node.tunables.proposeTimeoutMs)
      node.kick()
      await done
      return
    } catch (error) {
      // Another change still uncommitted, or no entry of this term committed yet: try again shortly.
      if (!isZxError(error, 'ZX_ERR_MEMBERSHIP') || Date.now() > deadline) throw node.decorate(error)
      await sleep(node.tunables.tickMs)
    }
  }
}

async function waitCaughtUp(node: RaftNode, id: ServerId): Promise<void> {
  const deadline = Date.now() + node.tunables.catchUpTimeoutMs
  while (Date.now() < deadline) {
    requireLeader(node)
    const status = node.core.status()
    const match = status.progress[id]?.match ?? 0
    if (match > 0 && match + node.tunables.catchUpLagEntries >= status.commit) return
    await sleep(node.tunables.tickMs)
  }
  throw new ZxError('ZX_ERR_TIMEOUT', `server ${id} did not catch up within ${node.tunables.catchUpTimeoutMs} ms; it stays a non-voter`)
}
