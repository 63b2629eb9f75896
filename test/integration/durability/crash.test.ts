// Goal (issue 8, crash durability; DESIGN invariant "an acknowledged write survives kill -9
// of every server"): while clients write with acknowledgements, every server is killed with
// SIGKILL at random moments, all at once, several times; each restart must succeed (a torn
// WAL tail is repaired, never refused) and every acknowledged write must be readable with its
// value afterwards. Method: three real agent processes on 127.0.0.1 ports 28000–28029 with
// fsync on; writers record which keys were acknowledged; after the last restart every
// acknowledged key is read with ?consistent.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { TestCluster, leaderOf, until } from '../../helpers/agents.js'

const root = mkdtempSync(join(tmpdir(), 'zx-crash-'))
const cluster = new TestCluster(root, 28000, [
  { name: 'node1', index: 1, server: true },
  { name: 'node2', index: 2, server: true },
  { name: 'node3', index: 3, server: true },
])
const servers = ['node1', 'node2', 'node3']

afterAll(async () => {
  await cluster.killAll()
  rmSync(root, { recursive: true, force: true })
})

async function put(http: string, key: string, value: string): Promise<boolean> {
  try {
    const res = await fetch(`${http}/v1/kv/${key}`, { method: 'PUT', body: value, signal: AbortSignal.timeout(2_000) })
    return res.status === 200 && (await res.text()).trim() === 'true'
  } catch {
    return false
  }
}

describe('crash durability', () => {
  it('keeps every acknowledged write across repeated kill -9 of all servers', async () => {
    cluster.startAll()
    await until('a leader', () => leaderOf(cluster.http('node1')), 30_000)
    const acked = new Map<string, string>()
    let seq = 0
    for (let round = 0; round < 3; round++) {
      let writing = true
      const writers = servers.map(async (node, w) => {
        while (writing) {
          const key = `crash/w${w}-${seq++}`
          const value = `v${round}-${key}`
          if (await put(cluster.http(node), key, value)) acked.set(key, value)
        }
      })
      await new Promise((r) => setTimeout(r, 700 + Math.random() * 800))
      await cluster.killAll() // every server at once, mid-write
      writing = false
      await Promise.all(writers)
      cluster.startAll()
      await until(`a leader after crash ${round + 1}`, () => leaderOf(cluster.http('node2')), 30_000)
    }
    expect(acked.size).toBeGreaterThan(20)
    for (const node of servers) expect(cluster.running(node)).toBe(true)
    const http = cluster.http('node3')
    const missing: string[] = []
    for (const [key, value] of acked) {
      const text = await until(`read ${key}`, async () => {
        const res = await fetch(`${http}/v1/kv/${key}?consistent&raw`, { signal: AbortSignal.timeout(3_000) })
        if (res.status === 404) return '<missing>'
        return res.status === 200 ? await res.text() : undefined
      })
      if (text !== value) missing.push(`${key}: ${text}`)
    }
    expect(missing).toEqual([])
  }, 180_000)
})
