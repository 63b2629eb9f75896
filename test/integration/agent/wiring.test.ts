// Goal: the agent wiring works end to end in one process with the real RaftNode, server RPC,
// state store and HTTP API: bootstrap-expect=3 elects a leader, writes through any server
// (followers forward to the leader), a client agent forwards over RPC, losing one server keeps
// the cluster writable, losing two gives `No cluster leader`, and a restart keeps the data.
// Method: three servers + one client as Agent.start() in-process on 127.0.0.1 ports 23100–23299,
// membership from an in-memory gossip double (real UDP gossip is covered by process.test.ts).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent } from '../../../agent/agent.js'
import { silentLogger } from '../../../agent/agent-log.js'
import { loadRuntimeConfig } from '../../../agent/config/build.js'
import { MemGossipNet } from './mem-gossip.js'

const root = mkdtempSync(join(tmpdir(), 'zx-wiring-'))
const net = new MemGossipNet()
const agents = new Map<string, Agent>()
const http = (i: number): string => `http://127.0.0.1:${23200 + i}`

function configFor(i: number, server: boolean) {
  const argv = ['-node', `node${i}`, '-data-dir', join(root, `node${i}`), '-bind', '127.0.0.1', '-client', '127.0.0.1',
    '-http-port', String(23200 + i), '-server-port', String(23100 + i), '-serf-lan-port', String(23300 + i), '-serf-wan-port', String(23350 + i), '-dns-port', String(23250 + i)]
  if (server) argv.push('-server', '-bootstrap-expect=3')
  return loadRuntimeConfig(argv, { env: {}, hostname: () => 'h', privateIps: () => [], pid: process.pid, tmpdir })
}

async function start(i: number, server = i <= 3): Promise<void> {
  agents.set(`node${i}`, await Agent.start(configFor(i, server), { startGossip: net.start }, silentLogger))
}

async function stop(i: number): Promise<void> {
  await agents.get(`node${i}`)?.shutdown()
  agents.delete(`node${i}`)
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await fn().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const leaderOf = (i: number, not?: string) => until('a leader', async () => {
  const leader = await (await fetch(`${http(i)}/v1/status/leader`)).json() as string
  return leader === '' || leader === not ? undefined : leader
})

beforeAll(async () => {
  await Promise.all([1, 2, 3].map((i) => start(i)))
  await start(4)
})

afterAll(async () => {
  for (const agent of agents.values()) await agent.shutdown()
  rmSync(root, { recursive: true, force: true })
})

describe('agent wiring (in-process)', () => {
  it('bootstraps three servers and agrees on a leader', async () => {
    const leader = await leaderOf(1)
    expect(await leaderOf(2)).toBe(leader)
    expect(await leaderOf(4)).toBe(leader)
    const peers = await (await fetch(`${http(3)}/v1/status/peers`)).json() as string[]
    expect(peers.sort()).toEqual(['127.0.0.1:23101', '127.0.0.1:23102', '127.0.0.1:23103'])
  })

  it('writes on any node and reads on every node', async () => {
    for (const i of [1, 2, 3, 4]) {
      const res = await fetch(`${http(i)}/v1/kv/eleven-${i}`, { method: 'PUT', body: String(i) })
      expect(await res.json()).toBe(true)
    }
    for (const i of [1, 2, 3, 4]) {
      const raw = await fetch(`${http(i)}/v1/kv/eleven-1?raw`)
      expect(await raw.text()).toBe('1')
    }
    const stale = await until('replicated stale read', async () => {
      const res = await fetch(`${http(3)}/v1/kv/eleven-4?raw&stale`)
      return res.status === 200 ? res : undefined
    })
    expect(stale.headers.get('x-consul-effective-consistency')).toBe('stale')
  })

  it('releases a lock when its holder node fails (serfHealth critical invalidates the session)', async () => {
    await start(5, false)
    const session = await until('a session on node5', async () => {
      const res = await fetch(`${http(5)}/v1/session/create`, { method: 'PUT', body: JSON.stringify({ LockDelay: '0s' }) })
      return res.status === 200 ? (await res.json() as { ID: string }).ID : undefined
    })
    expect(await (await fetch(`${http(5)}/v1/kv/locks/job?acquire=${session}`, { method: 'PUT', body: 'node5' })).json()).toBe(true)
    await stop(5)
    await until('the lock released', async () => {
      const [pair] = await (await fetch(`${http(1)}/v1/kv/locks/job`)).json() as { Session?: string }[]
      return pair!.Session === undefined ? true : undefined
    })
    expect(await (await fetch(`${http(1)}/v1/session/info/${session}`)).json()).toEqual([])
  }, 60_000)

  it('keeps writing with one server down and refuses with two down, then recovers', async () => {
    const leader = await leaderOf(1)
    const leaderIndex = Number(leader.split(':')[1]) - 23100
    await stop(leaderIndex)
    const survivors = [1, 2, 3].filter((i) => i !== leaderIndex)
    const next = await leaderOf(survivors[0]!, leader)
    expect(next).not.toBe(leader)
    expect(await (await fetch(`${http(survivors[0]!)}/v1/kv/after-one-down`, { method: 'PUT', body: 'x' })).json()).toBe(true)
    await stop(survivors[1]!)
    // A write in flight to the just-killed leader may end as "outcome unknown" (500); after that
    // every write must be refused with No cluster leader.
    const answers: string[] = []
    for (let attempt = 0; attempt < 10 && answers.at(-1) !== 'No cluster leader\n'; attempt++) {
      const res = await fetch(`${http(survivors[0]!)}/v1/kv/after-two-down`, { method: 'PUT', body: 'x' })
      expect(res.status).toBe(500)
      answers.push(await res.text())
    }
    expect(answers.at(-1)).toBe('No cluster leader\n')
    await start(leaderIndex)
    await start(survivors[1]!)
    await until('writes again', async () => {
      const r = await fetch(`${http(leaderIndex)}/v1/kv/after-restart`, { method: 'PUT', body: 'y' })
      return r.status === 200 ? true : undefined
    }, 30_000)
    for (const key of ['eleven-1', 'eleven-4', 'after-one-down', 'after-restart']) {
      expect((await fetch(`${http(4)}/v1/kv/${key}`)).status).toBe(200)
    }
  }, 90_000)
})
