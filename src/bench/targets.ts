/**
 * src/bench/targets.ts: the two kinds of store `zx bench` can drive with the same workload —
 * a Consul-compatible HTTP API (zx or Consul itself) and etcd's v3 JSON gateway — so "zx vs
 * etcd" is measured by one tool in one run. Each target exposes the same few operations; a
 * workload is a loop over them. Every request has a timeout; nothing here retries.
 */
import { Pool } from 'undici'

/** ReadMode is the consistency a read asks for. */
export type BenchReadMode = 'default' | 'consistent' | 'stale'

/** BenchTarget is one store under test. Ops throw on failure and return on success. */
export interface BenchTarget {
  readonly kind: 'consul' | 'etcd'
  readonly endpoints: string[]
  put(key: string, value: string): Promise<void>
  /** get returns false on a miss. */
  get(key: string, mode: BenchReadMode): Promise<boolean>
  /** cas reads the key's version then writes only if unchanged; returns whether it won. */
  cas(key: string, value: string): Promise<boolean>
  /** lockCycle takes the named lock (waiting while another holds it) and releases it. */
  lockCycle(worker: number, name: string): Promise<number>
  /** watchOnce blocks until the key changes after `since`; returns the new version and value. */
  watchOnce(key: string, since: number, timeoutMs: number): Promise<{ version: number; value: string | undefined }>
  /** version is the key's current modify index / revision (0 when absent). */
  version(key: string): Promise<number>
  close(): Promise<void>
}

/** HttpFailure is a non-success answer, kept short for the error table. */
export class HttpFailure extends Error {
  constructor(readonly status: number, text: string) {
    super(`HTTP ${status}: ${text.trim().slice(0, 100)}`)
  }
}

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; text: string }

/** HttpPools keeps one keep-alive undici Pool per endpoint and picks them round-robin. */
class HttpPools {
  private readonly pools: Pool[]
  private next = 0

  constructor(readonly endpoints: string[], connections: number, private readonly timeoutMs: number) {
    this.pools = endpoints.map((ep) => new Pool(ep, { connections, pipelining: 1, connectTimeout: 5_000 }))
  }

  async request(method: string, path: string, body?: string, timeoutMs = this.timeoutMs): Promise<Answer> {
    const pool = this.pools[this.next++ % this.pools.length]!
    const res = await pool.request({ method: method as 'GET', path, body, signal: AbortSignal.timeout(timeoutMs) })
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() }
  }

  async ok(method: string, path: string, body?: string, timeoutMs?: number): Promise<Answer> {
    const answer = await this.request(method, path, body, timeoutMs)
    if (answer.status !== 200) throw new HttpFailure(answer.status, answer.text)
    return answer
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((p) => p.close()))
  }
}

const kvPath = (key: string): string => '/v1/kv/' + key.split('/').map(encodeURIComponent).join('/')

/** consulTarget drives a Consul-compatible HTTP API. */
export function consulTarget(endpoints: string[], options: { connections: number; timeoutMs: number; sessionTtlS: number }): BenchTarget {
  const http = new HttpPools(endpoints, options.connections, options.timeoutMs)
  const sessions = new Map<number, string>()
  const session = async (worker: number): Promise<string> => {
    const known = sessions.get(worker)
    if (known) return known
    const created = await http.ok('PUT', '/v1/session/create', JSON.stringify({ Name: `zx-bench-${worker}`, TTL: `${options.sessionTtlS}s`, Behavior: 'release', LockDelay: '0s' }))
    const id = (JSON.parse(created.text) as { ID: string }).ID
    sessions.set(worker, id)
    return id
  }
  const indexOf = (answer: Answer): number => Number(answer.headers['x-consul-index'] ?? 0)
  return {
    kind: 'consul',
    endpoints,
    async put(key, value) {
      const answer = await http.ok('PUT', kvPath(key), value)
      if (answer.text.trim() !== 'true') throw new Error(`PUT answered ${answer.text.trim().slice(0, 40)}`)
    },
    async get(key, mode) {
      const query = mode === 'default' ? '' : `?${mode}`
      const answer = await http.request('GET', kvPath(key) + query)
      if (answer.status === 404) return false
      if (answer.status !== 200) throw new HttpFailure(answer.status, answer.text)
      return true
    },
    async cas(key, value) {
      const read = await http.request('GET', kvPath(key))
      const index = read.status === 404 ? 0 : (JSON.parse(read.text) as Array<{ ModifyIndex: number }>)[0]!.ModifyIndex
      const answer = await http.ok('PUT', `${kvPath(key)}?cas=${index}`, value)
      return answer.text.trim() === 'true'
    },
    async lockCycle(worker, name) {
      const id = await session(worker)
      let retries = 0
      for (;;) {
        const acquired = await http.ok('PUT', `${kvPath(name)}?acquire=${id}`, String(worker))
        if (acquired.text.trim() === 'true') break
        retries += 1
        let index = 0
        for (let waits = 0; waits < 1_000; waits++) {
          const read = await http.request('GET', kvPath(name) + (index ? `?index=${index}&wait=5s` : ''), undefined, 7_000)
          if (read.status === 404) break
          if (read.status !== 200) throw new HttpFailure(read.status, read.text)
          if (!(JSON.parse(read.text) as Array<{ Session?: string }>)[0]?.Session) break
          const next = indexOf(read)
          index = next < index ? 0 : next
        }
      }
      const released = await http.ok('PUT', `${kvPath(name)}?release=${id}`)
      if (released.text.trim() !== 'true') throw new Error('release answered false')
      return retries
    },
    async watchOnce(key, since, timeoutMs) {
      const waitS = Math.max(1, Math.ceil(timeoutMs / 1000))
      const answer = await http.request('GET', `${kvPath(key)}?index=${since}&wait=${waitS}s`, undefined, timeoutMs + 2_000)
      if (answer.status !== 200 && answer.status !== 404) throw new HttpFailure(answer.status, answer.text)
      const encoded = answer.status === 200 ? (JSON.parse(answer.text) as Array<{ Value: string | null }>)[0]?.Value : undefined
      return { version: indexOf(answer), value: encoded == null ? undefined : Buffer.from(encoded, 'base64').toString() }
    },
    async version(key) {
      const answer = await http.request('GET', kvPath(key))
      return indexOf(answer)
    },
    async close() {
      await Promise.allSettled([...sessions.values()].map((id) => http.ok('PUT', `/v1/session/destroy/${id}`)))
      await http.close()
    },
  }
}

