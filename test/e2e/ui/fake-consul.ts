/**
 * test/e2e/ui/fake-consul.ts: the Consul HTTP API subset the UI reads and writes, over one
 * in-memory state, for UI tests only (a TEST DOUBLE, not the agent): catalog, health, KV (keys,
 * separator, recurse, cas, flags kept as exact uint64, blocking ?index=&wait=), sessions,
 * members, status and raft configuration. Every write bumps one global index and wakes blocked
 * readers, which is enough to exercise the UI's blocking-query loops.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Member } from '../../../agent/gossip/api.js'

interface KvEntry { Key: string; Flags: bigint; Value: Buffer | null; Session?: string; LockIndex: number; CreateIndex: number; ModifyIndex: number }
interface ServiceEntry { Node: string; ID: string; Service: string; Tags: string[]; Port: number; Address: string }
interface CheckEntry { Node: string; CheckID: string; Name: string; Status: string; Output: string; ServiceID: string; ServiceName: string; Type: string }
interface SessionEntry { ID: string; Name: string; Node: string; Behavior: string; TTL: string; LockDelay: number; NodeChecks: string[]; CreateIndex: number; ModifyIndex: number }

/** FakeState is the shared in-memory catalog/health/KV/session state with one index. */
export class FakeState {
  index = 10
  kv = new Map<string, KvEntry>()
  nodes: { Node: string; Address: string; ID: string }[] = []
  services: ServiceEntry[] = []
  checks: CheckEntry[] = []
  sessions: SessionEntry[] = []
  private waiters = new Set<() => void>()

  /** bump advances the index and wakes blocked readers. */
  bump(): number {
    this.index += 1
    for (const w of [...this.waiters]) w()
    return this.index
  }

  /** waitBeyond parks until the index passes `index` or waitMs ends. */
  waitBeyond(index: number, waitMs: number): Promise<void> {
    if (index <= 0 || this.index > index) return Promise.resolve()
    return new Promise((resolve) => {
      const done = () => { clearTimeout(t); this.waiters.delete(done); resolve() }
      const t = setTimeout(done, waitMs)
      this.waiters.add(done)
    })
  }

  addNode(name: string, id: string): void {
    this.nodes.push({ Node: name, Address: '127.0.0.1', ID: id })
    this.checks.push({ Node: name, CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing', Output: 'Agent alive and reachable', ServiceID: '', ServiceName: '', Type: '' })
    this.bump()
  }

  addService(node: string, id: string, name: string, port: number, tags: string[], checkStatus?: string): void {
    this.services.push({ Node: node, ID: id, Service: name, Tags: tags, Port: port, Address: '' })
    if (checkStatus) this.checks.push({ Node: node, CheckID: `service:${id}`, Name: `Service '${name}' check`, Status: checkStatus, Output: `HTTP GET http://127.0.0.1:${port}/health: ${checkStatus === 'passing' ? '200 OK' : '503 Service Unavailable'}`, ServiceID: id, ServiceName: name, Type: 'http' })
    this.bump()
  }

  setCheck(node: string, checkId: string, status: string, output: string): void {
    const c = this.checks.find((x) => x.Node === node && x.CheckID === checkId)
    if (!c || (c.Status === status && c.Output === output)) return
    c.Status = status
    c.Output = output
    this.bump()
  }

  /** kvPut writes like Consul: cas 0 = create-only, cas n = only if ModifyIndex is n. */
  kvPut(key: string, value: Buffer, flags: bigint, cas: number | undefined, session?: string): boolean {
    const existing = this.kv.get(key)
    if (cas !== undefined && (cas === 0 ? existing !== undefined : existing?.ModifyIndex !== cas)) return false
    const index = this.bump()
    this.kv.set(key, { Key: key, Flags: flags, Value: value.length ? value : null, Session: session ?? existing?.Session, LockIndex: existing?.LockIndex ?? (session ? 1 : 0), CreateIndex: existing?.CreateIndex ?? index, ModifyIndex: index })
    return true
  }

  close(): void {
    for (const w of [...this.waiters]) w()
  }
}

/** ConsulView is what one fake agent knows besides the shared state. */
export interface ConsulView {
  members(): Member[]
  leaderAddress(): string
  raftServers(): { ID: string; Node: string; Address: string; Leader: boolean; Voter: boolean; ProtocolVersion: string }[]
}

const memberStatus: Record<Member['status'], number> = { alive: 1, suspect: 1, leaving: 2, left: 3, failed: 4 }

function kvJson(entries: KvEntry[]): string {
  const parts = entries.map((e) => JSON.stringify({ LockIndex: e.LockIndex, Key: e.Key, Flags: '@@F@@', Value: e.Value ? e.Value.toString('base64') : null, ...(e.Session ? { Session: e.Session } : {}), CreateIndex: e.CreateIndex, ModifyIndex: e.ModifyIndex }).replace('"@@F@@"', e.Flags.toString()))
  return `[${parts.join(',')}]`
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function send(res: ServerResponse, status: number, body: string, index?: number): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...(index !== undefined ? { 'X-Consul-Index': String(index), 'X-Consul-KnownLeader': 'true' } : {}) })
  res.end(body)
}

