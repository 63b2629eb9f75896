// Goal: the pure core's message-level rules, one at a time: votes and their persistence, pre-vote,
// check-quorum's vote lease, garbage input, the Figure 8 commit rule, fast back-off, batching and
// pipelining, heartbeat commit, ReadIndex and the leader lease, and the errors callers see.
// Method: drive a single RaftCore by hand (harness.ts plays the driver) and read its Readies.
import { describe, expect, it } from 'vitest'
import { isZxError } from '../../../agent/errors.js'
import type { RaftMessage } from '../../../agent/raft/core/types.js'
import { baseConfig, electLeader, flush, makeCore, sent } from './harness.js'

type Of<T extends RaftMessage['type']> = Extract<RaftMessage, { type: T }>
const vote = (from: string, term: number, lastLogIndex: number, lastLogTerm: number, extra: Partial<Of<'vote'>> = {}): Of<'vote'> =>
  ({ type: 'vote', term, from, to: 'n1', lastLogIndex, lastLogTerm, preVote: false, transfer: false, ...extra })

describe('voting', () => {
  it('persists the vote (mustSync) in the same Ready that carries the grant (Raft §5.2, Figure 2)', () => {
    const h = makeCore('n1', [1], { checkQuorum: false })
    flush(h)
    h.core.step(vote('n2', 5, 2, 1))
    const [rd] = flush(h)
    expect(rd!.hardState).toEqual({ term: 5, vote: 'n2', commit: 1 })
    expect(rd!.mustSync).toBe(true)
    expect(rd!.messages).toEqual([{ type: 'vote-resp', term: 5, from: 'n1', to: 'n2', granted: true, preVote: false }])
  })

  it('Raft §5.4.1: a candidate with a stale log must not win our vote', () => {
    const h = makeCore('n1', [1, 2, 2], { checkQuorum: false })
    flush(h)
    h.core.step(vote('n2', 5, 10, 1))      // longer log, older last term
    expect(sent(flush(h))).toEqual([{ type: 'vote-resp', term: 5, from: 'n1', to: 'n2', granted: false, preVote: false }])
    expect(h.core.vote).toBeUndefined()
  })

  it('a pre-vote neither changes the term nor records a vote (§9.6)', () => {
    const h = makeCore('n1', [1], { checkQuorum: false })
    flush(h)
    h.core.step(vote('n2', 2, 2, 1, { preVote: true }))
    const readies = flush(h)
    expect(sent(readies)).toEqual([{ type: 'vote-resp', term: 2, from: 'n1', to: 'n2', granted: true, preVote: true }])
    expect(readies.every((r) => r.hardState === undefined)).toBe(true)
    expect(h.core.term).toBe(1)
  })

  it('check-quorum: a follower that heard from its leader ignores votes, unless the vote is a transfer', () => {
    const h = makeCore('n1', [1])
    h.core.step({ type: 'heartbeat', term: 1, from: 'n3', to: 'n1', commit: 1, ctx: 0 })
    flush(h)
    h.core.step(vote('n2', 2, 5, 1))
    expect(sent(flush(h))).toEqual([])
    expect(h.core.term).toBe(1)
    h.core.step(vote('n2', 2, 5, 1, { transfer: true }))
    expect(sent(flush(h))).toEqual([{ type: 'vote-resp', term: 2, from: 'n1', to: 'n2', granted: true, preVote: false }])
  })

  it('check-quorum: a just-restarted server ignores votes for one election timeout (it may be in a lease)', () => {
    const h = makeCore('n1', [1])
    h.core.step(vote('n2', 2, 5, 1))
    expect(sent(flush(h))).toEqual([])
    for (let k = 0; k < baseConfig.electionTicks; k++) h.core.tick()
    h.core.step(vote('n2', 2, 5, 1, { preVote: true }))
    expect(sent(flush(h)).filter((m) => m.type === 'vote-resp')).toEqual([{ type: 'vote-resp', term: 2, from: 'n1', to: 'n2', granted: true, preVote: true }])
  })

  it('a freshly started follower campaigns after a randomized timeout in [electionTicks, 2·electionTicks)', () => {
    const h = makeCore('n1', [1])
    let ticks = 0
    while (h.core.role === 'follower' && ticks < 100) { h.core.tick(); ticks++ }
    expect(h.core.role).toBe('precandidate')
    expect(ticks).toBeGreaterThanOrEqual(baseConfig.electionTicks)
    expect(ticks).toBeLessThan(2 * baseConfig.electionTicks)
    const votes = sent(flush(h)).filter((m) => m.type === 'vote')
    expect(votes.map((m) => [m.to, m.term, (m as Of<'vote'>).preVote])).toEqual([['n2', 2, true], ['n3', 2, true]])
    expect(h.core.term).toBe(1)   // pre-vote: nothing persisted yet
  })
})