const b64 = (text: string): string => Buffer.from(text).toString('base64')

/** etcdTarget drives etcd's v3 JSON gateway (etcd 3.4: /v3/kv/put, /v3/kv/range, /v3/lock/lock …). */
export function etcdTarget(endpoints: string[], options: { connections: number; timeoutMs: number; sessionTtlS: number }): BenchTarget {
  const http = new HttpPools(endpoints, options.connections, options.timeoutMs)
  const post = async (path: string, body: unknown, timeoutMs?: number): Promise<Record<string, unknown>> =>
    JSON.parse((await http.ok('POST', path, JSON.stringify(body), timeoutMs)).text) as Record<string, unknown>
  const leases = new Map<number, string>()
  const lease = async (worker: number): Promise<string> => {
    const known = leases.get(worker)
    if (known) return known
    const granted = await post('/v3/lease/grant', { TTL: options.sessionTtlS })
    const id = String(granted.ID)
    leases.set(worker, id)
    return id
  }
  const modRevision = async (key: string): Promise<number> => {
    const range = await post('/v3/kv/range', { key: b64(key) })
    const kvs = range.kvs as Array<{ mod_revision: string }> | undefined
    return kvs?.[0] ? Number(kvs[0].mod_revision) : 0
  }
  return {
    kind: 'etcd',
    endpoints,
    async put(key, value) {
      await post('/v3/kv/put', { key: b64(key), value: b64(value) })
    },
    async get(key, mode) {
      const range = await post('/v3/kv/range', { key: b64(key), ...(mode === 'consistent' ? {} : { serializable: true }) })
      return Array.isArray(range.kvs) && range.kvs.length > 0
    },
    async cas(key, value) {
      const revision = await modRevision(key)
      const compare = revision === 0
        ? [{ key: b64(key), target: 'CREATE', result: 'EQUAL', create_revision: '0' }]
        : [{ key: b64(key), target: 'MOD', result: 'EQUAL', mod_revision: String(revision) }]
      const txn = await post('/v3/kv/txn', { compare, success: [{ request_put: { key: b64(key), value: b64(value) } }] })
      return txn.succeeded === true
    },
    async lockCycle(worker, name) {
      const id = await lease(worker)
      const locked = await post('/v3/lock/lock', { name: b64(name), lease: id }, 30_000)
      await post('/v3/lock/unlock', { key: locked.key })
      return 0
    },
    async watchOnce(key, since, timeoutMs) {
      // The JSON gateway's watch is a stream; a poll of the revision is the closest bounded form.
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline) {
        const range = await post('/v3/kv/range', { key: b64(key) })
        const kv = (range.kvs as Array<{ mod_revision: string; value?: string }> | undefined)?.[0]
        const revision = kv ? Number(kv.mod_revision) : 0
        if (revision > since) return { version: revision, value: kv?.value === undefined ? undefined : Buffer.from(kv.value, 'base64').toString() }
        await new Promise((resolve) => setTimeout(resolve, 1))
      }
      return { version: since, value: undefined }
    },
    version: modRevision,
    async close() {
      await Promise.allSettled([...leases.values()].map((id) => post('/v3/lease/revoke', { ID: id })))
      await http.close()
    },
  }
}
