// Goal: the lock and semaphore recipes follow Consul's (consul-facts.md §4): the lock key is
// acquired with the exact uint64 lock flag by a 15 s TTL session; a second contender cannot
// take a held lock; a key with foreign flags is a conflict; losing the session aborts `lost`;
// release frees the key and destroys the session; a semaphore admits at most `limit` holders
// and frees a slot on release. Method: Lock/Semaphore against FakeConsul, an in-memory model
// of the KV and session endpoints behind an undici MockAgent (no sockets).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MockAgent, setGlobalDispatcher, getGlobalDispatcher } from 'undici'
import { ApiClient } from '../../../src/api/client.js'
import { Lock } from '../../../src/lock/lock.js'
import { Semaphore } from '../../../src/lock/semaphore.js'
import { withLock } from '../../../src/lock/with-lock.js'
import { lockStatus } from '../../../src/lock/status.js'
import { isLabError } from '../../../src/errors.js'
import { FakeConsul } from './fake-consul.js'

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 })  // slow when the shared machine is loaded

let mock: MockAgent
let consul: FakeConsul
let client: ApiClient
const previous = getGlobalDispatcher()
beforeEach(() => {
  mock = new MockAgent()
  mock.disableNetConnect()
  setGlobalDispatcher(mock)
  consul = new FakeConsul(mock)
  client = new ApiClient({ address: '127.0.0.1:8500' })
})
afterEach(async () => {
  setGlobalDispatcher(previous)
  await mock.close()
})

describe('Lock', () => {
  it('acquires <key> with the exact lock flag from a 15 s TTL session, then releases and destroys it', async () => {
    const lock = new Lock(client, { key: 'job/.lock' })
    const lost = await lock.acquire()
    expect(lost?.aborted).toBe(false)
    expect(lock.isHeld).toBe(true)
    const entry = consul.kv.get('job/.lock')!
    expect(entry.flags).toBe(0x2ddccbc058a50c18n)
    expect(entry.session).toBe(lock.sessionId)
    expect(consul.log[0]).toMatch(/^session create sess-1 ttl=15s behavior=release name=Consul API Lock$/)
    await lock.release()
    expect(consul.kv.get('job/.lock')?.session).toBeUndefined()
    expect(consul.sessions.size).toBe(0)
  })

  it('a second contender trying once does not get a held lock, and gives its session back', async () => {
    const first = new Lock(client, { key: 'job/.lock' })
    await first.acquire()
    const second = new Lock(client, { key: 'job/.lock', tryOnce: true, lockWaitMs: 0 })
    expect(await second.acquire()).toBeUndefined()
    expect(consul.sessions.size).toBe(1)
    await first.release()
    expect(await second.acquire()).toBeDefined()
    await second.release()
  })

  it('refuses a key that exists with other flags', async () => {
    await client.kv.put('job/.lock', 'x', { flags: 7n })
    const error = await new Lock(client, { key: 'job/.lock' }).acquire().catch((e: unknown) => e)
    expect(isLabError(error, 'ZX_ERR_LOCK_CONFLICT')).toBe(true)
    expect(consul.sessions.size).toBe(0)
  })

  it('aborts lost when the session is invalidated', async () => {
    const lock = new Lock(client, { key: 'job/.lock', lockWaitMs: 1_000 })
    const lost = (await lock.acquire())!
    consul.invalidate(lock.sessionId!)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('lost never fired')), 3_000)
      lost.addEventListener('abort', () => { clearTimeout(timer); resolve() })
    })
    expect(lock.isHeld).toBe(false)
  })

  it('gives its session up once the lock is lost, so renewals cannot keep an orphan alive', async () => {
    // The key vanishes under a live session (an operator deleted it): the hold is lost, and the
    // session must be destroyed rather than renewed forever.
    const lock = new Lock(client, { key: 'job/.lock', lockWaitMs: 1_000 })
    const lost = (await lock.acquire())!
    expect(consul.sessions.size).toBe(1)
    consul.kv.delete('job/.lock')
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('lost never fired')), 3_000)
      lost.addEventListener('abort', () => { clearTimeout(timer); resolve() })
    })
    for (let i = 0; i < 50 && consul.sessions.size > 0; i++) await new Promise((r) => setTimeout(r, 20))
    expect(consul.sessions.size).toBe(0)
  })

  it('withLock runs the action under the lock and releases afterwards', async () => {
    const seen = await withLock(client, 'job/.lock', async () => consul.kv.get('job/.lock')?.session)
    expect(seen).toMatch(/^sess-/)
    expect(consul.kv.get('job/.lock')?.session).toBeUndefined()
  })

  it('lock status names the holder', async () => {
    const lock = new Lock(client, { key: 'job/.lock', sessionName: 'worker A' })
    await lock.acquire()
    const status = await lockStatus(client, 'job')
    expect(status).toMatchObject({ kind: 'lock', holders: [{ session: lock.sessionId, name: 'worker A' }] })
    await lock.release()
  })
})

describe('Semaphore', () => {
  it('admits at most limit holders, frees a slot on release, and uses delete-behaviour sessions', async () => {
    const a = new Semaphore(client, { prefix: 'workers', limit: 2 })
    const b = new Semaphore(client, { prefix: 'workers', limit: 2 })
    const c = new Semaphore(client, { prefix: 'workers', limit: 2, tryOnce: true, waitMs: 0 })
    await a.acquire()
    await b.acquire()
    expect(await c.acquire()).toBeUndefined()
    expect(consul.log.filter((l) => l.includes('behavior=delete'))).toHaveLength(3)
    const lock = JSON.parse(consul.kv.get('workers/.lock')!.value.toString()) as { Limit: number; Holders: Record<string, boolean> }
    expect(lock.Limit).toBe(2)
    expect(Object.keys(lock.Holders).sort()).toEqual([a.sessionId, b.sessionId].sort())
    expect(consul.kv.get('workers/.lock')!.flags).toBe(0xe0f69a2baa414de0n)
    await a.release()
    const d = new Semaphore(client, { prefix: 'workers', limit: 2, tryOnce: true, waitMs: 0 })
    expect(await d.acquire()).toBeDefined()
    await b.release()
    await d.release()
  })

  it('prunes a holder whose session died, and rejects a different limit', async () => {
    const a = new Semaphore(client, { prefix: 'w', limit: 1 })
    await a.acquire()
    consul.invalidate(a.sessionId!)
    const b = new Semaphore(client, { prefix: 'w', limit: 1, tryOnce: true, waitMs: 0 })
    expect(await b.acquire()).toBeDefined()
    const error = await new Semaphore(client, { prefix: 'w', limit: 3 }).acquire().catch((e: unknown) => e)
    expect((error as Error).message).toContain('semaphore limit conflict (lock: 1, local: 3)')
    await b.release()
  })
})