describe('bad input', () => {
  it('drops and counts malformed or misaddressed messages instead of crashing', () => {
    const h = makeCore('n1', [1])
    const garbage: unknown[] = [
      {}, null, 'x', { type: 'vote', term: NaN, from: 'n2', to: 'n1' },
      { type: 'append', term: 1, from: 'n2', to: 'n1', prevIndex: 1, prevTerm: 1, commit: 0, entries: [{ index: 5, term: 1, type: 'normal', data: new Uint8Array() }] },
      { type: 'append', term: 1, from: 'n2', to: 'n1', prevIndex: 1, prevTerm: 1, commit: 0, entries: [{ index: 2, term: 1, type: 'config', data: new Uint8Array([1, 2]) }] },
      { type: 'heartbeat', term: 1, from: 'n2', to: 'n9', commit: 0, ctx: 0 },
      { type: 'nonsense', term: 1, from: 'n2', to: 'n1' },
    ]
    for (const g of garbage) h.core.step(g as RaftMessage)
    expect(h.core.status().droppedMessages).toBe(garbage.length)
    expect(h.core.log.lastIndex()).toBe(2)
  })

  it('answers a stale-term append so a deposed leader learns the new term', () => {
    const h = makeCore('n1', [1], {}, 4)
    h.core.step({ type: 'append', term: 2, from: 'n2', to: 'n1', prevIndex: 2, prevTerm: 1, entries: [], commit: 1 })
    expect(sent(flush(h))).toEqual([{ type: 'append-resp', term: 4, from: 'n1', to: 'n2', success: false, matchIndex: 0, conflictIndex: 0, conflictTerm: 0 }])
  })
})

describe('operating errors', () => {
  it('refuses writes, reads and transfers on a follower with ZX_ERR_NOT_LEADER and a leader hint', () => {
    const h = makeCore('n1', [1])
    h.core.step({ type: 'heartbeat', term: 1, from: 'n3', to: 'n1', commit: 1, ctx: 0 })
    for (const call of [() => h.core.propose(new Uint8Array(1)), () => h.core.readIndex(1), () => h.core.transferLeadership('n2')]) {
      try {
        call()
        expect.unreachable()
      } catch (error) {
        expect(isZxError(error, 'ZX_ERR_NOT_LEADER')).toBe(true)
        expect((error as { details: { leaderId: string } }).details.leaderId).toBe('n3')
      }
    }
  })

  it('bootstraps only an empty log', () => {
    const h = makeCore('n1', [1])
    expect(() => h.core.bootstrap({ voters: ['n1'], learners: [], addresses: {} })).toThrow(/empty log/)
  })

  it('rejects an invalid configuration with ZX_ERR_CONFIG', () => {
    expect(() => makeCore('n1', [], { leaseTicks: 10 })).toThrow(/leaseTicks/)
  })
})

describe('replication', () => {
  it('Raft §5.4.2 (Figure 8): an old-term entry is not committed by counting replicas; the new noop commits it', () => {
    const h = makeCore('n1', [2], { preVote: false }, 2)
    flush(h)
    electLeader(h)
    flush(h)
    expect(h.core.log.lastIndex()).toBe(3)  // the leader's noop of term 3
    h.core.step({ type: 'append-resp', term: 3, from: 'n2', to: 'n1', success: true, matchIndex: 2, conflictIndex: 0, conflictTerm: 0 })
    expect(h.core.log.committed).toBe(1)
    h.core.step({ type: 'append-resp', term: 3, from: 'n2', to: 'n1', success: true, matchIndex: 3, conflictIndex: 0, conflictTerm: 0 })
    expect(h.core.log.committed).toBe(3)
  })

  it('batches proposals made between two Readies and pipelines at most maxInflight appends', () => {
    const h = makeCore('n1', [], { preVote: false, maxBatchBytes: 100, maxInflight: 2 })
    flush(h)
    electLeader(h)
    const first = sent(flush(h))
    h.core.step({ type: 'append-resp', term: 2, from: 'n2', to: 'n1', success: true, matchIndex: 2, conflictIndex: 0, conflictTerm: 0 })
    flush(h)
    expect(first.filter((m) => m.type === 'append').length).toBe(2)
    for (let k = 0; k < 100; k++) h.core.propose(new Uint8Array(10))
    const appends = sent(flush(h)).filter((m): m is Of<'append'> => m.type === 'append' && m.to === 'n2')
    expect(appends.map((m) => m.entries.length)).toEqual([10, 10])  // 100 bytes per message, window of 2
    expect(h.core.status().progress.n2!.inflight).toBe(2)
  })

  it('backs off a whole term at a time using the conflict hint', () => {
    // Follower: 30 entries of term 2 the leader never had; leader: term 3 entries after index 2.
    const follower = makeCore('n2', [1, ...Array.from({ length: 30 }, () => 2)])
    flush(follower)
    follower.core.step({ type: 'append', term: 3, from: 'n1', to: 'n2', prevIndex: 40, prevTerm: 3, entries: [], commit: 1 })
    const [reject] = sent(flush(follower)) as Array<Of<'append-resp'>>
    expect(reject).toMatchObject({ success: false, matchIndex: 40, conflictIndex: 32, conflictTerm: 2 })
    follower.core.step({ type: 'append', term: 3, from: 'n1', to: 'n2', prevIndex: 2, prevTerm: 1, entries: [{ index: 3, term: 3, type: 'noop', data: new Uint8Array() }], commit: 3 })
    const [ok] = sent(flush(follower)) as Array<Of<'append-resp'>>
    expect(ok).toMatchObject({ success: true, matchIndex: 3 })
    expect(follower.core.log.lastIndex()).toBe(3)
    expect(follower.core.log.committed).toBe(3)
  })

  it('heartbeats carry min(commit, match) so a follower never commits what it may not hold', () => {
    const h = makeCore('n1', [], { preVote: false })
    flush(h)
    electLeader(h)
    flush(h)
    h.core.step({ type: 'append-resp', term: 2, from: 'n2', to: 'n1', success: true, matchIndex: 2, conflictIndex: 0, conflictTerm: 0 })
    flush(h)
    expect(h.core.log.committed).toBe(2)
    h.core.tick()
    const beats = sent(flush(h)).filter((m): m is Of<'heartbeat'> => m.type === 'heartbeat')
    expect(Object.fromEntries(beats.map((m) => [m.to, m.commit]))).toEqual({ n2: 2, n3: 0 })
  })
})

