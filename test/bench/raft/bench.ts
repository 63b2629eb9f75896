/**
 * test/bench/raft/bench.ts: the Raft benchmark (a script, not a test). It starts three
 * server.ts processes on 127.0.0.1:21301–21303 (fsync on, real WALs in a temp dir), then for
 * 1, 16 and 64 concurrent proposers runs a closed loop of 64-byte puts through the leader's
 * rpc (bench.put: propose → commit → apply → answer) and reports commits/s with p50/p99
 * commit latency. Finally it SIGKILLs the leader under a 16-writer load and reports the time
 * from the kill to the acknowledgement of the first write started after it. Build and run
 * with test/bench/raft/run.sh.
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

const ports = [21301, 21302, 21303]
const ids = ['n1', 'n2', 'n3']
const addresses = ports.map((p) => `127.0.0.1:${p}`)
const phaseMs = Number(process.env.ZX_BENCH_PHASE_MS ?? 10_000)
const here = path.dirname(fileURLToPath(import.meta.url))
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

interface Cluster { procs: Map<string, ChildProcess>; root: string }

async function startCluster(): Promise<Cluster> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'zx-raft-bench-'))
  const peers = ids.map((id, i) => `${id}=${addresses[i]}`).join(',')
  const procs = new Map<string, ChildProcess>()
  await Promise.all(ids.map((id, i) => new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, 'server.js'), '--id', id, '--port', String(ports[i]), '--dir', path.join(root, id), '--peers', peers],
      { stdio: ['ignore', 'pipe', 'inherit'] })
    procs.set(id, child)
    child.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) resolve() })
    child.once('exit', (code) => reject(new Error(`${id} exited with ${code}`)))
  })))
  return { procs, root }
}

async function findLeader(pool: RpcClientPool, live: string[]): Promise<string | undefined> {
  for (const address of live) {
    try {
      const status = await pool.call(address, 'bench.status', {}, 500) as RaftStatus
      if (status.role === 'leader') return address
      if (status.leaderAddress !== undefined && live.includes(status.leaderAddress)) return status.leaderAddress
    } catch { /* try the next */ }
  }
  return undefined
}

interface PhaseResult { concurrency: number; commits: number; perSecond: number; p50Ms: number; p99Ms: number; errors: number }

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!
}

/** runLoad runs `concurrency` closed-loop writers until stop() says so; returns latencies and ack times. */
async function runLoad(pool: RpcClientPool, live: () => string[], concurrency: number, stop: () => boolean,
  onAck: (startedAtMs: number, ackedAtMs: number) => void = () => {}): Promise<{ latencies: number[]; errors: number }> {
  let leader = await findLeader(pool, live())
  const latencies: number[] = []
  let errors = 0
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; !stop(); i++) {
      if (leader === undefined || !live().includes(leader)) {
        leader = await findLeader(pool, live())
        if (leader === undefined) { await sleep(10); continue }
      }
      const started = performance.now()
      const startedAtMs = Date.now()
      try {
        await pool.call(leader, 'bench.put', { k: `w${w}-${i % 1000}`, v: 'x'.repeat(64) }, 5_000)
        latencies.push(performance.now() - started)
        onAck(startedAtMs, Date.now())
      } catch (error) {
        errors++
        if (isZxError(error, 'ZX_ERR_NOT_LEADER')) leader = error.details?.leaderAddress as string | undefined
        else { leader = undefined; await sleep(10) }
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)))
  return { latencies, errors }
}

async function phase(pool: RpcClientPool, concurrency: number): Promise<PhaseResult> {
  const warmEnd = Date.now() + 1_000
  await runLoad(pool, () => addresses, concurrency, () => Date.now() > warmEnd)
  const started = performance.now()
  const end = Date.now() + phaseMs
  const { latencies, errors } = await runLoad(pool, () => addresses, concurrency, () => Date.now() > end)
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return { concurrency, commits: latencies.length, perSecond: latencies.length / seconds, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), errors }
}

async function failover(pool: RpcClientPool, cluster: Cluster): Promise<{ failoverMs: number; killed: string }> {
  const leader = await findLeader(pool, addresses)
  if (leader === undefined) throw new Error('no leader before failover')
  const killed = ids[addresses.indexOf(leader)]!
  let live = [...addresses]
  let killAt = Infinity
  let firstAckAfterKill = Infinity
  const load = runLoad(pool, () => live, 16, () => firstAckAfterKill < Infinity && Date.now() > firstAckAfterKill + 500 || Date.now() > killAt + 30_000,
    // Only a write started after the kill proves a new leader is serving.
    (startedAt, ackedAt) => { if (startedAt > killAt && firstAckAfterKill === Infinity) firstAckAfterKill = ackedAt })
  await sleep(2_000)
  killAt = Date.now()
  cluster.procs.get(killed)!.kill('SIGKILL')
  live = addresses.filter((a) => a !== leader)
  await load
  return { failoverMs: firstAckAfterKill - killAt, killed }
}

async function main(): Promise<void> {
  const cluster = await startCluster()
  const pool = new RpcClientPool()
  try {
    for (let i = 0; i < 100 && (await findLeader(pool, addresses)) === undefined; i++) await sleep(100)
    const results: PhaseResult[] = []
    for (const concurrency of [1, 16, 64]) {
      const result = await phase(pool, concurrency)
      results.push(result)
      process.stdout.write(`${JSON.stringify(result)}\n`)
    }
    const fo = await failover(pool, cluster)
    process.stdout.write(`${JSON.stringify(fo)}\n`)
    process.stdout.write('\n| proposers | commits/s | p50 ms | p99 ms |\n|---|---|---|---|\n')
    for (const r of results) process.stdout.write(`| ${r.concurrency} | ${r.perSecond.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} |\n`)
    process.stdout.write(`\nleader SIGKILL → next acknowledged write: ${fo.failoverMs} ms (killed ${fo.killed})\n`)
  } finally {
    pool.close()
    for (const child of cluster.procs.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await sleep(500)
    for (const child of cluster.procs.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await fs.rm(cluster.root, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exitCode = 1
})
