/**
 * agent/raft/core/quorum.ts: majority arithmetic. Configurations are small (3–7 voters), so
 * sorting the voters' values is cheaper than anything clever.
 */

/** quorumSize is how many of n voters make a majority. */
export function quorumSize(n: number): number {
  return Math.floor(n / 2) + 1
}

/**
 * quorumValue returns the largest value that at least a majority of `values` reach: the commit
 * index when values are match indexes, the confirmed read round when they are read acks.
 * With no voters it returns 0.
 */
export function quorumValue(values: number[]): number {
  if (values.length === 0) return 0
  const sorted = values.slice().sort((a, b) => b - a)
  return sorted[quorumSize(values.length) - 1]!
}

/** VoteResult is the outcome of a tally. */
export type VoteResult = 'won' | 'lost' | 'pending'

/** tallyVotes decides an election among voters from the granted/rejected answers so far. */
export function tallyVotes(voters: string[], votes: Map<string, boolean>): VoteResult {
  let granted = 0
  let rejected = 0
  for (const id of voters) {
    const v = votes.get(id)
    if (v === true) granted++
    else if (v === false) rejected++
  }
  const q = quorumSize(voters.length)
  if (granted >= q) return 'won'
  if (rejected >= q) return 'lost'
  if (voters.length - rejected < q) return 'lost'
  return 'pending'
}
