// Goal: the /v1/zx lab APIs report this agent's Raft status and gossip view, keep a bounded
// event ring, block like Consul (?index=&wait=: park until a newer event, answer at once on
// index 0 or a reset, time out with the same index), stream events as SSE, reject bad
// parameters with Consul's messages, and fan out to other members without hanging on dead ones.
// Method: LabApi over scripted RaftApi/GossipPool doubles, driven with in-memory requests.
import { afterEach, describe, expect, it } from 'vitest'
import { LabApi, uiRoutes } from '../../../agent/ui/api.js'
import { EventRing, parseIndex, parseWaitMs } from '../../../agent/ui/recorder.js'
import { defaultHttpAddressOf } from '../../../agent/ui/fanout.js'
import { FakePool, FakeRaft } from '../../e2e/ui/fake-cluster.js'
import type { RaftStatus } from '../../../agent/raft/api.js'
import type { Member } from '../../../agent/gossip/api.js'
import type { ZxClusterResponse, ZxGossipResponse, ZxRaftResponse } from '../../../agent/ui/lab/wire.js'
import { FakeRes, asRes, fakeReq } from './fake-http.js'

const status: RaftStatus = {
  id: 'id-1', role: 'leader', term: 4, leaderId: 'id-1', leaderAddress: '10.0.0.1:8300', commitIndex: 9, appliedIndex: 9,
  lastLogIndex: 9, lastLogTerm: 4, snapshotIndex: 0, lastContactMs: 0, configuration: [{ id: 'id-1', address: '10.0.0.1:8300', voter: true }], matchIndex: {},
}
const member = (name: string, http?: string): Member => ({ name, addr: '127.0.0.1', port: 8301, status: 'alive', incarnation: 1, tags: { role: 'consul', ...(http ? { http } : {}) } })

const opened: LabApi[] = []
// Member HTTP reads are scripted: port 1 refuses, 8500 answers as node3, 9500 as node1.
async function fetchJson(address: string): Promise<unknown> {
  if (address.endsWith(':1')) throw Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } })
  return { node: address.endsWith(':8500') ? 'node3' : 'node1', server: true, status, events: [], index: 0, nowMs: 0 }
}

function lab(members: Member[] = [member('node1')]) {
  const raft = new FakeRaft('id-1', () => status)
  const pool = new FakePool('node1', new Map(members.map((m) => [m.name, m])))
  const api = new LabApi({ raft, lan: pool, nodeName: 'node1', gossipIntervalMs: 200, now: () => 1_000, fetchJson })
  opened.push(api)
  return { raft, pool, api }
}
afterEach(() => { for (const a of opened.splice(0)) a.close() })

async function call(api: LabApi, url: string, method = 'GET') {
  const res = new FakeRes()
  const handled = await api.handle(fakeReq(method, url), asRes(res))
  return { handled, res }
}

