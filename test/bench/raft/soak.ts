/**
 * test/bench/raft/soak.ts: Raft soak benchmark (a script, not a test). Goal: show that a loaded
 * cluster keeps its leader and its memory flat while snapshots compact the log. Method: three
 * server.ts processes on 127.0.0.1:21321–21323 (fsync on, default snapshot thresholds); 64
 * writers put 64-byte values over 10,000 keys for ZX_SOAK_SECONDS (default 600), either closed
 * loop (ZX_SOAK_RATE=0, full load) or paced to ZX_SOAK_RATE puts/s in total. Every 5 s it samples
 * each server's RSS (/proc/<pid>/status) and Raft status; it reports leader changes (distinct
 * leader/term pairs seen after the first), how many 5-s intervals saw the leader take a new snapshot (a lower bound on snapshots taken) and the RSS
 * series per server (first, min, max, last). Run with `test/bench/raft/run.sh soak`.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { RaftStatus } from '../../../agent/raft/api.js'
import { RpcClientPool } from '../../../agent/rpc/client-pool.js'

const ports = [21321, 21322, 21323]
const ids = ['n1', 'n2', 'n3']
const addresses = ports.map((p) => `127.0.0.1:${p}`)
const seconds = Number(process.env.ZX_SOAK_SECONDS ?? 600)
const rate = Number(process.env.ZX_SOAK_RATE ?? 0)
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

async function rssMb(pid: number): Promise<number> {
  const text = await fs.readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(text)?.[1] ?? NaN) / 1024
}

async function status(pool: RpcClientPool, address: string): Promise<RaftStatus | undefined> {
  try { return await pool.call(address, 'bench.status', {}, 2_000) as RaftStatus } catch { return undefined }
}

/** writers runs 64 writers against whichever server leads until `end`; returns acks and errors. */
async function writers(pool: RpcClientPool, leader: () => string | undefined, end: number): Promise<{ acks: number; errors: number }> {
  let acks = 0
  let errors = 0
  const perWriterGapMs = rate > 0 ? 64_000 / rate : 0
  const worker = async (w: number): Promise<void> => {
    for (let i = 0, next = Date.now(); Date.now() < end; i++) {
      if (perWriterGapMs > 0) { next += perWriterGapMs; const wait = next - Date.now(); if (wait > 0) await sleep(wait) }
      const to = leader()
      if (to === undefined) { await sleep(50); continue }
      try { await pool.call(to, 'bench.put', { k: `k${(w * 7919 + i) % 10_000}`, v: 'x'.repeat(64) }, 5_000); acks++ } catch { errors++; await sleep(10) }
    }
  }
  await Promise.all(Array.from({ length: 64 }, (_, w) => worker(w)))
  return { acks, errors }
}

async function main(): Promise<void> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'zx-raft-soak-'))
  const procs: ChildProcess[] = []
  const pool = new RpcClientPool()
  try {
    procs.push(...await Promise.all(ids.map((_, i) => startServer(root, i))))
    let leader: string | undefined
    for (let t = 0; t < 200 && leader === undefined; t++, await sleep(50)) {
      for (const a of addresses) if ((await status(pool, a))?.role === 'leader') leader = a
    }
    if (leader === undefined) throw new Error('no leader within 10 s')
    const end = Date.now() + seconds * 1000
    const load = writers(pool, () => leader, end)
    const rss: number[][] = ids.map(() => [])
    const leaders = new Set<string>()
    let snapshots = 0
    let lastSnap = 0
    while (Date.now() < end) {
      await sleep(5_000)
      for (let i = 0; i < ids.length; i++) rss[i]!.push(await rssMb(procs[i]!.pid!))
      for (const a of addresses) {
        const s = await status(pool, a)
        if (s?.role !== 'leader') continue
        leaders.add(`${s.id}@${s.term}`)
        leader = a
        if (s.snapshotIndex > lastSnap) { if (lastSnap > 0) snapshots++; lastSnap = s.snapshotIndex }
      }
    }
    const { acks, errors } = await load
    const series = ids.map((id, i) => {
      const r = rss[i]!
      return { id, firstMb: +r[0]!.toFixed(1), minMb: +Math.min(...r).toFixed(1), maxMb: +Math.max(...r).toFixed(1), midMb: +r[r.length >> 1]!.toFixed(1), lastMb: +r[r.length - 1]!.toFixed(1), samples: r.length, seriesMb: r.map((x) => Math.round(x)) }
    })
    process.stdout.write(`${JSON.stringify({ seconds, rate, putsPerSecond: +(acks / seconds).toFixed(0), errors, leaderChanges: leaders.size - 1, leaders: [...leaders], intervalsWithNewSnapshot: snapshots, leaderSnapshotIndex: lastSnap, rss: series })}\n`)
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
