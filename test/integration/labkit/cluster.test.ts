// Goal: the lab kit runs a real 4-node cluster as local processes and drives it end to end:
// `cluster up` → 4 members alive, 3 raft voters; a key written on node1 reads back on node2
// and node4; `chaos kill-leader` elects a new leader and no key is lost; where root and
// iptables allow, `chaos partition --from` cuts exactly one link (TCP from the nodes' own
// loopback addresses) and a full partition of the leader moves leadership to the majority while
// the cut-off node refuses writes, and heal restores both; `cluster down --volumes` leaves no
// process, no files and no rules. Method: the built CLI (bin/run.js) with
// --runtime process and --base-port 25000 (this suite's port range), ZX_HOME in a temp dir.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from 'node:net'
import { json, zx } from './zx.js'
import { hostIptablesUnusable } from '../../../src/runtime/netfilter.js'

// Each step starts the CLI afresh; on the shared 2-core machine that alone can take seconds.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 })

const home = mkdtempSync(join(tmpdir(), 'zx-it-'))
const withRules = (await hostIptablesUnusable()) === undefined
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

  it.runIf(withRules)('partitions with real rules: one link with --from, the leader off the majority, then heals', async () => {
    type Node = { name: string; address?: string; ports: { server: number }; partitioned: boolean }
    const nodes = async (): Promise<Node[]> => json<{ nodes: Node[] }>(await zx(home, ['cluster', 'status', ...base, '--json'])).nodes
    const byName = new Map((await nodes()).map((n) => [n.name, n]))
    const reach = (from: string, to: string) => canConnect(byName.get(from)!.address!, byName.get(to)!.address!, byName.get(to)!.ports.server)
    expect(byName.get('node1')!.address).toMatch(/^127\.\d+\.\d+\.1$/)

    const cut = await zx(home, ['chaos', 'partition', ...base, 'node3', '--from', 'node1'])
    expect(cut.exitCode, cut.stderr).toBe(0)
    expect(cut.stdout).toContain('both directions')
    expect((await nodes()).filter((n) => n.partitioned).map((n) => n.name)).toEqual(['node3'])
    expect([await reach('node1', 'node3'), await reach('node3', 'node1'), await reach('node2', 'node3'), await reach('node3', 'node2'), await reach('node4', 'node1')])
      .toEqual([false, false, true, true, true])
    expect((await zx(home, ['chaos', 'heal', ...base])).stdout).toContain('Healed node3')
    expect(await reach('node1', 'node3')).toBe(true)

    const leader = json<{ leader: string }>(await zx(home, ['cluster', 'status', ...base, '--json'])).leader
    expect((await zx(home, ['chaos', 'partition', ...base, leader])).exitCode).toBe(0)
    const others = ['node1', 'node2', 'node3'].filter((n) => n !== leader)
    let moved = false
    for (let i = 0; i < 60 && !moved; i++) {
      await new Promise((r) => setTimeout(r, 250))
      const peers = await zx(home, ['raft', 'list-peers', '--node', others[0]!, '--json'])
      moved = peers.exitCode === 0 && json<{ servers: Array<{ Node: string; Leader: boolean }> }>(peers).servers.some((s) => s.Leader && s.Node !== leader)
    }
    expect(moved).toBe(true)
    expect((await zx(home, ['kv', 'put', 'during-partition', 'majority', '--node', others[0]!])).exitCode).toBe(0)
    const refused = await zx(home, ['kv', 'put', 'minority', 'x', '--node', leader], 60_000)
    expect(refused.exitCode).toBe(1)
    expect((await zx(home, ['chaos', 'heal', ...base])).stdout).toContain(`Healed ${leader}`)
    let caughtUp = ''
    for (let i = 0; i < 60 && caughtUp !== 'majority\n'; i++) {
      await new Promise((r) => setTimeout(r, 250))
      caughtUp = (await zx(home, ['kv', 'get', 'during-partition', '--node', leader])).stdout
    }
    expect(caughtUp).toBe('majority\n')
  })

  it('cluster down --volumes leaves no process and no node folders', async () => {
    const status = json<{ nodes: Array<{ id?: string }> }>(await zx(home, ['cluster', 'status', ...base, '--json']))
    const pids = status.nodes.map((n) => Number(n.id)).filter((p) => p > 0)
    expect((await zx(home, ['cluster', 'down', ...base, '--volumes'])).exitCode).toBe(0)
    for (const pid of pids) expect(alive(pid)).toBe(false)
    expect(existsSync(join(home, 'clusters', 'zx', 'node1'))).toBe(false)
  })
})

// canConnect opens a TCP connection from one local address to another (bounded by 1.5 s).
function canConnect(from: string, to: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: to, port, localAddress: from, timeout: 1_500 })
    const done = (ok: boolean) => { socket.destroy(); resolve(ok) }
    socket.once('connect', () => done(true))
    socket.once('timeout', () => done(false))
    socket.once('error', () => done(false))
  })
}

// alive reads /proc: a zombie (state Z, dead but not reaped by a container's pid 1) is not alive.
function alive(pid: number): boolean {
  try {
    return /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] !== 'Z'
  } catch {
    return false
  }
}
