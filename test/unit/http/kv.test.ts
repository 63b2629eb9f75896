// Goal: /v1/kv, /v1/txn and the common wrapper behave like Consul's HTTP API: bodies, status
// codes, plain-text errors, X-Consul-* headers, exact uint64 flags, blocking wake-up.
// Method: the real HTTP server and endpoints over a Fsm + FakeRaft, driven with fetch on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness.js'

let h: Harness
beforeAll(async () => { h = await startHarness() })
afterAll(async () => { await h.close() })

const put = (path: string, body?: string | Buffer) => fetch(h.url + path, { method: 'PUT', body })
const LOCK_FLAGS = '3304740253564472344'

describe('kv endpoint', () => {
  it('puts, gets (json and raw), 404s with an index', async () => {
    expect(await (await put('/v1/kv/app/one', 'hello')).json()).toBe(true)
    const got = await fetch(`${h.url}/v1/kv/app/one`)
    expect(got.status).toBe(200)
    expect(Number(got.headers.get('x-consul-index'))).toBeGreaterThan(0)
    expect(got.headers.get('x-consul-knownleader')).toBe('true')
    expect(got.headers.get('x-consul-effective-consistency')).toBe('leader')
    const [pair] = await got.json() as { Key: string; Value: string; Flags: number; LockIndex: number }[]
    expect(pair).toMatchObject({ Key: 'app/one', Flags: 0, LockIndex: 0 })
    expect(Buffer.from(pair!.Value, 'base64').toString()).toBe('hello')
    const raw = await fetch(`${h.url}/v1/kv/app/one?raw`)
    expect(await raw.text()).toBe('hello')
    const missing = await fetch(`${h.url}/v1/kv/app/none`)
    expect(missing.status).toBe(404)
    expect(Number(missing.headers.get('x-consul-index'))).toBeGreaterThan(0)
    expect(await missing.text()).toBe('')
  })

  it('keeps uint64 flags exact', async () => {
    await put(`/v1/kv/flags?flags=${LOCK_FLAGS}`, 'x')
    const text = await (await fetch(`${h.url}/v1/kv/flags`)).text()
    expect(text).toContain(`"Flags":${LOCK_FLAGS}`)
    expect((await put('/v1/kv/flags?flags=18446744073709551616', 'x')).status).toBe(400)
  })

  it('recurse, keys with separator, delete recurse as string prefix', async () => {
    for (const key of ['tree/a', 'tree/ab', 'tree/b/c']) await put(`/v1/kv/${key}`, key)
    const all = await (await fetch(`${h.url}/v1/kv/tree/?recurse`)).json() as { Key: string }[]
    expect(all.map((p) => p.Key)).toEqual(['tree/a', 'tree/ab', 'tree/b/c'])
    expect(await (await fetch(`${h.url}/v1/kv/tree/?keys&separator=/`)).json()).toEqual(['tree/a', 'tree/ab', 'tree/b/'])
    expect(await (await fetch(`${h.url}/v1/kv/tree/a?recurse`, { method: 'DELETE' })).json()).toBe(true)
    expect(await (await fetch(`${h.url}/v1/kv/tree/?keys`)).json()).toEqual(['tree/b/c'])
    expect((await fetch(`${h.url}/v1/kv/nothing/?keys`)).status).toBe(404)
  })

  it('cas and delete cas', async () => {
    expect(await (await put('/v1/kv/c?cas=0', '1')).json()).toBe(true)
    expect(await (await put('/v1/kv/c?cas=0', '2')).json()).toBe(false)
    const [pair] = await (await fetch(`${h.url}/v1/kv/c`)).json() as { ModifyIndex: number }[]
    expect(await (await put(`/v1/kv/c?cas=${pair!.ModifyIndex}`, '3')).json()).toBe(true)
    expect(await (await fetch(`${h.url}/v1/kv/c?cas=${pair!.ModifyIndex}`, { method: 'DELETE' })).json()).toBe(false)
  })

  it('rejects bad input with Consul status codes and plain text', async () => {
    const missingKey = await put('/v1/kv/', 'x')
    expect(missingKey.status).toBe(400)
    expect(await missingKey.text()).toBe('Missing key name\n')
    expect((await fetch(`${h.url}/v1/kv/`)).status).toBe(400)
    const big = await put('/v1/kv/big', Buffer.alloc(512 * 1024 + 1))
    expect(big.status).toBe(413)
    expect(await big.text()).toMatch(/^Request body\(524289 bytes\) too large, max size: 524288 bytes/)
    expect((await put('/v1/kv/ok', Buffer.alloc(512 * 1024))).status).toBe(200)
    expect((await put('/v1/kv/x?cas=1&acquire=abc', 'x')).status).toBe(400)
    expect((await fetch(`${h.url}/v1/kv/x?stale&consistent`)).status).toBe(400)
    expect(await (await fetch(`${h.url}/v1/kv/x?wait=forever&index=1`)).text()).toBe('Invalid wait time\n')
    expect((await fetch(`${h.url}/v1/kv/x?index=abc`)).status).toBe(400)
    const otherDc = await fetch(`${h.url}/v1/kv/x?dc=dc9`)
    expect(otherDc.status).toBe(500)
    expect(await otherDc.text()).toBe('No path to datacenter\n')
    const method = await fetch(`${h.url}/v1/kv/x`, { method: 'POST' })
    expect(method.status).toBe(405)
    expect(method.headers.get('allow')).toBe('GET,PUT,DELETE')
    expect((await fetch(`${h.url}/v1/nope`)).status).toBe(404)
    expect((await fetch(`${h.url}/v1/kv/%E0%A4%A`)).status).toBe(400)
  })

  it('wakes a blocking query promptly after a write', async () => {
    const first = await fetch(`${h.url}/v1/kv/watched`)
    const index = first.headers.get('x-consul-index')
    const started = performance.now()
    const blocked = fetch(`${h.url}/v1/kv/watched?index=${index}&wait=10s`)
    await new Promise((r) => setTimeout(r, 50))
    await put('/v1/kv/watched', 'now')
    const wrote = performance.now()
    const res = await blocked
    const woke = performance.now()
    expect(res.status).toBe(200)
    expect(Number(res.headers.get('x-consul-index'))).toBeGreaterThan(Number(index))
    expect(woke - started).toBeGreaterThan(45)
    // The store wakes watchers synchronously (state tests bound it at 5 ms); over HTTP on a
    // loaded shared machine allow a generous margin for the response to arrive.
    expect(woke - wrote).toBeLessThan(250)
  })

  it('times out a blocking query with the unchanged index', async () => {
    const first = await fetch(`${h.url}/v1/kv/app/one`)
    const index = first.headers.get('x-consul-index')
    const started = performance.now()
    const res = await fetch(`${h.url}/v1/kv/app/one?index=${index}&wait=100ms`)
    expect(performance.now() - started).toBeGreaterThanOrEqual(95)
    expect(res.headers.get('x-consul-index')).toBe(index)
  })
})

