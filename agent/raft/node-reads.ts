/**
 * agent/raft/node-reads.ts: read barriers, i.e. when may this server answer a read.
 *  - 'stale': at once, from local state, reporting knownLeader and lastContactMs; if the caller
 *    set maxStaleMs and this server has not heard from a leader for longer, the read is
 *    upgraded to a 'leader' read.
 *  - 'leader' (Consul's default): on the leader, a valid lease (a quorum heard within
 *    leaseTicks, and the commit index is of the current term) lets it serve at its commit
 *    index without a round trip; otherwise it falls back to ReadIndex.
 *  - 'consistent': ReadIndex — the leader confirms it is still leader with a heartbeat round
 *    (Raft dissertation §6.4) and the read waits until applied >= the commit index it had.
 * A follower forwards 'leader'/'consistent' barriers to the leader over rpc and then waits
 * until its own applied index reaches the index the leader returned.
 */
import { ZxError, isZxError } from '../errors.js'
import type { ReadGuarantee, ReadMode } from './api.js'
import type { RaftNode } from './node.js'
import { notLeader, readIndexMethod } from './node-errors.js'

/** ForwardedRead is the argument of the leader's raft.readIndex rpc. */
export interface ForwardedRead {
  mode: 'leader' | 'consistent'
}

/** readBarrier waits until `node` may serve a read with the asked consistency. */
export async function readBarrier(node: RaftNode, mode: ReadMode, options: { maxStaleMs?: number }): Promise<ReadGuarantee> {
  const status = node.core.status()
  if (mode === 'stale') {
    const lastContactMs = node.lastContactMs()
    const knownLeader = status.leaderId !== undefined
    const tooStale = options.maxStaleMs !== undefined && (lastContactMs > options.maxStaleMs || !knownLeader)
    if (!tooStale) return { mode: 'stale', appliedIndex: node.applied, knownLeader, lastContactMs }
    mode = 'leader'
  }
  let index: number
  if (status.role === 'leader') {
    index = await leaderReadIndex(node, mode)
  } else {
    if (status.leaderId === undefined) throw new ZxError('ZX_ERR_NO_LEADER', 'No cluster leader')
    const address = node.addresses.get(status.leaderId)
    if (address === undefined) throw new ZxError('ZX_ERR_NO_LEADER', `no address known for leader ${status.leaderId}`)
    const answer = await node.options.pool.call(address, readIndexMethod, { mode } satisfies ForwardedRead, node.tunables.forwardTimeoutMs)
    index = (answer as { index: number }).index
  }
  await node.appliedWaiters.wait(index, node.applied, node.tunables.readTimeoutMs, `${mode} read`)
  return { mode, appliedIndex: node.applied, knownLeader: true, lastContactMs: node.lastContactMs() }
}

/** serveForwardedRead answers a follower's raft.readIndex rpc on the leader. */
export async function serveForwardedRead(node: RaftNode, args: ForwardedRead): Promise<{ index: number }> {
  if (node.isClosed()) throw new ZxError('ZX_ERR_STOPPED', 'raft server is shut down')
  const mode = args?.mode === 'leader' ? 'leader' : 'consistent'
  const status = node.core.status()
  if (status.role !== 'leader') throw notLeader(status.leaderId, status.leaderId === undefined ? undefined : node.addresses.get(status.leaderId))
  return { index: await leaderReadIndex(node, mode) }
}

/** leaderReadIndex returns the index a read on this leader must wait for. */
async function leaderReadIndex(node: RaftNode, mode: 'leader' | 'consistent'): Promise<number> {
  const status = node.core.status()
  if (mode === 'leader' && node.core.leaseValid() && node.storage.term(status.commit) === status.term) return status.commit
  const { ctx, index } = node.reads.start(node.tunables.readTimeoutMs)
  try {
    node.core.readIndex(ctx)
  } catch (error) {
    const decorated = node.decorate(error)
    node.reads.fail(ctx, isZxError(decorated) ? decorated : new ZxError('ZX_ERR_INTERNAL', String(error)))
  }
  node.kick()
  return index
}
