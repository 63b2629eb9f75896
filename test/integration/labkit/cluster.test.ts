// Goal: the lab kit runs a real 4-node cluster as local processes and drives it end to end:
// `cluster up` → 4 members alive, 3 raft voters; a key written on node1 reads back on node2
// and node4; `chaos kill-leader` elects a new leader and no key is lost; `cluster down
// --volumes` leaves no process and no files. Method: the built CLI (bin/run.js) with
// --runtime process and --base-port 25000 (this suite's port range), ZX_HOME in a temp dir.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { json, zx } from './zx.js'

// Each step starts the CLI afresh; on the shared 2-core machine that alone can take seconds.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 })

const home = mkdtempSync(join(tmpdir(), 'zx-it-'))
const base = ['--runtime', 'process']

beforeAll(async () => {
  const up = await zx(home, ['cluster', 'up', ...base, '--base-port', '25000', '--servers', '3', '--clients', '1', '--timeout', '60'])
  if (up.exitCode !== 0) throw new Error(`cluster up failed: ${up.stderr}\n${up.stdout}`)
})
afterAll(async () => {
  await zx(home, ['cluster', 'down', ...base, '--volumes'])
  rmSync(home, { recursive: true, force: true })
})

describe('lab cluster on local processes', () => {
  it('has 4 alive members and 3 voters', async () => {
    const members = json<{ members: Array<{ Name: string; Status: number }> }>(await zx(home, ['members', '--json']))
    expect(members.members.filter((m) => m.Status === 1).map((m) => m.Name).sort()).toEqual(['node1', 'node2', 'node3', 'node4'])
    const peers = json<{ servers: Array<{ Voter: boolean; Leader: boolean }> }>(await zx(home, ['raft', 'list-peers', '--json']))
    expect(peers.servers.filter((s) => s.Voter)).toHaveLength(3)
    expect(peers.servers.filter((s) => s.Leader)).toHaveLength(1)
  })

  it('reads a key written on node1 from node2 and node4', async () => {
    expect((await zx(home, ['kv', 'put', 'eleven', '11', '--node', 'node1'])).stdout).toBe('Success! Data written to: eleven\n')
    expect((await zx(home, ['kv', 'get', 'eleven', '--node', 'node2'])).stdout).toBe('11\n')
    expect((await zx(home, ['kv', 'get', 'eleven', '--node', 'node4'])).stdout).toBe('11\n')
  })

  it('re-elects after kill-leader and loses no key', async () => {
    for (let i = 0; i < 5; i++) expect((await zx(home, ['kv', 'put', `k/${i}`, String(i), '--node', 'node4'])).exitCode).toBe(0)
    const result = json<{ oldLeader: string; newLeader: string; electionMs: number }>(await zx(home, ['chaos', 'kill-leader', ...base, '--json']))
    expect(result.newLeader).not.toBe(result.oldLeader)
    const survivor = ['node1', 'node2', 'node3'].find((n) => n !== result.oldLeader)!
    const keys = json<{ pairs: Array<{ key: string; value: string }> }>(await zx(home, ['kv', 'get', 'k/', '--recurse', '--node', survivor, '--json']))
    expect(keys.pairs.map((p) => p.value).sort()).toEqual(['0', '1', '2', '3', '4'])
    expect((await zx(home, ['cluster', 'start', ...base, result.oldLeader])).exitCode).toBe(0)
  })

  it('cluster down --volumes leaves no process and no node folders', async () => {
    const status = json<{ nodes: Array<{ id?: string }> }>(await zx(home, ['cluster', 'status', ...base, '--json']))
    const pids = status.nodes.map((n) => Number(n.id)).filter((p) => p > 0)
    expect((await zx(home, ['cluster', 'down', ...base, '--volumes'])).exitCode).toBe(0)
    for (const pid of pids) expect(alive(pid)).toBe(false)
    expect(existsSync(join(home, 'clusters', 'zx', 'node1'))).toBe(false)
  })
})

// alive reads /proc: a zombie (state Z, dead but not reaped by a container's pid 1) is not alive.
function alive(pid: number): boolean {
  try {
    return /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] !== 'Z'
  } catch {
    return false
  }
}
