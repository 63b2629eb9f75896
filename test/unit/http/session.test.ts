// Goal: sessions, locks and the status/operator/agent endpoints follow Consul: defaults, lock
// recipe (acquire/release, LockIndex, lock-delay after destroy; an acquire the state refuses is
// answered by the leader without a log entry), renew 404 for unknown ids,
// TTL expiry on the leader, and a client agent forwarding over the RPC envelope.
// Method: the real HTTP API over Fsm + FakeRaft; a second, client-mode context whose transport
// hands calls to the server's router as a remote call would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildContext, buildHttpApi } from '../../../agent/agent-context.js'
import { silentLogger } from '../../../agent/agent-log.js'
import { loadRuntimeConfig } from '../../../agent/config/build.js'
import { startHarness, type Harness } from './harness.js'

let h: Harness
beforeAll(async () => { h = await startHarness() })
afterAll(async () => { await h.close() })

const put = (path: string, body?: string) => fetch(h.url + path, { method: 'PUT', body })

describe('sessions and locks', () => {
  it('creates with Consul defaults and lists', async () => {
    const { ID } = await (await put('/v1/session/create', JSON.stringify({ Name: 'web-lock', TTL: '15s' }))).json() as { ID: string }
    expect(ID).toMatch(/^[0-9a-f-]{36}$/)
    const info = await fetch(`${h.url}/v1/session/info/${ID}`)
    expect(Number(info.headers.get('x-consul-index'))).toBeGreaterThan(0)
    const [session] = await info.json() as Record<string, unknown>[]
    expect(session).toMatchObject({ ID, Name: 'web-lock', Node: 'n1', LockDelay: 15_000_000_000, Behavior: 'release', TTL: '15s', NodeChecks: ['serfHealth'] })
    expect((await (await fetch(`${h.url}/v1/session/list`)).json() as unknown[]).length).toBeGreaterThan(0)
    expect(await (await fetch(`${h.url}/v1/session/node/n1`)).json()).toHaveLength((await (await fetch(`${h.url}/v1/session/list`)).json() as unknown[]).length)
    const [renewed] = await (await put(`/v1/session/renew/${ID}`)).json() as { ID: string }[]
    expect(renewed!.ID).toBe(ID)
    expect(await (await fetch(`${h.url}/v1/session/info/nope`)).json()).toEqual([])
  })

  it('rejects bad session bodies', async () => {
    expect((await put('/v1/session/create', JSON.stringify({ TTL: '5s' }))).status).toBe(500)
    expect(await (await put('/v1/session/create', JSON.stringify({ TTL: '5s' }))).text()).toMatch(/^Invalid Session TTL '5000000000', must be between \[10s=24h0m0s\]/)
    expect((await put('/v1/session/create', JSON.stringify({ Behavior: 'explode' }))).status).toBe(500)
    expect((await put('/v1/session/create', '{nope')).status).toBe(400)
    const renew = await put('/v1/session/renew/00000000-0000-0000-0000-000000000000')
    expect(renew.status).toBe(404)
    expect(await renew.text()).toBe("Session id '00000000-0000-0000-0000-000000000000' not found\n")
  })

  it('runs the lock recipe with lock-delay after the holder is destroyed', async () => {
    const a = (await (await put('/v1/session/create', JSON.stringify({ LockDelay: '1s' }))).json() as { ID: string }).ID
    const b = (await (await put('/v1/session/create', JSON.stringify({ LockDelay: 0 }))).json() as { ID: string }).ID
    expect(await (await put(`/v1/kv/locks/job?acquire=${a}&flags=3304740253564472344`, 'holder-a')).json()).toBe(true)
    const logBefore = h.raft.status().lastLogIndex
    expect(await (await put(`/v1/kv/locks/job?acquire=${b}`, 'holder-b')).json()).toBe(false)
    expect(h.raft.status().lastLogIndex).toBe(logBefore)  // refused by the leader without a log entry
    const [held] = await (await fetch(`${h.url}/v1/kv/locks/job`)).json() as { Session: string; LockIndex: number }[]
    expect(held).toMatchObject({ Session: a, LockIndex: 1 })
    expect(await (await put(`/v1/session/destroy/${a}`)).json()).toBe(true)
    const [released] = await (await fetch(`${h.url}/v1/kv/locks/job`)).json() as { Session?: string }[]
    expect(released!.Session).toBeUndefined()
    const delayedAt = h.raft.status().lastLogIndex
    expect(await (await put(`/v1/kv/locks/job?acquire=${b}`, 'holder-b')).json()).toBe(false)
    expect(h.raft.status().lastLogIndex).toBe(delayedAt)  // lock-delay: refused without a log entry too
    await new Promise((r) => setTimeout(r, 1_050))
    expect(await (await put(`/v1/kv/locks/job?acquire=${b}`, 'holder-b')).json()).toBe(true)
    expect(await (await put(`/v1/kv/locks/job?release=${b}`, 'done')).json()).toBe(true)
    const [after] = await (await fetch(`${h.url}/v1/kv/locks/job`)).json() as { LockIndex: number; Session?: string }[]
    expect(after).toMatchObject({ LockIndex: 2 })
    const badSession = await put('/v1/kv/locks/other?acquire=not-a-session', 'x')
    expect(badSession.status).toBe(500)
    expect(await badSession.text()).toBe('invalid session "not-a-session"\n')
  })

  it('expires a TTL session on the leader after TTL x 2', async () => {
    const { ID } = await (await put('/v1/session/create', JSON.stringify({ TTL: '10s' }))).json() as { ID: string }
    const timers = h.ctx.server!.sessionTimers
    expect(timers.size()).toBeGreaterThan(0)
    // Re-arm this one timer with a tiny TTL so the test does not wait 20 s; the expiry path is the real one.
    timers.reset(ID, '10ms')
    await new Promise((r) => setTimeout(r, 100))
    expect(await (await fetch(`${h.url}/v1/session/info/${ID}`)).json()).toEqual([])
  })
})

