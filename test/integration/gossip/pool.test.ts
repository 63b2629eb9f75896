// Goal: real GossipPools over loopback UDP/TCP behave like the simulation promises: five
// encrypted pools join into one view; one closed abruptly is marked failed by all; one that
// leaves gracefully is seen as left by all; a pool holding a different key never joins; user
// events and tags reach everyone; a restarted pool rejoins from its snapshot.
// Method: pools on 127.0.0.1 ports 22100+ with the 'local' profile; poll views with a deadline.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { GossipPool } from '../../../agent/gossip/pool.js'
import { Keyring, generateKey } from '../../../agent/gossip/crypto.js'
import type { MemberStatus } from '../../../agent/gossip/api.js'

const log = { info: () => undefined, warn: () => undefined }
const key = generateKey()
let pools: GossipPool[] = []
const dirs: string[] = []

async function start(i: number, options: { keyring?: Keyring; dataDir?: string } = {}): Promise<GossipPool> {
  const pool = await GossipPool.start({
    name: `node${i}`, bindAddr: '127.0.0.1', bindPort: 22100 + i, tags: { role: 'node', dc: 'dc1' },
    keyring: options.keyring ?? new Keyring([key]), profile: 'local', dataDir: options.dataDir, log,
  })
  pools.push(pool)
  return pool
}

async function until(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<number> {
  const start = Date.now()
  while (Date.now() - start < timeoutMs) {
    if (condition()) return Date.now() - start
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`timed out waiting for: ${what}`)
}

function statusIn(pool: GossipPool, name: string): MemberStatus | undefined {
  return pool.members().find((m) => m.name === name)?.status
}

afterEach(async () => {
  for (const pool of pools) await pool.close()
  pools = []
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

describe('GossipPool on loopback', () => {
  it('five pools join, detect an abrupt close as failed, and a leave as left', async () => {
    const all = await Promise.all([0, 1, 2, 3, 4].map((i) => start(i)))
    for (const pool of all.slice(1)) expect(await pool.join(['127.0.0.1:22100'])).toBe(1)
    const joinMs = await until('all see 5 alive', () => all.every((p) => p.members().filter((m) => m.status === 'alive').length === 5))
    console.log(`5 pools: all see all alive after ${joinMs} ms`)

    await all[4]!.close()
    const failMs = await until('node4 failed everywhere', () => all.slice(0, 4).every((p) => statusIn(p, 'node4') === 'failed'))
    console.log(`abrupt close → failed everywhere in ${failMs} ms`)

    await all[3]!.leave(2_000)
    await all[3]!.close()
    const leftMs = await until('node3 left everywhere', () => all.slice(0, 3).every((p) => statusIn(p, 'node3') === 'left'))
    console.log(`leave → left everywhere in ${leftMs} ms`)
    expect(all[0]!.stats().packetsReceived).toBeGreaterThan(0)
  })

  it('a pool with a wrong key never joins, and its packets are dropped and counted', async () => {
    const a = await start(10)
    const b = await start(11)
    const stranger = await start(12, { keyring: new Keyring([generateKey()]) })
    expect(await b.join(['127.0.0.1:22110'])).toBe(1)
    expect(await stranger.join(['127.0.0.1:22110', '127.0.0.1:22111'])).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    expect(a.members().map((m) => m.name).sort()).toEqual(['node10', 'node11'])
    expect(stranger.members().map((m) => m.name)).toEqual(['node12'])
    expect(a.stats()['dropped.decrypt'] ?? 0).toBeGreaterThan(0)
  })

  it('spreads tags and user events; rejects oversized tags', async () => {
    const all = await Promise.all([20, 21, 22].map((i) => start(i)))
    await all[1]!.join(['127.0.0.1:22120'])
    await all[2]!.join(['127.0.0.1:22121'])
    await until('converged', () => all.every((p) => p.members().filter((m) => m.status === 'alive').length === 3))
    all[2]!.setTags({ role: 'consul', dc: 'dc1', port: '8300' })
    await until('tags spread', () => all[0]!.members().find((m) => m.name === 'node22')?.tags.role === 'consul')
    expect(() => all[0]!.setTags({ big: 'x'.repeat(600) })).toThrow(/limit/)
    const fired = all[0]!.fireUserEvent({ name: 'deploy', payload: new Uint8Array([1]), nodeFilter: '', serviceFilter: '', tagFilter: '' })
    await until('event spread', () => all.every((p) => p.userEvents().some((e) => e.id === fired.id)))
  })

  it('a restarted pool rejoins from its snapshot without being told where', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zx-gossip-'))
    dirs.push(dir)
    const a = await start(30)
    const b = await start(31, { dataDir: dir })
    await b.join(['127.0.0.1:22130'])
    await until('joined', () => a.members().length === 2 && b.members().length === 2)
    await new Promise((resolve) => setTimeout(resolve, 200))
    await b.close()
    pools = pools.filter((p) => p !== b)
    await until('b failed', () => statusIn(a, 'node31') === 'failed')
    const again = await start(31, { dataDir: dir })
    await until('b alive again', () => statusIn(a, 'node31') === 'alive' && statusIn(again, 'node30') === 'alive')
  })
})
