// Goal: the state store applies KV, session and txn commands with Consul's semantics,
// deterministically, and survives a snapshot round trip unchanged.
// Method: feed encoded commands to Fsm.apply like Raft would, then compare reads, results,
// and snapshot bytes of two FSMs fed the same log.
import { describe, expect, it } from 'vitest'
import { encodeCommand, MessageType, type KvRequest, type SessionSpec, type TxnOp } from '../../../agent/state/commands.js'
import { Fsm } from '../../../agent/state/fsm.js'

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)
const text = (value: Uint8Array | undefined): string => new TextDecoder().decode(value)
const LOCK_FLAGS = 0x2ddccbc058a50c18n

class Log {
  index = 0
  constructor(readonly fsm = new Fsm()) {}
  kv(request: KvRequest, nowMs = 1_000): unknown {
    return this.fsm.apply(++this.index, encodeCommand(MessageType.Kv, request, nowMs))
  }
  session(spec: Partial<SessionSpec> & { id: string }, nowMs = 1_000): unknown {
    const full: SessionSpec = { name: '', node: 'n1', lockDelayMs: 15_000, behavior: 'release', ttl: '', nodeChecks: [], serviceChecks: [], ...spec }
    return this.fsm.apply(++this.index, encodeCommand(MessageType.Session, { op: 'create', session: full }, nowMs))
  }
  destroy(id: string, nowMs = 1_000): unknown {
    return this.fsm.apply(++this.index, encodeCommand(MessageType.Session, { op: 'destroy', id }, nowMs))
  }
  txn(ops: TxnOp[], nowMs = 1_000): unknown {
    return this.fsm.apply(++this.index, encodeCommand(MessageType.Txn, { ops }, nowMs))
  }
}

describe('state store: kv', () => {
  it('sets, reads and tracks create/modify indexes', () => {
    const log = new Log()
    expect(log.kv({ op: 'set', key: 'a', value: bytes('1') })).toBe(true)
    expect(log.kv({ op: 'set', key: 'a', value: bytes('2'), flags: 2n ** 64n - 1n })).toBe(true)
    const { entry, index } = log.fsm.store.kvGet('a')
    expect(text(entry?.value)).toBe('2')
    expect(entry).toMatchObject({ createIndex: 1, modifyIndex: 2, lockIndex: 0, flags: 2n ** 64n - 1n })
    expect(index).toBe(2)
  })

  it('cas: 0 creates only; stale index refused', () => {
    const log = new Log()
    expect(log.kv({ op: 'cas', key: 'k', index: 0, value: bytes('x') })).toBe(true)
    expect(log.kv({ op: 'cas', key: 'k', index: 0, value: bytes('y') })).toBe(false)
    expect(log.kv({ op: 'cas', key: 'k', index: 7, value: bytes('y') })).toBe(false)
    expect(log.kv({ op: 'cas', key: 'k', index: 1, value: bytes('y') })).toBe(true)
    expect(log.kv({ op: 'delete-cas', key: 'k', index: 0 })).toBe(false)
    expect(log.kv({ op: 'delete-cas', key: 'k', index: 4 })).toBe(true)
    expect(log.fsm.store.kvGet('k').entry).toBeUndefined()
  })

  it('delete-tree is a string prefix and the prefix index never goes back', () => {
    const log = new Log()
    log.kv({ op: 'set', key: 'apps/a', value: bytes('') })
    log.kv({ op: 'set', key: 'apps/ab', value: bytes('') })
    log.kv({ op: 'set', key: 'apps/b/c', value: bytes('') })
    expect(log.fsm.store.kvKeys('apps/', '/').keys).toEqual(['apps/a', 'apps/ab', 'apps/b/'])
    log.kv({ op: 'delete-tree', key: 'apps/a' })
    expect(log.fsm.store.kvList('apps/').entries.map((e) => e.key)).toEqual(['apps/b/c'])
    expect(log.fsm.store.kvList('apps/a').index).toBe(4)
  })

  it('locks: acquire needs a session, LockIndex counts new holders, lock-delay after invalidation', () => {
    const log = new Log()
    expect(log.kv({ op: 'lock', key: 'l', session: 's1' })).toEqual({ error: 'invalid session "s1"' })
    log.session({ id: 's1' })
    log.session({ id: 's2', lockDelayMs: 0 })
    expect(log.kv({ op: 'lock', key: 'l', session: 's1', flags: LOCK_FLAGS })).toBe(true)
    expect(log.kv({ op: 'lock', key: 'l', session: 's1', value: bytes('again') })).toBe(true)
    expect(log.kv({ op: 'lock', key: 'l', session: 's2' })).toBe(false)
    expect(log.fsm.store.kvGet('l').entry).toMatchObject({ session: 's1', lockIndex: 1 })
    expect(log.kv({ op: 'unlock', key: 'l', session: 's2' })).toBe(false)
    log.destroy('s1', 5_000)
    expect(log.fsm.store.kvGet('l').entry?.session).toBeUndefined()
    // Lock-delay: s1 was invalidated at t=5s with the default 15s delay.
    expect(log.kv({ op: 'lock', key: 'l', session: 's2' }, 19_999)).toBe(false)
    expect(log.kv({ op: 'lock', key: 'l', session: 's2' }, 20_001)).toBe(true)
    expect(log.fsm.store.kvGet('l').entry).toMatchObject({ session: 's2', lockIndex: 2 })
    expect(log.kv({ op: 'unlock', key: 'l', session: 's2' }, 20_002)).toBe(true)
    expect(log.fsm.store.kvGet('l').entry).toMatchObject({ session: undefined, lockIndex: 2 })
  })

  it('a delete-behaviour session deletes its keys when destroyed', () => {
    const log = new Log()
    log.session({ id: 'eph', behavior: 'delete' })
    log.kv({ op: 'lock', key: 'sem/eph', session: 'eph' })
    expect(log.destroy('eph')).toBe(true)
    expect(log.destroy('eph')).toBe(true)
    expect(log.fsm.store.kvGet('sem/eph').entry).toBeUndefined()
    expect(log.fsm.store.sessions.list()).toEqual([])
  })
})