describe('reads', () => {
  it('ReadIndex waits for the leader to commit in its term, then for a quorum to ack a newer heartbeat round', () => {
    const h = makeCore('n1', [], { preVote: false })
    flush(h)
    electLeader(h)
    flush(h)
    h.core.readIndex(7)
    expect(flush(h).flatMap((r) => r.readStates)).toEqual([])
    h.core.step({ type: 'append-resp', term: 2, from: 'n2', to: 'n1', success: true, matchIndex: 2, conflictIndex: 0, conflictTerm: 0 })
    const beats = sent(flush(h)).filter((m): m is Of<'heartbeat'> => m.type === 'heartbeat')
    expect(beats.length).toBe(2)
    h.core.step({ type: 'heartbeat-resp', term: 2, from: 'n3', to: 'n1', ctx: beats[0]!.ctx - 1 })  // an older round: not enough
    expect(flush(h).flatMap((r) => r.readStates)).toEqual([])
    h.core.step({ type: 'heartbeat-resp', term: 2, from: 'n3', to: 'n1', ctx: beats[0]!.ctx })
    expect(flush(h).flatMap((r) => r.readStates)).toEqual([{ ctx: 7, index: 2 }])
  })

  it('the lease holds after a quorum acked a round and lapses leaseTicks after that round was sent', () => {
    const h = makeCore('n1', [], { preVote: false })
    flush(h)
    electLeader(h)
    h.core.step({ type: 'append-resp', term: 2, from: 'n2', to: 'n1', success: true, matchIndex: 2, conflictIndex: 0, conflictTerm: 0 })
    expect(h.core.leaseValid()).toBe(false)
    h.core.tick()
    const [beat] = sent(flush(h)).filter((m): m is Of<'heartbeat'> => m.type === 'heartbeat')
    h.core.step({ type: 'heartbeat-resp', term: 2, from: 'n2', to: 'n1', ctx: beat!.ctx })
    expect(h.core.leaseValid()).toBe(true)
    for (let k = 0; k < baseConfig.leaseTicks; k++) h.core.tick()
    expect(h.core.leaseValid()).toBe(false)
  })

  it('gives up the lease for the rest of the term once timeout-now was sent, even if the transfer is abandoned', () => {
    const h = makeCore('n1', [], { preVote: false })
    flush(h)
    electLeader(h)
    h.core.step({ type: 'append-resp', term: 2, from: 'n2', to: 'n1', success: true, matchIndex: 2, conflictIndex: 0, conflictTerm: 0 })
    h.core.tick()
    const [beat] = sent(flush(h)).filter((m): m is Of<'heartbeat'> => m.type === 'heartbeat')
    h.core.step({ type: 'heartbeat-resp', term: 2, from: 'n2', to: 'n1', ctx: beat!.ctx })
    expect(h.core.leaseValid()).toBe(true)
    h.core.transferLeadership('n2')
    expect(sent(flush(h)).some((m) => m.type === 'timeout-now' && m.to === 'n2')).toBe(true)
    for (let k = 0; k < baseConfig.electionTicks; k++) {
      h.core.tick()
      for (const m of sent(flush(h))) {
        if (m.type === 'heartbeat') h.core.step({ type: 'heartbeat-resp', term: 2, from: m.to, to: 'n1', ctx: m.ctx })
      }
    }
    expect(h.core.status().leadTransferee).toBeUndefined()   // abandoned after an election timeout
    expect(h.core.role).toBe('leader')
    expect(h.core.leaseValid()).toBe(false)
  })
})