describe('txn endpoint', () => {
  it('commits atomically and returns results', async () => {
    const body = JSON.stringify([
      { KV: { Verb: 'set', Key: 'txn/a', Value: Buffer.from('A').toString('base64') } },
      { KV: { Verb: 'get', Key: 'app/one' } },
    ]).replace('"Verb":"set"', `"Verb":"set","Flags":${LOCK_FLAGS}`)
    const res = await put('/v1/txn', body)
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).toContain(`"Flags":${LOCK_FLAGS}`)
    const parsed = JSON.parse(text) as { Results: { KV: { Key: string; Value: string | null } }[]; Errors: null }
    expect(parsed.Errors).toBeNull()
    expect(parsed.Results.map((r) => [r.KV.Key, r.KV.Value])).toEqual([['txn/a', null], ['app/one', Buffer.from('hello').toString('base64')]])
  })

  it('rolls back with 409 and Consul error shape', async () => {
    const res = await put('/v1/txn', JSON.stringify([
      { KV: { Verb: 'set', Key: 'txn/b', Value: '' } },
      { KV: { Verb: 'check-not-exists', Key: 'txn/a' } },
    ]))
    expect(res.status).toBe(409)
    expect(await res.json()).toEqual({ Results: null, Errors: [{ OpIndex: 1, What: 'key "txn/a" exists' }] })
    expect((await fetch(`${h.url}/v1/kv/txn/b`)).status).toBe(404)
  })

  it('rejects malformed and oversized transactions', async () => {
    expect((await put('/v1/txn', '{')).status).toBe(400)
    expect((await put('/v1/txn', '[{"KV":{"Verb":"explode","Key":"a"}}]')).status).toBe(400)
    const many = JSON.stringify(Array.from({ length: 65 }, (_, i) => ({ KV: { Verb: 'get', Key: `k${i}` } })))
    const res = await put('/v1/txn', many)
    expect(res.status).toBe(413)
    expect(await res.text()).toBe('Transaction contains too many operations (65 > 64)\n')
  })
})

describe('no leader', () => {
  it('answers 500 No cluster leader after the hold timeout; stale reads still work', async () => {
    h.raft.leader = false
    try {
      const started = performance.now()
      const res = await put('/v1/kv/nl', 'x')
      expect(res.status).toBe(500)
      expect(await res.text()).toBe('No cluster leader\n')
      expect(performance.now() - started).toBeGreaterThanOrEqual(190)
      const stale = await fetch(`${h.url}/v1/kv/app/one?stale`)
      expect(stale.status).toBe(200)
      expect(stale.headers.get('x-consul-knownleader')).toBe('false')
      expect(stale.headers.get('x-consul-effective-consistency')).toBe('stale')
    } finally {
      h.raft.leader = true
    }
  })
})