describe('state store: txn', () => {
  it('applies all ops or none and reports the failing op', () => {
    const log = new Log()
    log.kv({ op: 'set', key: 'x', value: bytes('old') })
    const failed = log.txn([
      { kv: { verb: 'set', key: 'y', value: bytes('new') } },
      { kv: { verb: 'cas', key: 'x', index: 99, value: bytes('bad') } },
    ]) as { errors: unknown[] }
    expect(failed.errors).toEqual([{ opIndex: 1, what: 'failed to set key "x", index is stale' }])
    expect(log.fsm.store.kvGet('y').entry).toBeUndefined()
    const ok = log.txn([
      { kv: { verb: 'set', key: 'y', value: bytes('new') } },
      { kv: { verb: 'get', key: 'x' } },
      { kv: { verb: 'delete', key: 'x' } },
    ]) as { results: { entry: { key: string }; withValue: boolean }[]; errors: unknown[] }
    expect(ok.errors).toEqual([])
    expect(ok.results.map((r) => [r.entry.key, r.withValue])).toEqual([['y', false], ['x', true]])
    expect(log.fsm.store.kvGet('x').entry).toBeUndefined()
  })
})

describe('fsm', () => {
  it('is deterministic and round-trips through a snapshot', () => {
    const a = new Log()
    const b = new Log()
    for (const log of [a, b]) {
      log.session({ id: 's', behavior: 'release' })
      for (let i = 0; i < 50; i++) log.kv({ op: 'set', key: `k/${i % 7}`, value: bytes(String(i)), flags: (BigInt(i) * LOCK_FLAGS) % 2n ** 64n })
      log.kv({ op: 'lock', key: 'k/1', session: 's' })
      log.kv({ op: 'delete', key: 'k/2' })
      log.destroy('s', 3_000)
    }
    const snapA = a.fsm.snapshot()
    expect(Buffer.from(snapA.data).equals(Buffer.from(b.fsm.snapshot().data))).toBe(true)
    const restored = new Fsm()
    restored.restore(snapA.index, snapA.data)
    expect(restored.appliedIndex()).toBe(snapA.index)
    expect(Buffer.from(restored.snapshot().data).equals(Buffer.from(snapA.data))).toBe(true)
    expect(restored.store.kvGet('k/6').entry?.flags).toBe((48n * LOCK_FLAGS) % 2n ** 64n)
    expect(restored.store.kv.lockDelays.get('k/1')).toBe(18_000)
  })

  it('answers malformed commands with an error instead of throwing', () => {
    const fsm = new Fsm()
    expect(fsm.apply(1, new Uint8Array([0xc1, 0xff]))).toEqual({ error: 'malformed command' })
    expect(fsm.apply(2, encodeCommand(MessageType.Register, {}, 0))).toEqual({ error: 'catalog not available' })
    expect(fsm.badCommands).toBe(1)
    expect(fsm.appliedIndex()).toBe(2)
  })

  it('wakes a blocked reader synchronously on the write', async () => {
    const log = new Log()
    const woke = log.fsm.store.indexes.waitChange(['kvs'], 10_000)
    const started = performance.now()
    log.kv({ op: 'set', key: 'w', value: bytes('1') })
    expect(await woke).toBe(true)
    expect(performance.now() - started).toBeLessThan(5)
    expect(await log.fsm.store.indexes.waitChange(['sessions'], 1)).toBe(false)
  })
})
