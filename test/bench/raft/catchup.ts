/**
 * test/bench/raft/catchup.ts: snapshot catch-up benchmark (a script, not a test). Goal: time how
 * long a follower that missed 100,000 entries needs to catch up. Method: start three server.ts
 * processes on 127.0.0.1:21311–21313 (fsync on, real WALs, default snapshot thresholds), SIGTERM
 * one follower, commit N entries (64 writers, 100,000 by default, distinct keys, 64-byte values)
 * through the leader, restart the follower and poll its status every 20 ms until its applied
 * index reaches the leader's commit index. Reports the leader's snapshot size on disk and the
 * seconds from restart to caught up. Build and run with `test/bench/raft/run.sh catchup`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { isZxError } from '../../../agent/errors.js'
import type { RaftStatus } from '../../../agent/raft/api.js'
import { RpcClientPool } from '../../../agent/rpc/client-pool.js'

const ports = [21311, 21312, 21313]
const ids = ['n1', 'n2', 'n3']
const addresses = ports.map((p) => `127.0.0.1:${p}`)
const entries = Number(process.env.ZX_CATCHUP_ENTRIES ?? 100_000)
const here = path.dirname(fileURLToPath(import.meta.url))
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const peers = ids.map((id, i) => `${id}=${addresses[i]}`).join(',')

function startServer(root: string, i: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, 'server.js'), '--id', ids[i]!, '--port', String(ports[i]), '--dir', path.join(root, ids[i]!), '--peers', peers],
      { stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve(child) })
    child.once('exit', (code) => reject(new Error(`${ids[i]} exited with ${code}`)))
  })
}

async function status(pool: RpcClientPool, address: string): Promise<RaftStatus | undefined> {
  try { return await pool.call(address, 'bench.status', {}, 1_000) as RaftStatus } catch { return undefined }
}

async function findLeader(pool: RpcClientPool): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    for (let i = 0; i < addresses.length; i++) if ((await status(pool, addresses[i]!))?.role === 'leader') return i
    await sleep(50)
  }
  throw new Error('no leader within 10 s')
}

/** commitEntries writes `count` distinct keys through the leader with 64 closed-loop writers. */
async function commitEntries(pool: RpcClientPool, leader: string, count: number): Promise<void> {
  let next = 0
  let errors = 0
  const worker = async (): Promise<void> => {
    while (next < count && errors < 1_000) {
      const k = next++
      try { await pool.call(leader, 'bench.put', { k: `key-${k}`, v: 'x'.repeat(64) }, 10_000) } catch (error) {
        errors++
        if (isZxError(error, 'ZX_ERR_NOT_LEADER')) throw error
        next = Math.min(next, k)
      }
    }
  }
  await Promise.all(Array.from({ length: 64 }, worker))
  if (errors >= 1_000) throw new Error('too many write errors')
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await fs.stat(path.join(entry.parentPath ?? dir, entry.name))).size
  }
  return total
}

async function main(): Promise<void> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'zx-raft-catchup-'))
  const procs: ChildProcess[] = []
  const pool = new RpcClientPool()
  try {
    procs.push(...await Promise.all(ids.map((_, i) => startServer(root, i))))
    const leader = await findLeader(pool)
    const lagger = (leader + 1) % ids.length
    procs[lagger]!.kill('SIGTERM')
    await new Promise((r) => procs[lagger]!.once('exit', r))
    const writeStart = performance.now()
    await commitEntries(pool, addresses[leader]!, entries)
    const writeSeconds = (performance.now() - writeStart) / 1000
    const before = (await status(pool, addresses[leader]!))!
    const snapshotDirBytes = await dirBytes(path.join(root, ids[leader]!, 'snapshots')).catch(() => NaN)
    const restart = performance.now()
    procs[lagger] = await startServer(root, lagger)
    const readyMs = performance.now() - restart
    let caughtUp: RaftStatus | undefined
    for (const end = Date.now() + 120_000; Date.now() < end; await sleep(20)) {
      const s = await status(pool, addresses[lagger]!)
      if (s !== undefined && s.appliedIndex >= before.commitIndex) { caughtUp = s; break }
    }
    const seconds = (performance.now() - restart) / 1000
    const result = {
      entries, writeSeconds: +writeSeconds.toFixed(1), leaderCommit: before.commitIndex, leaderSnapshotIndex: before.snapshotIndex,
      leaderSnapshotDirBytes: snapshotDirBytes, restartToReadyMs: Math.round(readyMs),
      caughtUp: caughtUp !== undefined, restartToCaughtUpSeconds: +seconds.toFixed(2),
      laggerSnapshotIndex: caughtUp?.snapshotIndex,
    }
    process.stdout.write(`${JSON.stringify(result)}\n`)
  } finally {
    pool.close()
    for (const child of procs) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await sleep(500)
    for (const child of procs) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await fs.rm(root, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 1
})
