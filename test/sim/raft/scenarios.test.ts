// Goal: the seed lab's Raft stories, told one by one on a deterministic cluster: split votes
// resolve, a crashed leader is replaced, a deposed minority leader rolls back, a majority loss
// commits nothing, rolling restarts lose nothing, pre-vote and check-quorum keep the cluster
// stable, leadership transfers, membership changes, and snapshots catch up a far-behind follower.
// Method: SimCluster with a perfect network (one-tick delivery) and targeted faults; each story
// asserts the observable outcome and, where it helps, the transcript of core events.
import { describe, expect, it } from 'vitest'
import { isZxError } from '../../../agent/errors.js'
import { campaign } from '../../../agent/raft/core/step-follower.js'
import { SimCluster } from './cluster.js'
import { encodeCommand } from './kv.js'

function cluster(voters: number, extra: Partial<ConstructorParameters<typeof SimCluster>[0]> = {}): SimCluster {
  return new SimCluster({ seed: 42, voters, spares: 0, ...extra })
}

function proposeNoWait(c: SimCluster, key: string, value: string): { index: number; term: number } {
  const leader = c.leader()!
  const at = leader.propose(encodeCommand({ op: 'put', key, value, client: -1, seq: 0 }))
  c.node(leader.id).drain()
  return at
}

describe('elections', () => {
  it('a split vote resolves itself through randomized timeouts (Raft §5.2)', () => {
    const c = cluster(3, { raft: { preVote: false } })
    c.runUntilLeader()
    const term = c.leader()!.term
    // Everyone campaigns in the same tick: each votes for itself, nobody can win this term.
    for (const id of c.ids) {
      const core = c.core(id)
      if (core.role === 'leader') core.becomeFollower(core.term, undefined)
    }
    for (const id of c.ids) campaign(c.core(id), 'normal')
    for (const id of c.ids) c.node(id).drain()
    expect(c.ids.map((id) => c.core(id).term)).toEqual([term + 1, term + 1, term + 1])
    c.run(2)
    expect(c.leader()).toBeUndefined()
    const leader = c.runUntilLeader(100)
    expect(leader.term).toBeGreaterThan(term + 1)
    expect(c.leaders()).toHaveLength(1)
  })

  it('a crashed leader is replaced and committed data survives', () => {
    const c = cluster(3)
    c.put('eleven', '11')
    const old = c.leader()!
    c.crash(old.id)
    const next = c.runUntilLeader(100)
    expect(next.id).not.toBe(old.id)
    expect(next.term).toBeGreaterThan(old.term)
    c.run(5)
    expect(c.node(next.id).fsm.get('eleven')).toBe('11')
  })

  it('tells the first election as a transcript: the first voter of a new cluster asks at once', () => {
    const c = cluster(3)
    c.recording = true
    c.runUntilLeader()
    // Nobody can hold a lease in a configuration that was just bootstrapped, so its first voter
    // (n1 in id order) campaigns at its first tick instead of waiting 1–2 election timeouts.
    expect(c.transcript.filter((l) => !l.includes('conf@'))).toEqual([
      '1 n1 became precandidate in term 1',
      '1 n1 pre-vote for term 2',
      '3 n1 got vote from n2 (term 2)',
      '3 n1 became candidate in term 2',
      '3 n1 election for term 2',
      '4 n3 became follower in term 2',
      '4 n2 became follower in term 2',
      '5 n1 got vote from n2 (term 2)',
      '5 n1 became leader in term 2',
    ])
  })

  it('a dead leader whose port refuses connections is replaced well inside an election timeout', () => {
    const timings = (refusedHints: boolean): number[] => {
      const out: number[] = []
      for (let seed = 1; seed <= 20; seed++) {
        const c = new SimCluster({ seed, voters: 3, spares: 0, refusedHints })
        c.put('k', 'v')
        const old = c.leader()!
        const start = c.now
        c.crash(old.id)
        const next = c.runUntilLeader(200)
        expect(next.id).not.toBe(old.id)
        expect(c.node(next.id).fsm.get('k')).toBe('v')
        out.push(c.now - start)
      }
      return out.sort((a, b) => a - b)
    }
    const median = (xs: number[]): number => xs[Math.floor(xs.length / 2)]!
    const hinted = timings(true)
    const timedOut = timings(false)
    // electionTicks is 10: without the hint a follower waits 10–20 ticks of silence first; with
    // it the new leader only needs the message rounds (pre-vote, vote, no-op commit, 1 tick each).
    expect(median(timedOut)).toBeGreaterThanOrEqual(10)
    expect(median(hinted)).toBeLessThan(10)
    expect(median(hinted)).toBeLessThan(median(timedOut) - 5)
  })

  it('a partitioned (not dead) leader gives no hint: its followers wait out the timeout', () => {
    const c = cluster(3)
    c.put('k', 'v')
    const old = c.leader()!
    const start = c.now
    c.net.isolate(old.id, c.ids)
    let next = c.leader()!
    for (let k = 0; k < 200 && (next.id === old.id || !next.committedInTerm()); k++) {
      c.tick()
      next = c.leaders().find((l) => l.id !== old.id) ?? old
    }
    expect(next.id).not.toBe(old.id)
    expect(c.now - start).toBeGreaterThanOrEqual(10)
    expect(c.earlyCampaigns).toBe(0)
  })
})

