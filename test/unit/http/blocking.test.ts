// Goal: a parked blocking query (agent/endpoints/blocking.ts) keeps Consul's semantics after
// the memory work: it stays parked through writes that do not move its own index (a write to
// another key bumps the kvs table and wakes it as a hint), answers the write it waits for with
// the new index, answers an unchanged index when its wait runs out, and many parked queries all
// wake on one write and leave no waiter behind. Method: the real HTTP server over Fsm +
// FakeRaft, driven with fetch; the store's waiter count is read between steps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness.js'

let h: Harness
beforeAll(async () => { h = await startHarness() })
afterAll(async () => { await h.close() })

const put = (path: string, body: string) => fetch(h.url + path, { method: 'PUT', body })
const indexOf = async (path: string) => Number((await fetch(h.url + path)).headers.get('x-consul-index'))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const waiters = () => h.ctx.server!.store.indexes.waiterCount()

describe('blocking queries', () => {
  it('stays parked through a write to another key, then wakes on its own', async () => {
    await put('/v1/kv/blk/a', 'a0')
    const index = await indexOf('/v1/kv/blk/a')
    let settled = false
    const blocked = fetch(`${h.url}/v1/kv/blk/a?index=${index}&wait=10s`).then((res) => { settled = true; return res })
    await sleep(50)
    const before = waiters()
    expect(before).toBeGreaterThanOrEqual(1)
    await put('/v1/kv/blk/other', 'x')
    await sleep(50)
    expect(settled).toBe(false)
    expect(waiters()).toBe(before)
    await put('/v1/kv/blk/a', 'a1')
    const res = await blocked
    expect(Number(res.headers.get('x-consul-index'))).toBeGreaterThan(index)
    const [pair] = await res.json() as { Value: string }[]
    expect(Buffer.from(pair!.Value, 'base64').toString()).toBe('a1')
    expect(waiters()).toBe(before - 1)
  })

  it('answers the unchanged index when the wait runs out, jitter included', async () => {
    await put('/v1/kv/blk/t', 't0')
    const index = await indexOf('/v1/kv/blk/t')
    const started = performance.now()
    const res = await fetch(`${h.url}/v1/kv/blk/t?index=${index}&wait=160ms`)
    const tookMs = performance.now() - started
    expect(Number(res.headers.get('x-consul-index'))).toBe(index)
    // wait + up to wait/16 jitter, timeouts rounded up to a 50 ms grid, plus scheduling slack.
    expect(tookMs).toBeGreaterThanOrEqual(155)
    expect(tookMs).toBeLessThan(160 + 10 + 50 + 400)
  })

  it('wakes 150 parked queries (under the 200 connections per client cap) with one write and leaves no waiter', async () => {
    await put('/v1/kv/blk/many', 'm0')
    const index = await indexOf('/v1/kv/blk/many')
    const base = waiters()
    const parked = Array.from({ length: 150 }, () => fetch(`${h.url}/v1/kv/blk/many?index=${index}&wait=20s`))
    for (let i = 0; i < 100 && waiters() < base + 150; i++) await sleep(20)
    expect(waiters()).toBe(base + 150)
    await put('/v1/kv/blk/many', 'm1')
    const answers = await Promise.all(parked.map(async (p) => { const r = await p; return r.status === 200 ? Number(r.headers.get("x-consul-index")) : -r.status }))
    expect(answers.every((i) => i > index)).toBe(true)
    expect(waiters()).toBe(base)
  })
})
