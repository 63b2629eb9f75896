// Goal: an acknowledged write survives kill -9 of every server (DESIGN.md invariant). Writers
// hammer a 3-server cluster; mid-stream all three processes are SIGKILLed at once; after a
// restart from the same data dirs every write that was acknowledged before the kill is there.
// Method: test/bench/raft/server.ts bundled with esbuild and run as three real processes on
// 127.0.0.1:21231–21233 with fsync on; acknowledged keys are recorded client-side, then read
// back with consistent reads after the restart.
import { spawn, type ChildProcess } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isZxError } from '../../../agent/errors.js'
import type { RaftStatus } from '../../../agent/raft/api.js'
import { RpcClientPool } from '../../../agent/rpc/client-pool.js'

const ports = [21231, 21232, 21233]
const ids = ['c1', 'c2', 'c3']
const addresses = ports.map((p) => `127.0.0.1:${p}`)
const outDir = path.resolve('node_modules/.cache/zx-raft-crash-test')
let root = ''
const procs: ChildProcess[] = []

beforeAll(async () => {
  await build({
    entryPoints: ['test/bench/raft/server.ts'], bundle: true, platform: 'node', format: 'esm',
    packages: 'external', outdir: outDir, logLevel: 'warning',
  })
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'zx-raft-crash-'))
})

afterAll(async () => {
  for (const child of procs) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  await fs.rm(root, { recursive: true, force: true })
})

function startAll(): Promise<ChildProcess[]> {
  const peers = ids.map((id, i) => `${id}=${addresses[i]}`).join(',')
  return Promise.all(ids.map((id, i) => new Promise<ChildProcess>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(outDir, 'server.js'), '--id', id, '--port', String(ports[i]),
      '--dir', path.join(root, id), '--peers', peers, '--tick-ms', '20'], { stdio: ['ignore', 'pipe', 'inherit'] })
    procs.push(child)
    const timer = setTimeout(() => reject(new Error(`${id} did not start`)), 20_000)
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) { clearTimeout(timer); resolve(child) } })
    child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`${id} exited ${code ?? signal}`)) })
  })))
}

async function leader(pool: RpcClientPool): Promise<string> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    for (const address of addresses) {
      const status = await pool.call(address, 'bench.status', {}, 500).catch(() => undefined) as RaftStatus | undefined
      if (status?.role === 'leader') return address
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('no leader')
}

describe('kill -9 of every server', () => {
  it('keeps every acknowledged write', async () => {
    let servers = await startAll()
    const pool = new RpcClientPool({ limits: { backoffMinMs: 20, backoffMaxMs: 200 } })
    try {
      let target = await leader(pool)
      const acked: string[] = []
      let stop = false
      const writer = async (w: number): Promise<void> => {
        for (let i = 0; !stop; i++) {
          const k = `w${w}-${i}`
          try {
            await pool.call(target, 'bench.put', { k, v: k }, 2_000)
            if (!stop) acked.push(k)
          } catch (error) {
            if (stop) return
            if (isZxError(error, 'ZX_ERR_NOT_LEADER')) target = (error.details?.leaderAddress as string | undefined) ?? target
            await new Promise((r) => setTimeout(r, 20))
          }
        }
      }
      const writers = Array.from({ length: 16 }, (_, w) => writer(w))
      await new Promise((r) => setTimeout(r, 1_500))
      // Record what was acknowledged, then kill everything at once.
      const ackedBeforeKill = acked.slice()
      for (const child of servers) child.kill('SIGKILL')
      stop = true
      await Promise.all(writers)
      expect(ackedBeforeKill.length).toBeGreaterThan(20)
      await Promise.all(servers.map((child) => child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : undefined))

      servers = await startAll()
      target = await leader(pool)
      const count = await pool.call(target, 'bench.keys', {}, 5_000) as number
      expect(count).toBeGreaterThanOrEqual(ackedBeforeKill.length)
      const missing: string[] = []
      for (const k of ackedBeforeKill) {
        const value = await pool.call(target, 'bench.get', { k, mode: 'leader' }, 5_000)
        if (value !== k) missing.push(k)
      }
      expect(missing).toEqual([])
    } finally {
      pool.close()
      for (const child of servers) child.kill('SIGKILL')
    }
  })
})