describe('partitions and failures', () => {
  it('a deposed minority leader rolls back its uncommitted entries when the partition heals', () => {
    const c = cluster(5)
    c.put('k', 'before')
    const old = c.leader()!
    const buddy = c.ids.find((id) => id !== old.id)!
    const majority = c.ids.filter((id) => id !== old.id && id !== buddy)
    c.net.partition([[old.id, buddy], majority])
    const lost = proposeNoWait(c, 'k', 'lost')
    c.run(3)
    expect(c.node(old.id).fsm.appliedIndex).toBeLessThan(lost.index)
    for (let k = 0; k < 200 && !c.leaders().some((l) => majority.includes(l.id) && l.committedInTerm()); k++) c.tick()
    const next = c.leaders().find((l) => majority.includes(l.id))!
    expect(next.term).toBeGreaterThan(old.term)
    c.put('k', 'after')
    c.net.heal()
    c.run(30)
    expect(c.core(old.id).role).toBe('follower')
    expect(c.core(old.id).log.term(lost.index)).not.toBe(lost.term)
    for (const id of c.ids) expect(c.node(id).fsm.get('k')).toBe('after')
    c.checkLogs()
  })

  it('with 2 of 3 servers dead nothing commits, and no wrong answer is given', () => {
    const c = cluster(3)
    c.put('x', '1')
    const leader = c.leader()!
    const followers = c.ids.filter((id) => id !== leader.id)
    for (const id of followers) c.crash(id)
    const applied = c.node(leader.id).fsm.appliedIndex
    proposeNoWait(c, 'x', '2')
    c.run(100)
    expect(c.node(leader.id).fsm.appliedIndex).toBe(applied)
    expect(c.node(leader.id).fsm.get('x')).toBe('1')
    // Check-quorum: the lone leader stepped down, so it refuses writes instead of hanging them.
    expect(c.core(leader.id).role).not.toBe('leader')
    expect(() => c.core(leader.id).propose(new Uint8Array(1))).toThrow(/not the leader/)
    expect(() => c.core(leader.id).readIndex(1)).toThrow(/not the leader/)
  })

  it('restarting the servers one by one loses no acknowledged write', () => {
    const c = cluster(3)
    for (let k = 0; k < 10; k++) c.put(`key${k}`, `v${k}`)
    for (const id of c.ids) {
      c.crash(id)
      c.run(30)
      c.restart(id)
      c.runUntilLeader(200)
      c.put(`after-${id}`, 'ok')
    }
    c.run(20)
    for (const id of c.ids) {
      const fsm = c.node(id).fsm
      for (let k = 0; k < 10; k++) expect(fsm.get(`key${k}`)).toBe(`v${k}`)
      for (const other of c.ids) expect(fsm.get(`after-${other}`)).toBe('ok')
    }
  })

  it('pre-vote: a follower returning from a partition does not raise the term or depose the leader (§9.6)', () => {
    const c = cluster(3)
    const leader = c.runUntilLeader()
    const term = leader.term
    const loner = c.ids.find((id) => id !== leader.id)!
    c.net.isolate(loner, c.ids)
    c.run(100)
    expect(c.core(loner).term).toBe(term)          // pre-votes never won, so the term never moved
    c.net.heal()
    c.run(30)
    expect(c.leader()!.id).toBe(leader.id)
    expect(c.leader()!.term).toBe(term)
  })

  it('without pre-vote the same rejoin disrupts the leader (why pre-vote exists)', () => {
    const c = cluster(3, { raft: { preVote: false, checkQuorum: false } })
    const leader = c.runUntilLeader()
    const term = leader.term
    const loner = c.ids.find((id) => id !== leader.id)!
    c.net.isolate(loner, c.ids)
    c.run(100)
    expect(c.core(loner).term).toBeGreaterThan(term + 2)
    c.net.heal()
    c.run(60)
    expect(c.core(leader.id).term).toBeGreaterThan(term)   // the old leader was deposed by the bigger term
  })

  it('check-quorum: a leader cut off from everyone steps down within an election timeout', () => {
    const c = cluster(3)
    const leader = c.runUntilLeader()
    c.net.isolate(leader.id, c.ids)
    c.run(2 * 10 + 1)
    expect(c.core(leader.id).role).toBe('follower')
    expect(c.core(leader.id).leaseValid()).toBe(false)
  })
})

