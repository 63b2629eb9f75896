// Goal: membership and leadership operations work end to end on real sockets and disks: a new
// server joins as a learner, is promoted to voter once caught up and then holds the data; a
// server is removed; leadership moves to a chosen voter; stale reads honour maxStaleMs; a
// second bootstrap is refused.
// Method: three RaftNodes (+ one joiner) in this process on 127.0.0.1:21211–21214.
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { isZxError } from '../../../agent/errors.js'
import type { RaftEvent } from '../../../agent/raft/api.js'
import { encodePut } from '../../bench/raft/kv-fsm.js'
import { leaderOf, makeDirs, removeDirs, serverInfos, startServer, stopServer, until, type TestServer } from './harness.js'

let running: TestServer[] = []
afterEach(async () => {
  for (const server of running) await stopServer(server).catch(() => {})
  running = []
})
afterAll(removeDirs)

describe('Raft membership and leadership', () => {
  it('adds a voter via learner catch-up, removes a server, and transfers leadership', async () => {
    const dirs = await makeDirs(4)
    running = await Promise.all([0, 1, 2].map((i) => startServer(`m${i + 1}`, 21211 + i, dirs[i]!)))
    await Promise.all(running.map((s) => s.node.bootstrap(serverInfos(running))))
    const again = await running[0]!.node.bootstrap(serverInfos(running)).catch((e: unknown) => e)
    expect(isZxError(again, 'ZX_ERR_CONFIG')).toBe(true)
    let leader = await until('leader', () => leaderOf(running))
    for (let i = 1; i <= 300; i++) await leader.node.propose(encodePut(`k${i}`, `v${i}`))

    const joiner = await startServer('m4', 21214, dirs[3]!)
    const events: RaftEvent[] = []
    joiner.node.onEvent((e) => events.push(e))
    running.push(joiner)
    await leader.node.addVoter({ id: joiner.id, address: joiner.address })
    const conf = leader.node.status().configuration
    expect(conf.find((s) => s.id === 'm4')).toEqual({ id: 'm4', address: joiner.address, voter: true })
    await until('joiner has the data', () => joiner.fsm.data.get('k300') === 'v300')
    expect(events.some((e) => e.type === 'configuration')).toBe(true)

    const follower = running.find((s) => s !== leader && s !== joiner)!
    await leader.node.removeServer(follower.id)
    expect(leader.node.status().configuration.map((s) => s.id)).not.toContain(follower.id)
    await stopServer(follower)
    running = running.filter((s) => s !== follower)

    const target = running.find((s) => s !== leader)!
    expect(await leader.node.transferLeadership(target.id)).toBe(target.id)
    leader = await until('transferred leader', () => leaderOf(running))
    expect(leader.id).toBe(target.id)
    await leader.node.propose(encodePut('after', 'transfer'))
    await until('everyone applied the write after transfer', () => running.every((s) => s.fsm.data.get('after') === 'transfer'))

    const other = running.find((s) => s !== leader)!
    const stale = await other.node.readBarrier('stale', { maxStaleMs: 10_000 })
    expect(stale.mode).toBe('stale')
    expect(stale.knownLeader).toBe(true)
    expect(stale.lastContactMs).toBeLessThan(10_000)
    const fresh = await other.node.readBarrier('stale', { maxStaleMs: -1 }) // always too stale: upgraded
    expect(fresh.mode).toBe('leader')
  })

  it('a lone server with no quorum answers no-leader or timeout, never a wrong success', async () => {
    const dirs = await makeDirs(3)
    running = await Promise.all([0, 1, 2].map((i) => startServer(`q${i + 1}`, 21215 + i, dirs[i]!)))
    await Promise.all(running.map((s) => s.node.bootstrap(serverInfos(running))))
    const leader = await until('leader', () => leaderOf(running))
    await leader.node.propose(encodePut('a', '1'))
    const others = running.filter((s) => s !== leader)
    for (const s of others) await stopServer(s)
    running = [leader]
    await until('the cut-off leader steps down (check-quorum)', () => leader.node.status().role !== 'leader', 10_000)
    const write = await leader.node.propose(encodePut('b', '2')).catch((e: unknown) => e)
    expect(isZxError(write, 'ZX_ERR_NO_LEADER') || isZxError(write, 'ZX_ERR_NOT_LEADER')).toBe(true)
    const read = await leader.node.readBarrier('consistent').catch((e: unknown) => e)
    expect(isZxError(read, 'ZX_ERR_NO_LEADER') || isZxError(read, 'ZX_ERR_RPC') || isZxError(read, 'ZX_ERR_TIMEOUT')).toBe(true)
    expect(leader.fsm.data.has('b')).toBe(false)
  })
})
