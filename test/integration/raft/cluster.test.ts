// Goal: three RaftNodes on loopback with real disks elect a leader, commit 1,000 writes,
// survive losing the leader (a new one is elected and keeps committing), take the old leader
// back with its data intact, and rebuild every state machine from disk after a full restart.
// A follower that fell far behind (the leader compacted its log) catches up by snapshot.
// Servers that come back on new addresses (a restarted container's new IP) elect again once
// they are told the live addresses, as the agent does from gossip. Method: real RpcServers on 127.0.0.1:21201–21206 and 21241–21245, a KV state machine, polling with deadlines.
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

async function writeMany(servers: TestServer[], from: number, to: number, concurrency = 32): Promise<void> {
  let next = from
  const worker = async (): Promise<void> => {
    while (next <= to) {
      const i = next++
      for (let attempt = 0; ; attempt++) {
        const leader = leaderOf(servers) ?? await until('a leader', () => leaderOf(servers))
        try {
          await leader.node.propose(encodePut(`k${i}`, `v${i}`))
          break
        } catch (error) {
          if (attempt > 20 || !(isZxError(error, 'ZX_ERR_NOT_LEADER') || isZxError(error, 'ZX_ERR_NO_LEADER') || isZxError(error, 'ZX_ERR_TIMEOUT'))) throw error
          await new Promise((r) => setTimeout(r, 50))
        }
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

function hasAll(server: TestServer, to: number): boolean {
  for (let i = 1; i <= to; i++) if (server.fsm.data.get(`k${i}`) !== `v${i}`) return false
  return true
}

describe('Raft cluster on loopback', () => {
  it('elects, commits 1,000 writes, fails over, and restarts with data intact', async () => {
    const dirs = await makeDirs(3)
    const ports = [21201, 21202, 21203]
    running = await Promise.all(dirs.map((dir, i) => startServer(`n${i + 1}`, ports[i]!, dir)))
    const events: RaftEvent[] = []
    for (const s of running) s.node.onEvent((e) => events.push(e))
    expect(running.every((s) => !s.node.hasState())).toBe(true)
    await Promise.all(running.map((s) => s.node.bootstrap(serverInfos(running))))
    const first = await until('first leader', () => leaderOf(running))
    expect(events.some((e) => e.type === 'leader')).toBe(true)

    await writeMany(running, 1, 1000)
    await until('all servers applied 1,000 writes', () => running.every((s) => hasAll(s, 1000)))
    const status = first.node.status()
    expect(status.commitIndex).toBeGreaterThanOrEqual(1000)
    expect(Object.keys(status.matchIndex).length).toBe(3)

    // Reads: consistent and lease reads on the leader, forwarded barrier on a follower, stale anywhere.
    const follower = running.find((s) => s !== first)!
    const consistent = await follower.node.readBarrier('consistent')
    expect(consistent.appliedIndex).toBeGreaterThanOrEqual(status.commitIndex)
    expect((await first.node.readBarrier('leader')).mode).toBe('leader')
    const stale = await follower.node.readBarrier('stale')
    expect(stale.knownLeader).toBe(true)
    const notLeader = await follower.node.propose(encodePut('x', 'y')).catch((e: unknown) => e)
    expect(isZxError(notLeader, 'ZX_ERR_NOT_LEADER')).toBe(true)
    expect((notLeader as { details: Record<string, unknown> }).details.leaderAddress).toBe(first.address)

    // Kill the leader: the other two elect a new one and keep committing.
    await stopServer(first)
    const survivors = running.filter((s) => s !== first)
    const second = await until('second leader', () => leaderOf(survivors))
    expect(second.id).not.toBe(first.id)
    await writeMany(survivors, 1001, 1100)
    await until('survivors applied 1,100', () => survivors.every((s) => hasAll(s, 1100)))

    // Restart the old leader from its data dir: it replays and catches up.
    const back = await startServer(first.id, ports[running.indexOf(first)]!, first.dir)
    expect(back.node.hasState()).toBe(true)
    running = [...survivors, back]
    await until('restarted server caught up', () => hasAll(back, 1100))

    // Full restart: every state machine is rebuilt from disk alone.
    for (const s of running) await stopServer(s)
    running = await Promise.all(running.map((s) => startServer(s.id, Number(s.address.split(':')[1]), s.dir)))
    await until('leader after full restart', () => leaderOf(running))
    await until('all rebuilt 1,100 writes', () => running.every((s) => hasAll(s, 1100)))
  })

  it('catches a far-behind follower up by snapshot', async () => {
    const dirs = await makeDirs(3)
    const ports = [21204, 21205, 21206]
    const tuning = { snapshotThresholdEntries: 200, trailingLogs: 20, snapshotChunkBytes: 4096 }
    running = await Promise.all(dirs.map((dir, i) => startServer(`s${i + 1}`, ports[i]!, dir, tuning)))
    await Promise.all(running.map((s) => s.node.bootstrap(serverInfos(running))))
    const leader = await until('leader', () => leaderOf(running))
    const lagging = running.find((s) => s !== leader)!
    await writeMany(running, 1, 10)
    await until('lagging has 10', () => hasAll(lagging, 10))
    await stopServer(lagging)
    const live = running.filter((s) => s !== lagging)
    await writeMany(live, 11, 1000)
    await until('leader compacted past the lagging follower', () => leader.node.status().snapshotIndex > 100 && leader.node.storage.firstIndex() > 20)
    const back = await startServer(lagging.id, ports[running.indexOf(lagging)]!, lagging.dir, tuning)
    running = [...live, back]
    await until('snapshot catch-up', () => hasAll(back, 1000), 30_000)
    expect(back.fsm.restores).toBeGreaterThanOrEqual(1)
    expect(back.node.status().snapshotIndex).toBeGreaterThan(100)
  })

  it('reaches servers that came back on new addresses through their live address', async () => {
    const dirs = await makeDirs(3)
    running = await Promise.all(dirs.map((dir, i) => startServer(`m${i + 1}`, 21241 + i, dir)))
    await Promise.all(running.map((s) => s.node.bootstrap(serverInfos(running))))
    await until('first leader', () => leaderOf(running))
    await writeMany(running, 1, 10, 4)
    // m2 and m3 go down and come back listening elsewhere; the configuration still names the old ports.
    for (const s of running.slice(1)) await stopServer(s)
    const moved = await Promise.all([startServer('m2', 21244, dirs[1]!), startServer('m3', 21245, dirs[2]!)])
    running = [running[0]!, ...moved]
    await new Promise((r) => setTimeout(r, 1_500))
    expect(leaderOf(running)).toBeUndefined()  // stale addresses: nobody can win an election
    for (const s of running) for (const other of running) s.node.setLiveAddress(other.id, other.address)
    const leader = await until('a leader over the live addresses', () => leaderOf(running))
    await leader.node.propose(encodePut('after-move', 'yes'))
    await until('every server applied the write', () => running.every((s) => s.fsm.data.get('after-move') === 'yes'))
    expect(leader.node.status().configuration.map((c) => c.address).sort()).toEqual(running.map((s) => s.address).sort())
  })
})
