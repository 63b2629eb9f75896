// Goal: ProcessRuntime starts each node as a detached process with its own ports and data dir,
// is idempotent, reports running/paused/stopped from /proc, stops with SIGTERM, kills, pauses
// with SIGSTOP, partitions (host iptables rules between the nodes' own loopback addresses where
// root and iptables allow, else the SIGSTOP stand-in) and heals, serves logs, and `down
// --volumes` leaves no process, no files and no rules. Method: a stand-in agent script
// (ZX_AGENT_BIN) that idles without sockets; every pid we start is killed in afterEach.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PassThrough } from 'node:stream'
import { execFileSync } from 'node:child_process'
import { ProcessRuntime } from '../../../src/runtime/process.js'
import { planNodes } from '../../../src/cluster/layout.js'
import { processBindAddress } from '../../../src/cluster/agent-args.js'
import { hostIptablesUnusable } from '../../../src/runtime/netfilter.js'

vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 })  // slow when the shared machine is loaded

let home: string
let runtime: ProcessRuntime
const cluster = `t${process.pid}`
const env = () => ({ ...process.env, ZX_HOME: home, ZX_AGENT_BIN: fileURLToPath(new URL('./fake-agent.mjs', import.meta.url)) })

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'zx-proc-'))
  runtime = new ProcessRuntime(cluster, env())
})
afterEach(async () => {
  for (const n of await runtime.status()) if (n.id !== undefined) { try { process.kill(Number(n.id), 'SIGKILL') } catch { /* gone */ } }
  rmSync(home, { recursive: true, force: true })
})

describe('ProcessRuntime', () => {
  it('starts nodes with their own ports and data dirs, idempotently', async () => {
    const nodes = planNodes(3, 1, 25100)
    const first = await runtime.up({ name: cluster, nodes }, () => {})
    expect(first.started).toEqual(['node1', 'node2', 'node3', 'node4'])
    const second = await runtime.up({ name: cluster, nodes }, () => {})
    expect(second).toEqual({ started: [], alreadyRunning: ['node1', 'node2', 'node3', 'node4'] })
    let text = ''
    for (let i = 0; i < 50 && !text.includes('-node=node2'); i++) {
      await new Promise((r) => setTimeout(r, 100))
      const out = new PassThrough()
      text = ''
      out.on('data', (c: Buffer) => { text += c.toString() })
      await runtime.logs('node2', { follow: false, out })
    }
    expect(text).toContain('-node=node2')
    expect(text).toContain('-http-port=25114')
    expect(text).toContain(`-join=${processBindAddress(cluster, nodes[0]!)}:25101`)
    expect(text).toContain(`-bind=${processBindAddress(cluster, nodes[1]!)}`)
    expect(text).toContain(`-data-dir=${join(home, 'clusters', cluster, 'node2', 'data')}`)
    const status = await runtime.status()
    if (process.platform === 'linux') expect(status.map((s) => s.gossipAddress)).toEqual(nodes.map((n) => processBindAddress(cluster, n)))
  })

  it('stops, starts, pauses, kills and partitions nodes', async () => {
    await runtime.up({ name: cluster, nodes: planNodes(2, 0, 25200) }, () => {})
    const state = async (n: string) => (await runtime.status()).find((s) => s.plan.name === n)?.state
    await runtime.stop('node1')
    expect(await state('node1')).toBe('stopped')
    await runtime.start('node1')
    expect(await state('node1')).toBe('running')
    await runtime.pause('node2')
    await new Promise((r) => setTimeout(r, 100))
    expect(await state('node2')).toBe('paused')
    await runtime.unpause('node2')
    const withRules = (await hostIptablesUnusable()) === undefined
    const said = await runtime.partition('node2')
    await new Promise((r) => setTimeout(r, 100))
    if (withRules) {
      expect(said).toContain('cut off from node1')
      expect((await runtime.status()).find((s) => s.plan.name === 'node2')).toMatchObject({ state: 'running', partitioned: true })
      expect(ourRules()).toHaveLength(2)
    } else {
      expect(said).toContain('SIGSTOP')
      expect((await runtime.status()).find((s) => s.plan.name === 'node2')).toMatchObject({ state: 'paused', partitioned: true })
    }
    expect(await runtime.heal()).toEqual(['node2'])
    expect((await runtime.status()).find((s) => s.plan.name === 'node2')).toMatchObject({ state: 'running', partitioned: false })
    if (withRules) expect(ourRules()).toEqual([])
    await runtime.kill('node1', 'KILL')
    await new Promise((r) => setTimeout(r, 200))
    expect(await state('node1')).toBe('stopped')
  })

  it('down --volumes leaves no process and no node folders', async () => {
    await runtime.up({ name: cluster, nodes: planNodes(1, 1, 25300) }, () => {})
    const pids = (await runtime.status()).map((s) => Number(s.id))
    expect(await runtime.down({ volumes: true })).toEqual(['node1', 'node2'])
    for (const pid of pids) expect(procState(pid)).toMatch(/^(gone|Z)$/)
    expect(existsSync(join(home, 'clusters', cluster, 'node1'))).toBe(false)
  })
})

// ourRules are this test cluster's host INPUT rules.
function ourRules(): string[] {
  return execFileSync('iptables', ['-w', '5', '-S', 'INPUT'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(`zx-partition:${cluster}:`))
}

// procState is the /proc state letter of pid, or 'gone'; a zombie (Z) is dead but not yet reaped.
function procState(pid: number): string {
  try { return /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? 'gone' } catch { return 'gone' }
}