describe('leadership transfer', () => {
  it('hands leadership to a caught-up follower with timeout-now', () => {
    const c = cluster(3)
    c.put('a', '1')
    const leader = c.leader()!
    const term = leader.term
    const to = c.ids.find((id) => id !== leader.id)!
    leader.transferLeadership(to)
    // Writes are refused while the transfer is in flight, with a hint at the new leader.
    try {
      leader.propose(new Uint8Array(1))
      expect.unreachable()
    } catch (error) {
      expect(isZxError(error, 'ZX_ERR_NOT_LEADER')).toBe(true)
    }
    c.node(leader.id).drain()
    c.run(5)
    expect(c.leader()!.id).toBe(to)
    expect(c.leader()!.term).toBe(term + 1)
    expect(c.core(leader.id).role).toBe('follower')
    c.put('a', '2')
  })
})

describe('membership', () => {
  it('adds a learner, promotes it, and removes the leader itself without disruption', () => {
    const c = new SimCluster({ seed: 7, voters: 3, spares: 1 })
    c.put('a', '1')
    const leader = c.leader()!
    leader.proposeConfChange({ type: 'add-learner', id: 'n4', address: 'n4:8300' })
    expect(() => leader.proposeConfChange({ type: 'add-voter', id: 'n4', address: 'n4:8300' })).toThrow(/in progress/)
    c.run(10)
    expect(c.node('n4').fsm.get('a')).toBe('1')
    expect(c.core('n4').promotable()).toBe(false)
    c.leader()!.proposeConfChange({ type: 'add-voter', id: 'n4', address: 'n4:8300' })
    c.run(10)
    expect(c.leader()!.conf().voters).toEqual(['n1', 'n2', 'n3', 'n4'])
    const first = c.leader()!
    const firstTerm = first.term
    first.proposeConfChange({ type: 'remove', id: first.id })
    c.node(first.id).drain()
    c.run(5)
    expect(c.core(first.id).role).toBe('follower')  // it stepped down once the removal committed
    // …and handed over (timeout-now): a successor leads within 5 ticks, far below the 10-tick
    // election timeout the followers would otherwise wait out, in the very next term.
    const next = c.leader()!
    expect(next).toBeDefined()
    expect(next.term).toBe(firstTerm + 1)
    expect(next.id).not.toBe(first.id)
    expect(next.conf().voters).not.toContain(first.id)
    c.put('b', '2')
    // The removed server times out forever but never campaigns: the term stays put.
    const term = next.term
    c.run(200)
    expect(c.leader()!.term).toBe(term)
    expect(c.core(first.id).promotable()).toBe(false)
  })

  it('refuses nonsense changes with ZX_ERR_MEMBERSHIP', () => {
    const c = cluster(3)
    const leader = c.runUntilLeader()
    expect(() => leader.proposeConfChange({ type: 'add-voter', id: 'n1', address: 'x' })).toThrow(/already a voter/)
    expect(() => leader.proposeConfChange({ type: 'remove', id: 'n9' })).toThrow(/not a member/)
  })
})

describe('snapshots', () => {
  it('a follower far behind catches up from a snapshot after the leader compacted its log', () => {
    const c = cluster(3, { snapshotEntries: 10 })
    c.put('k0', 'v0')
    const leader = c.leader()!
    const lagger = c.ids.find((id) => id !== leader.id)!
    c.crash(lagger)
    for (let k = 1; k <= 40; k++) c.put(`k${k}`, `v${k}`)
    expect(c.core(c.leader()!.id).log.firstIndex()).toBeGreaterThan(10)
    c.restart(lagger)
    c.run(30)
    expect(c.snapshotsDelivered).toBeGreaterThan(0)
    const fsm = c.node(lagger).fsm
    for (let k = 0; k <= 40; k++) expect(fsm.get(`k${k}`)).toBe(`v${k}`)
    expect(fsm.appliedIndex).toBe(c.node(c.leader()!.id).fsm.appliedIndex)
  })
})
