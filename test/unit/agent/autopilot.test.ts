// Goal: the leader's autopilot adds servers it sees in gossip as learners, promotes caught-up
// learners, removes servers that left at once and failed ones after the grace period, and never
// removes a voter when the remaining alive voters would be below quorum.
// Method: Autopilot over FakeRaft (configuration only) and a scripted member list, with an
// injected clock; each reconcile() is one pass.
import { describe, expect, it } from 'vitest'
import { silentLogger } from '../../../agent/agent-log.js'
import type { GossipPool, Member } from '../../../agent/gossip/api.js'
import { Autopilot } from '../../../agent/leader/autopilot.js'
import { Fsm } from '../../../agent/state/fsm.js'
import { FakeRaft } from '../http/fake-raft.js'

function lanOf(members: Member[]): GossipPool {
  return { members: () => members } as unknown as GossipPool
}

function server(id: string, status: Member['status']): Member {
  return { name: id, addr: '127.0.0.1', port: 8301, tags: { role: 'consul', dc: 'dc1', id, port: '8300' }, status, incarnation: 1 }
}

describe('autopilot', () => {
  it('adds a new server as a learner, then promotes it', async () => {
    const raft = new FakeRaft(new Fsm())
    const members = [server('fake-1', 'alive'), server('s2', 'alive')]
    const pilot = new Autopilot(raft, lanOf(members), 'dc1', silentLogger)
    await pilot.reconcile()
    expect(raft.status().configuration.find((s) => s.id === 's2')).toMatchObject({ voter: false })
    await pilot.reconcile()
    expect(raft.status().configuration.filter((s) => s.id === 's2' && s.voter)).toHaveLength(1)
  })

  it('removes a left server at once and a failed one after the grace period, within quorum', async () => {
    const raft = new FakeRaft(new Fsm())
    for (const id of ['s2', 's3', 's4', 's5']) await raft.addVoter({ id, address: `${id}:8300` })
    const members = [server('fake-1', 'alive'), server('s2', 'alive'), server('s3', 'left'), server('s4', 'failed'), server('s5', 'alive')]
    let now = 0
    const pilot = new Autopilot(raft, lanOf(members), 'dc1', silentLogger, () => now)
    await pilot.reconcile()
    const ids = () => raft.status().configuration.map((s) => s.id).sort()
    expect(ids()).toEqual(['fake-1', 's2', 's4', 's5'])
    now = 29_000
    await pilot.reconcile()
    expect(ids()).toEqual(['fake-1', 's2', 's4', 's5'])
    now = 31_000
    await pilot.reconcile()
    // 4 voters, 3 alive: removing s4 leaves 3 voters needing 2 alive.
    expect(ids()).toEqual(['fake-1', 's2', 's5'])
  })

  it('never drops below quorum of alive voters', async () => {
    const raft = new FakeRaft(new Fsm())
    for (const id of ['s2', 's3']) await raft.addVoter({ id, address: `${id}:8300` })
    const members = [server('fake-1', 'alive'), server('s2', 'failed'), server('s3', 'failed')]
    let now = 0
    const pilot = new Autopilot(raft, lanOf(members), 'dc1', silentLogger, () => now)
    await pilot.reconcile()
    now = 60_000
    await pilot.reconcile()
    // Removing s2 would leave 2 voters needing 2 alive, but only the leader is alive.
    expect(raft.status().configuration.map((s) => s.id).sort()).toEqual(['fake-1', 's2', 's3'])
  })
})