/** handleConsulApi answers one request of the Consul API subset. */
export async function handleConsulApi(state: FakeState, view: ConsulView, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake')
  const p = url.pathname
  const q = url.searchParams
  const method = req.method ?? 'GET'
  if (method === 'GET' && q.has('index')) {
    const wait = /^(\d+)(ms|s|m)$/.exec(q.get('wait') ?? '5m')
    const waitMs = wait ? Number(wait[1]) * (wait[2] === 'ms' ? 1 : wait[2] === 's' ? 1000 : 60_000) : 300_000
    await state.waitBeyond(Number(q.get('index')), Math.min(waitMs, 600_000))
  }
  const json = (body: unknown) => send(res, 200, JSON.stringify(body), state.index)
  const services = (node?: string) => state.services.filter((s) => node === undefined || s.Node === node)
  const nodeOf = (name: string) => state.nodes.find((n) => n.Node === name)
  const healthEntry = (s: ServiceEntry) => ({
    Node: { ...nodeOf(s.Node)!, Datacenter: 'dc1' },
    Service: { ID: s.ID, Service: s.Service, Tags: s.Tags, Address: s.Address, Port: s.Port },
    Checks: state.checks.filter((c) => c.Node === s.Node && (c.ServiceID === '' || c.ServiceID === s.ID)),
  })
  let m: RegExpExecArray | null
  if (p === '/v1/catalog/datacenters') return send(res, 200, '["dc1"]')
  if (p === '/v1/catalog/services') {
    const out: Record<string, string[]> = {}
    for (const s of state.services) out[s.Service] = [...new Set([...(out[s.Service] ?? []), ...s.Tags])]
    return json(out)
  }
  if (p === '/v1/catalog/nodes') return json(state.nodes)
  if ((m = /^\/v1\/catalog\/node\/(.+)$/.exec(p))) {
    const node = nodeOf(decodeURIComponent(m[1]!))
    return json(node ? { Node: node, Services: Object.fromEntries(services(node.Node).map((s) => [s.ID, s])) } : null)
  }
  if (p === '/v1/health/state/any') return json(state.checks)
  if ((m = /^\/v1\/health\/service\/(.+)$/.exec(p))) return json(state.services.filter((s) => s.Service === decodeURIComponent(m![1]!)).map(healthEntry))
  if ((m = /^\/v1\/health\/node\/(.+)$/.exec(p))) return json(state.checks.filter((c) => c.Node === decodeURIComponent(m![1]!)))
  if ((m = /^\/v1\/session\/node\/(.+)$/.exec(p))) return json(state.sessions.filter((s) => s.Node === decodeURIComponent(m![1]!)))
  if ((m = /^\/v1\/session\/info\/(.+)$/.exec(p))) return json(state.sessions.filter((s) => s.ID === m![1]))
  if ((m = /^\/v1\/session\/destroy\/(.+)$/.exec(p)) && method === 'PUT') {
    state.sessions = state.sessions.filter((s) => s.ID !== m![1])
    for (const e of state.kv.values()) if (e.Session === m[1]) delete e.Session
    state.bump()
    return send(res, 200, 'true')
  }
  if (p === '/v1/agent/members') return send(res, 200, JSON.stringify(view.members().map((x) => ({ Name: x.name, Addr: x.addr, Port: x.port, Tags: x.tags, Status: memberStatus[x.status] }))))
  if (p === '/v1/status/leader') return send(res, 200, JSON.stringify(view.leaderAddress()))
  if (p === '/v1/operator/raft/configuration') return send(res, 200, JSON.stringify({ Servers: view.raftServers(), Index: state.index }))
  if (p.startsWith('/v1/kv/')) return kv(state, decodeURIComponent(p.slice('/v1/kv/'.length)), method, q, req, res)
  send(res, 404, `no route ${p}`)
}

async function kv(state: FakeState, key: string, method: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (method === 'GET') {
    if (q.has('keys')) {
      const sep = q.get('separator') ?? ''
      const keys = new Set<string>()
      for (const k of state.kv.keys()) {
        if (!k.startsWith(key)) continue
        const cut = sep ? k.indexOf(sep, key.length) : -1
        keys.add(cut >= 0 ? k.slice(0, cut + sep.length) : k)
      }
      const list = [...keys].sort()
      return send(res, list.length || key === '' ? 200 : 404, list.length || key === '' ? JSON.stringify(list) : '', state.index)
    }
    const entries = q.has('recurse') ? [...state.kv.values()].filter((e) => e.Key.startsWith(key)) : state.kv.has(key) ? [state.kv.get(key)!] : []
    return send(res, entries.length ? 200 : 404, entries.length ? kvJson(entries) : '', state.index)
  }
  if (method === 'PUT') {
    const body = await readBody(req)
    const flags = BigInt(q.get('flags') ?? '0')
    const cas = q.has('cas') ? Number(q.get('cas')) : undefined
    return send(res, 200, String(state.kvPut(key, body, flags, cas)))
  }
  if (method === 'DELETE') {
    if (q.has('recurse')) {
      for (const k of [...state.kv.keys()]) if (k.startsWith(key)) state.kv.delete(k)
      state.bump()
      return send(res, 200, 'true')
    }
    const cas = q.has('cas') ? Number(q.get('cas')) : undefined
    const e = state.kv.get(key)
    if (cas !== undefined && e?.ModifyIndex !== cas) return send(res, 200, 'false')
    state.kv.delete(key)
    state.bump()
    return send(res, 200, 'true')
  }
  send(res, 405, '')
}
