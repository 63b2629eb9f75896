/**
 * agent/ui/lab/elections.ts: folds the Raft events reported by several servers into an
 * election timeline. Each server only reports what it saw itself (its own candidacy, the votes
 * it cast or received, the leader it learned), so the timeline is the union of every server's
 * ring, deduplicated: one row per term with its candidates, the votes granted and refused,
 * the winner and how long the election took. Pure: the UI and the tests call it.
 */
import { assertNever } from '../../errors.js'
import type { SeqRaftEvent } from './wire.js'

/** ElectionRow is one term's election as far as the reporting servers saw it. */
export interface ElectionRow {
  term: number
  candidates: string[]
  preVote: boolean
  /** votes maps each candidate to the servers that granted it a vote this term. */
  votes: Record<string, string[]>
  /** refusals maps each candidate to the servers that refused it. */
  refusals: Record<string, string[]>
  winner: string | undefined
  startMs: number
  /** durationMs is from the first campaign seen to the leader, or the leader's own figure. */
  durationMs: number | undefined
}

/** LeaderChange is the moment a term got its leader. */
export interface LeaderChange {
  term: number
  leader: string
  previous: string | undefined
  atMs: number
}

/** ReportedEvent is an event tagged with the server that reported it. */
export interface ReportedEvent {
  reporter: string
  event: SeqRaftEvent
}

/** buildElections returns one row per term that saw a campaign or a leader, newest first. */
export function buildElections(reported: ReportedEvent[]): ElectionRow[] {
  const rows = new Map<number, ElectionRow & { leaderAtMs?: number; leaderElectionMs?: number; voteKeys: Set<string> }>()
  const row = (term: number, atMs: number) => {
    let r = rows.get(term)
    if (!r) {
      r = { term, candidates: [], preVote: false, votes: {}, refusals: {}, winner: undefined, startMs: atMs, durationMs: undefined, voteKeys: new Set() }
      rows.set(term, r)
    }
    r.startMs = Math.min(r.startMs, atMs)
    return r
  }
  for (const { event } of reported) {
    switch (event.type) {
      case 'election-start': {
        const r = row(event.term, event.atMs)
        if (!r.candidates.includes(event.candidate)) r.candidates.push(event.candidate)
        r.preVote ||= event.preVote
        break
      }
      case 'vote': {
        const r = row(event.term, event.atMs)
        const key = `${event.from}>${event.to}`
        if (r.voteKeys.has(key)) break
        r.voteKeys.add(key)
        if (!r.candidates.includes(event.to)) r.candidates.push(event.to)
        const bucket = event.granted ? r.votes : r.refusals
        ;(bucket[event.to] ??= []).push(event.from)
        break
      }
      case 'leader': {
        const r = row(event.term, event.atMs)
        r.winner = event.leader
        r.leaderAtMs = Math.min(r.leaderAtMs ?? event.atMs, event.atMs)
        if (event.electionMs !== undefined) r.leaderElectionMs = Math.max(r.leaderElectionMs ?? 0, event.electionMs)
        break
      }
      case 'role':
      case 'configuration':
      case 'snapshot':
        break
      default:
        return assertNever(event)
    }
  }
  const out: ElectionRow[] = []
  for (const r of rows.values()) {
    const hasCampaign = r.candidates.length > 0
    const measured = r.leaderAtMs !== undefined && hasCampaign ? r.leaderAtMs - r.startMs : undefined
    const { voteKeys: _v, leaderAtMs: _l, leaderElectionMs, ...rest } = r
    for (const list of Object.values(rest.votes)) list.sort()
    for (const list of Object.values(rest.refusals)) list.sort()
    out.push({ ...rest, durationMs: leaderElectionMs ?? measured })
  }
  return out.sort((a, b) => b.term - a.term)
}

/** leaderChanges lists, oldest first, each term's leader as first reported by any server. */
export function leaderChanges(reported: ReportedEvent[]): LeaderChange[] {
  const byTerm = new Map<number, { leader: string; atMs: number }>()
  for (const { event } of reported) {
    if (event.type !== 'leader') continue
    const seen = byTerm.get(event.term)
    if (!seen || event.atMs < seen.atMs) byTerm.set(event.term, { leader: event.leader, atMs: event.atMs })
  }
  const terms = [...byTerm.keys()].sort((a, b) => a - b)
  let previous: string | undefined
  return terms.map((term) => {
    const { leader, atMs } = byTerm.get(term)!
    const change = { term, leader, previous, atMs }
    previous = leader
    return change
  })
}