describe('status, operator and agent endpoints', () => {
  it('answers status and raft configuration', async () => {
    expect(await (await fetch(`${h.url}/v1/status/leader`)).json()).toBe('127.0.0.1:8300')
    expect(await (await fetch(`${h.url}/v1/status/peers`)).json()).toEqual(['127.0.0.1:8300'])
    const config = await (await fetch(`${h.url}/v1/operator/raft/configuration`)).json() as { Servers: unknown[] }
    expect(config.Servers).toEqual([{ ID: 'fake-1', Node: '(unknown)', Address: '127.0.0.1:8300', Leader: true, Voter: true, ProtocolVersion: '3' }])
    const health = await fetch(`${h.url}/v1/operator/autopilot/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ Healthy: true, FailureTolerance: 0, Servers: [{ ID: 'fake-1', Leader: true, Voter: true, Healthy: true }] })
    expect((await fetch(`${h.url}/v1/operator/raft/peer`, { method: 'DELETE' })).status).toBe(400)
    expect((await fetch(`${h.url}/v1/operator/raft/peer?address=1.2.3.4:8300`, { method: 'DELETE' })).status).toBe(500)
  })

  it('answers agent self and metrics', async () => {
    const self = await (await fetch(`${h.url}/v1/agent/self`)).json() as { Config: Record<string, unknown> }
    expect(self.Config).toMatchObject({ Datacenter: 'dc1', NodeName: 'n1', Server: true })
    const metrics = await (await fetch(`${h.url}/v1/agent/metrics`)).json() as { Gauges: { Name: string }[] }
    expect(metrics.Gauges.map((g) => g.Name)).toContain('consul.raft.commitIndex')
    const prom = await (await fetch(`${h.url}/v1/agent/metrics?format=prometheus`)).text()
    expect(prom).toMatch(/^consul_kvs_apply \d+$/m)
  })
})

describe('client agent forwarding', () => {
  it('forwards reads and writes through the RPC envelope, bigints intact', async () => {
    const config = loadRuntimeConfig(['-node', 'c1', '-data-dir', '/nonexistent'], { env: {}, hostname: () => 'c1', privateIps: () => [], pid: 1, tmpdir: () => '/tmp' })
    const calls: string[] = []
    const ctx = buildContext({
      config, nodeId: '99999999-2222-3333-4444-555555555555', log: silentLogger, holdTimeoutMs: 300,
      servers: () => ['127.0.0.1:8300'],
      transport: { call: async (_address, method, args) => { calls.push(method); return h.ctx.rpc.handleRemote(method, args) } },
      control: { leave: async () => undefined, join: async () => 1, forceLeave: () => true },
    })
    const api = buildHttpApi(ctx)
    const [port] = await api.listen(['127.0.0.1'], 0)
    try {
      const url = `http://127.0.0.1:${port}`
      expect(await (await fetch(`${url}/v1/kv/fwd?flags=18446744073709551615`, { method: 'PUT', body: 'via client' })).json()).toBe(true)
      const text = await (await fetch(`${url}/v1/kv/fwd`)).text()
      expect(text).toContain('"Flags":18446744073709551615')
      expect(await (await fetch(`${url}/v1/status/leader`)).json()).toBe('127.0.0.1:8300')
      const session = await (await fetch(`${url}/v1/session/create`, { method: 'PUT' })).json() as { ID: string }
      const [info] = await (await fetch(`${url}/v1/session/info/${session.ID}`)).json() as { Node: string }[]
      expect(info!.Node).toBe('c1')
      expect(calls).toEqual(['KVS.Apply', 'KVS.Get', 'Status.Leader', 'Session.Apply', 'Session.Get'])
    } finally {
      await api.close()
    }
  })
})
