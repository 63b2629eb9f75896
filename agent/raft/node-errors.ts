/**
 * agent/raft/node-errors.ts: the errors the Raft driver hands to callers, with the hints the
 * agent needs to forward a request to the leader, and the rpc method names Raft registers.
 */
import { ZxError } from '../errors.js'

/** readIndexMethod is the rpc method a follower calls on the leader for a read barrier. */
export const readIndexMethod = 'raft.readIndex'

/** notLeader builds ZX_ERR_NOT_LEADER with the leader hint (or ZX_ERR_NO_LEADER when none is known). */
export function notLeader(leaderId: string | undefined, leaderAddress: string | undefined): ZxError {
  if (leaderId === undefined) return new ZxError('ZX_ERR_NO_LEADER', 'No cluster leader')
  return new ZxError('ZX_ERR_NOT_LEADER', `not the leader; the leader is ${leaderId}`, { details: { leaderId, leaderAddress } })
}
