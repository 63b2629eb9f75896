// Goal: KV tombstones are reaped by the leader after the 15-minute TTL (Consul TombstoneTTL),
// and a prefix's blocking index never goes backwards when they are.
// Method: a server context over Fsm + FakeRaft with an injected clock; TombstoneReaper passes.
import { describe, expect, it } from 'vitest'
import { buildContext } from '../../../agent/agent-context.js'
import { silentLogger } from '../../../agent/agent-log.js'
import { loadRuntimeConfig } from '../../../agent/config/build.js'
import { propose } from '../../../agent/endpoints/blocking.js'
import { TombstoneReaper } from '../../../agent/leader/tombstones.js'
import { MessageType } from '../../../agent/state/commands.js'
import { Fsm } from '../../../agent/state/fsm.js'
import { FakeRaft } from '../http/fake-raft.js'

describe('tombstone reaping', () => {
  it('reaps after the TTL and keeps indexes monotonic', async () => {
    const config = loadRuntimeConfig(['-server', '-node', 's', '-data-dir', '/x'], { env: {}, hostname: () => 'h', privateIps: () => [], pid: 1, tmpdir: () => '/tmp' })
    const fsm = new Fsm()
    let now = 0
    const ctx = buildContext({ config, nodeId: 's', raft: new FakeRaft(fsm), fsm, log: silentLogger, now: () => now,
      control: { leave: async () => undefined, join: async () => 1, forceLeave: () => true } })
    const store = fsm.store
    await propose(ctx, MessageType.Kv, { op: 'set', key: 'gone/a', value: new Uint8Array() })
    await propose(ctx, MessageType.Kv, { op: 'delete', key: 'gone/a' })
    const before = store.kvList('gone/').index
    expect(store.kv.tombstones.size).toBe(1)
    const reaper = new TombstoneReaper()
    await reaper.pass(ctx)
    now = 14 * 60_000
    await reaper.pass(ctx)
    expect(store.kv.tombstones.size).toBe(1)
    now = 15 * 60_000 + 1
    await reaper.pass(ctx)
    expect(store.kv.tombstones.size).toBe(0)
    expect(store.kvList('gone/').index).toBeGreaterThanOrEqual(before)
  })
})
