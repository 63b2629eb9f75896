// A tiny in-memory model of Consul's KV + session endpoints behind an undici MockAgent, enough
// to exercise the lock and semaphore recipes without sockets: acquire/release/cas/flags,
// LockIndex, session destroy releasing (or deleting, Behavior=delete) held keys. Reads are
// delayed a little so monitors that block on an index do not spin.
import type { MockAgent } from 'undici'

interface Entry { value: Buffer; flags: bigint; session?: string; lockIndex: number; create: number; modify: number }
interface Session { id: string; name: string; behavior: string; ttl: string }

export class FakeConsul {
  readonly kv = new Map<string, Entry>()
  readonly sessions = new Map<string, Session>()
  readonly log: string[] = []
  index = 1
  private next = 0

  constructor(mock: MockAgent, origin = 'http://127.0.0.1:8500') {
    const pool = mock.get(origin)
    pool.intercept({ path: (p) => p.startsWith('/v1/kv/'), method: 'GET' }).reply((req) => this.kvGet(String(req.path))).delay(15).persist()
    pool.intercept({ path: (p) => p.startsWith('/v1/kv/'), method: 'PUT' }).reply((req) => this.kvPut(String(req.path), req.body)).persist()
    pool.intercept({ path: (p) => p.startsWith('/v1/kv/'), method: 'DELETE' }).reply((req) => this.kvDelete(String(req.path))).persist()
    pool.intercept({ path: (p) => p.startsWith('/v1/session/'), method: 'PUT' }).reply((req) => this.sessionPut(String(req.path), req.body)).persist()
    pool.intercept({ path: (p) => p.startsWith('/v1/session/info/'), method: 'GET' }).reply((req) => this.sessionInfo(String(req.path))).persist()
  }

  /** invalidate destroys a session the way a failed health check would. */
  invalidate(id: string): void {
    const session = this.sessions.get(id)
    if (session === undefined) return
    this.sessions.delete(id)
    this.index++
    for (const [key, entry] of this.kv) {
      if (entry.session !== id) continue
      if (session.behavior === 'delete') this.kv.delete(key)
      else { delete entry.session; entry.modify = this.index }
    }
  }

  private kvGet(path: string) {
    const { key, query } = split(path, '/v1/kv/')
    const keys = query.has('recurse') ? [...this.kv.keys()].filter((k) => k.startsWith(key)).sort() : this.kv.has(key) ? [key] : []
    const headers = { 'x-consul-index': String(this.index) }
    if (keys.length === 0) return { statusCode: 404, data: '', responseOptions: { headers } }
    const body = '[' + keys.map((k) => {
      const e = this.kv.get(k)!
      return `{"Key":${JSON.stringify(k)},"Flags":${e.flags},"Value":${e.value.length === 0 ? 'null' : JSON.stringify(e.value.toString('base64'))},"LockIndex":${e.lockIndex},${e.session ? `"Session":"${e.session}",` : ''}"CreateIndex":${e.create},"ModifyIndex":${e.modify}}`
    }).join(',') + ']'
    return { statusCode: 200, data: body, responseOptions: { headers } }
  }

  private kvPut(path: string, body: unknown) {
    const { key, query } = split(path, '/v1/kv/')
    const value = Buffer.from((body ?? '') as string)
    const flags = BigInt(query.get('flags') ?? '0')
    const existing = this.kv.get(key)
    this.log.push(`PUT ${key}${query.size > 0 ? '?' + query.toString() : ''}`)
    if (query.has('cas')) {
      const cas = Number(query.get('cas'))
      if ((cas === 0 && existing !== undefined) || (cas !== 0 && existing?.modify !== cas)) return { statusCode: 200, data: 'false' }
    }
    const acquire = query.get('acquire')
    const release = query.get('release')
    if (acquire !== null) {
      if (!this.sessions.has(acquire)) return { statusCode: 500, data: 'invalid session' }
      if (existing?.session !== undefined && existing.session !== acquire) return { statusCode: 200, data: 'false' }
    }
    if (release !== null && existing?.session !== release) return { statusCode: 200, data: 'false' }
    this.index++
    const entry: Entry = existing ?? { value, flags, lockIndex: 0, create: this.index, modify: this.index }
    entry.value = value
    entry.flags = flags
    entry.modify = this.index
    if (acquire !== null && entry.session !== acquire) { entry.session = acquire; entry.lockIndex++ }
    if (release !== null) delete entry.session
    this.kv.set(key, entry)
    return { statusCode: 200, data: 'true' }
  }

  private kvDelete(path: string) {
    const { key, query } = split(path, '/v1/kv/')
    this.log.push(`DELETE ${key}`)
    const existing = this.kv.get(key)
    if (query.has('cas') && existing?.modify !== Number(query.get('cas'))) return { statusCode: 200, data: 'false' }
    this.index++
    this.kv.delete(key)
    return { statusCode: 200, data: 'true' }
  }

  private sessionPut(path: string, body: unknown) {
    const { key: rest } = split(path, '/v1/session/')
    const [verb, id] = rest.split('/') as [string, string | undefined]
    if (verb === 'create') {
      const b = JSON.parse(String(body ?? '{}')) as { Name?: string; Behavior?: string; TTL?: string }
      const newId = `sess-${++this.next}`
      this.sessions.set(newId, { id: newId, name: b.Name ?? '', behavior: b.Behavior ?? 'release', ttl: b.TTL ?? '' })
      this.log.push(`session create ${newId} ttl=${b.TTL} behavior=${b.Behavior ?? 'release'} name=${b.Name}`)
      return { statusCode: 200, data: `{"ID":"${newId}"}` }
    }
    if (verb === 'destroy') { this.log.push(`session destroy ${id}`); this.invalidate(id!); return { statusCode: 200, data: 'true' } }
    if (verb === 'renew') {
      const s = this.sessions.get(id!)
      return s === undefined ? { statusCode: 404, data: `Session id '${id}' not found` } : { statusCode: 200, data: JSON.stringify([{ ID: s.id, TTL: s.ttl }]) }
    }
    return { statusCode: 404, data: '' }
  }

  private sessionInfo(path: string) {
    const { key: id } = split(path, '/v1/session/info/')
    const s = this.sessions.get(id)
    return { statusCode: 200, data: JSON.stringify(s === undefined ? [] : [{ ID: s.id, Name: s.name, Node: 'node1' }]) }
  }
}

function split(path: string, prefix: string): { key: string; query: URLSearchParams } {
  const [p, q] = path.split('?') as [string, string | undefined]
  return { key: decodeURIComponent(p.slice(prefix.length)), query: new URLSearchParams(q ?? '') }
}