describe('LabApi', () => {
  it('answers /v1/zx/raft with status and events, and ignores paths it does not own', async () => {
    const { raft, api } = lab()
    raft.emit({ type: 'leader', atMs: 5, term: 4, leader: 'id-1', electionMs: 12 })
    const { res } = await call(api, '/v1/zx/raft')
    const body = JSON.parse(res.text()) as ZxRaftResponse
    expect(res.headers['x-consul-index']).toBe('1')
    expect(body.status?.term).toBe(4)
    expect(body.events).toEqual([{ type: 'leader', atMs: 5, term: 4, leader: 'id-1', electionMs: 12, seq: 1 }])
    expect(body.server).toBe(true)
    expect((await call(api, '/v1/kv/x')).handled).toBe(false)
    expect((await call(api, '/v1/zx/raft', 'POST')).res.status).toBe(405)
  })

  it('blocks on ?index= until the next event and times out with the same index', async () => {
    const { raft, api } = lab()
    raft.emit({ type: 'role', atMs: 1, role: 'leader', term: 4 })
    const pending = call(api, '/v1/zx/raft?index=1&wait=5s')
    let done = false
    void pending.then(() => { done = true })
    await new Promise((r) => setTimeout(r, 20))
    expect(done).toBe(false)
    raft.emit({ type: 'role', atMs: 2, role: 'follower', term: 5 })
    const { res } = await pending
    expect(res.headers['x-consul-index']).toBe('2')
    const timedOut = await call(api, '/v1/zx/raft?index=2&wait=30ms')
    expect(timedOut.res.headers['x-consul-index']).toBe('2')
    // An index from a previous life of the agent is answered at once.
    const reset = await call(api, '/v1/zx/raft?index=99&wait=5s')
    expect(reset.res.status).toBe(200)
  })

  it('rejects bad index and wait with Consul messages', async () => {
    const { api } = lab()
    expect((await call(api, '/v1/zx/raft?index=abc')).res.text()).toBe('Invalid index\n')
    const bad = await call(api, '/v1/zx/gossip?index=1&wait=soon')
    expect(bad.res.status).toBe(400)
    expect(bad.res.text()).toBe('Invalid wait time\n')
  })

  it('measures in the gossip fan-out how far each change spread', async () => {
    const { pool, api } = lab([member('node1'), member('node2')])
    pool.set('node2', 'failed', 'failed')
    const body = JSON.parse((await call(api, '/v1/zx/cluster/gossip')).res.text()) as ZxClusterResponse<ZxGossipResponse>
    // node2 (scripted) answers with no events; node1 saw node2 fail; node2 never counts for itself.
    expect(body.spread).toEqual([expect.objectContaining({ member: 'node2', type: 'failed', reached: ['node1'], expected: ['node1'], complete: true, rounds: 1 })])
  })

  it('reports membership changes with their time and incarnation', async () => {
    const { pool, api } = lab([member('node1'), member('node2')])
    pool.set('node2', 'suspect', 'suspect')
    pool.set('node2', 'failed', 'failed')
    const body = JSON.parse((await call(api, '/v1/zx/gossip')).res.text()) as ZxGossipResponse
    expect(body.members.find((m) => m.name === 'node2')?.status).toBe('failed')
    expect(body.events.map((e) => [e.type, e.member, e.from, e.atMs])).toEqual([['suspect', 'node2', 'node1', 1_000], ['failed', 'node2', undefined, 1_000]])
    expect(body.gossipIntervalMs).toBe(200)
  })

  it('streams a snapshot then every event as SSE, and stops on disconnect', async () => {
    const { raft, api } = lab()
    const res = new FakeRes()
    const done = api.handle(fakeReq('GET', '/v1/zx/raft/stream'), asRes(res))
    expect(res.headers['content-type']).toContain('text/event-stream')
    raft.emit({ type: 'leader', atMs: 7, term: 5, leader: 'id-1', electionMs: undefined })
    res.disconnect()
    await done
    raft.emit({ type: 'leader', atMs: 8, term: 6, leader: 'id-1', electionMs: undefined })
    const text = res.text()
    expect(text).toContain('event: snapshot')
    expect(text).toMatch(/event: change\nid: 1\ndata: \{"event":\{"type":"leader","atMs":7/)
    expect(text).not.toContain('"term":6')
  })

  it('fans out to members, answering for itself locally and marking dead or impostor answers', async () => {
    // node3 has no http tag: its address is guessed as gossip port 8301 + 199 = 8500.
    const { api } = lab([member('node1'), member('node2', '1'), member('node3'), member('node5', '9500')])
    const body = JSON.parse((await call(api, '/v1/zx/cluster/raft')).res.text()) as ZxClusterResponse<ZxRaftResponse>
    expect(body.entries.map((e) => [e.node, e.ok])).toEqual([['node1', true], ['node2', false], ['node3', true], ['node5', false]])
    expect(body.entries[0]!.data?.status?.term).toBe(4)
    expect(body.entries[1]!.error).toBe('fetch failed (ECONNREFUSED)')
    expect(body.entries[2]!.address).toBe('127.0.0.1:8500')
    expect(body.entries[3]!.error).toBe('127.0.0.1:9500 answered as node1')
  })

  it('keeps only the newest events in a bounded ring', () => {
    const ring = new EventRing<{ n: number }>(3)
    for (let n = 1; n <= 5; n++) ring.push({ n })
    expect(ring.items().map((e) => e.n)).toEqual([3, 4, 5])
    expect(ring.lastSeq()).toBe(5)
    expect(ring.items(4).map((e) => e.seq)).toEqual([5])
  })

  it('exports route entries for the agent table', () => {
    const raft = new FakeRaft('id-1', () => status)
    const { routes, lab: api } = uiRoutes({ raft, lan: new FakePool('node1', new Map([['node1', member('node1')]])) })
    opened.push(api)
    expect(routes.map((r) => r.path)).toContain('/v1/zx/raft')
    expect(routes.every((r) => r.methods.includes('GET'))).toBe(true)
  })
})

describe('query parameters and addresses', () => {
  it('parses Go durations for ?wait= and caps them', () => {
    expect(parseWaitMs(null, 300_000, 600_000)).toBe(300_000)
    expect(parseWaitMs('10s', 1, 600_000)).toBe(10_000)
    expect(parseWaitMs('1m30s', 1, 600_000)).toBe(90_000)
    expect(parseWaitMs('250ms', 1, 600_000)).toBe(250)
    expect(parseWaitMs('1h', 1, 600_000)).toBe(600_000)
    expect(parseWaitMs('10', 1, 600_000)).toBeUndefined()
    expect(parseWaitMs('5x', 1, 600_000)).toBeUndefined()
    expect(parseIndex('12')).toBe(12)
    expect(parseIndex('-1')).toBeUndefined()
  })

  it('finds a member HTTP address from its http tag', () => {
    expect(defaultHttpAddressOf(member('a', '8500'))).toBe('127.0.0.1:8500')
    expect(defaultHttpAddressOf(member('a', '10.0.0.5:9500'))).toBe('10.0.0.5:9500')
    expect(defaultHttpAddressOf(member('a', 'http://evil/'))).toBeUndefined()
    expect(defaultHttpAddressOf(member('a'))).toBe('127.0.0.1:8500')
  })
})

describe('uiRouteArea', () => {
  it('always mounts /v1/zx and mounts / and /ui/ only with -ui', async () => {
    const { uiRouteArea } = await import('../../../agent/ui/routes.js')
    const ctx = (ui: boolean) => ({ config: { ui, nodeName: 'client1' }, server: undefined, lan: undefined, now: () => 5 }) as unknown as Parameters<typeof uiRouteArea>[0]
    const withUi = uiRouteArea(ctx(true)).map((r) => r.path)
    expect(withUi).toEqual(expect.arrayContaining(['/', '/ui', '/ui/', '/v1/zx/raft', '/v1/zx/gossip/stream']))
    const without = uiRouteArea(ctx(false))
    expect(without.map((r) => r.path)).not.toContain('/ui/')
    const read = async (path: string) => {
      const res = new FakeRes()
      await without.find((r) => r.path === path)!.raw!(fakeReq('GET', path), asRes(res))
      return JSON.parse(res.text()) as ZxClusterResponse<ZxRaftResponse | ZxGossipResponse>
    }
    // A client is no Raft server: it lists only servers. Without gossip it still reports itself.
    expect((await read('/v1/zx/cluster/raft')).entries).toEqual([])
    const gossip = await read('/v1/zx/cluster/gossip')
    expect(gossip.entries).toEqual([expect.objectContaining({ node: 'client1', ok: true, data: expect.objectContaining({ members: [] }) })])
    expect(gossip.spread).toEqual([])
    const local = new FakeRes()
    await without.find((r) => r.path === '/v1/zx/raft')!.raw!(fakeReq('GET', '/v1/zx/raft'), asRes(local))
    expect(JSON.parse(local.text())).toMatchObject({ node: 'client1', server: false, status: null })
  })
})
