/**
 * src/bench/workloads.ts: the workloads of `zx bench`, each built from a BenchTarget's few
 * operations. Keys are `<prefix><6 digits>` chosen uniformly from the key space; values are a
 * fixed random string of `valueSize` bytes, so every target gets byte-identical work.
 */
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { Histogram } from './histogram.js'
import { runClosedLoop, type BenchOp, type RunOptions, type RunResult } from './runner.js'
import type { BenchReadMode, BenchTarget } from './targets.js'

/** WorkloadName lists the workloads. */
export const workloadNames = ['kv-put', 'kv-get', 'mixed', 'cas', 'lock', 'blocking', 'failover'] as const
export type WorkloadName = (typeof workloadNames)[number]

/** WorkloadOptions shape the work, independent of the target. */
export interface WorkloadOptions extends RunOptions {
  keyspace: number
  valueSize: number
  prefix: string
  readMode: BenchReadMode
  readRatio: number
  locks: number
  /** watchers and writeIntervalMs shape the blocking workload. */
  watchers: number
  writeIntervalMs: number
  /** killLeader (failover only) kills the current leader; killAfterS when to do it. */
  killLeader?: () => Promise<string>
  killAfterS: number
}

/** WorkloadResult adds workload-specific figures to the run's. */
export interface WorkloadResult extends RunResult {
  extra: Record<string, number | string>
}

/** runWorkload prepares the target (prefill), runs the workload and returns what it measured. */
export async function runWorkload(name: WorkloadName, target: BenchTarget, options: WorkloadOptions): Promise<WorkloadResult> {
  const value = randomValue(options.valueSize)
  const key = (i: number): string => options.prefix + String(i).padStart(6, '0')
  const randomKey = (): string => key(Math.floor(Math.random() * options.keyspace))
  switch (name) {
    case 'kv-put':
      return plain(await runClosedLoop(() => target.put(randomKey(), value), options))
    case 'kv-get': {
      await prefill(target, options.keyspace, key, value)
      return plain(await runClosedLoop(async () => { await target.get(randomKey(), options.readMode) }, options))
    }
    case 'mixed': {
      await prefill(target, options.keyspace, key, value)
      const op: BenchOp = async () => {
        if (Math.random() < options.readRatio) await target.get(randomKey(), options.readMode)
        else await target.put(randomKey(), value)
      }
      return plain(await runClosedLoop(op, options))
    }
    case 'cas': {
      let lost = 0
      const result = await runClosedLoop(async () => { if (!(await target.cas(randomKey(), value))) lost += 1 }, options)
      return { ...result, extra: { casLost: lost } }
    }
    case 'lock': {
      let retries = 0
      const lockName = (): string => `${options.prefix}locks/${Math.floor(Math.random() * options.locks)}`
      const result = await runClosedLoop(async (worker) => { retries += await target.lockCycle(worker, lockName()) }, options)
      return { ...result, extra: { lockRetries: retries } }
    }
    case 'blocking':
      return runBlocking(target, options, key(0))
    case 'failover':
      return runFailover(target, options, randomKey, value)
    default: {
      const never: never = name
      throw new Error(`unknown workload ${String(never)}`)
    }
  }
}

function plain(result: RunResult): WorkloadResult {
  return { ...result, extra: {} }
}

function randomValue(size: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
  return Array.from(randomBytes(size), (b) => alphabet[b % alphabet.length]).join('')
}

async function prefill(target: BenchTarget, keyspace: number, key: (i: number) => string, value: string): Promise<void> {
  const lanes = 16
  for (let base = 0; base < keyspace; base += lanes) {
    await Promise.all(Array.from({ length: Math.min(lanes, keyspace - base) }, (_, i) => target.put(key(base + i), value)))
  }
}

/**
 * runBlocking measures watch fan-out: `watchers` blocking reads wait on one key while a writer
 * updates it every writeIntervalMs with a sequence number as the value. A watcher matches each
 * wake-up to its own write by that number, so the latency — from the moment the write was sent
 * to the wake-up — needs no index bookkeeping; wake-ups that beat the writer's own
 * acknowledgement are counted too (a store that fans out before answering the writer).
 */
async function runBlocking(target: BenchTarget, options: WorkloadOptions, key: string): Promise<WorkloadResult> {
  const sentAt: number[] = []
  const ackedAt: number[] = []
  await target.put(key, 'seq:-1')
  const wakes = new Histogram()
  let wokeBeforeAck = 0
  let stop = false
  const deadline = performance.now() + (options.warmupS + options.durationS) * 1000
  const watcher = async (): Promise<void> => {
    let since = await target.version(key)
    while (!stop && performance.now() < deadline) {
      const woke = await target.watchOnce(key, since, 5_000).catch(() => undefined)
      const at = performance.now()
      if (woke === undefined) continue
      const seq = Number(/^seq:(\d+)$/.exec(woke.value ?? '')?.[1] ?? -1)
      if (woke.version > since && seq >= 0 && sentAt[seq] !== undefined) {
        wakes.record((at - sentAt[seq]!) * 1000)
        if (ackedAt[seq] === undefined) wokeBeforeAck += 1
      }
      since = Math.max(since, woke.version)
    }
  }
  const watching = Array.from({ length: options.watchers }, watcher)
  let seq = 0
  const writes = await runClosedLoop(async () => {
    const mine = seq++
    sentAt[mine] = performance.now()
    await target.put(key, `seq:${mine}`)
    ackedAt[mine] = performance.now()
    await new Promise((resolve) => setTimeout(resolve, options.writeIntervalMs))
  }, { ...options, concurrency: 1 })
  stop = true
  await Promise.allSettled(watching)
  return { ...writes, latencyMs: wakes.summaryMs(), histogram: wakes, extra: { wakeups: wakes.count, wokeBeforeAck, writes: writes.ops } }
}

/**
 * runFailover runs a put load, kills the leader after killAfterS, and reports the gap: from the
 * kill to the first acknowledged write that was started after it.
 */
async function runFailover(target: BenchTarget, options: WorkloadOptions, randomKey: () => string, value: string): Promise<WorkloadResult> {
  if (!options.killLeader) throw new Error('the failover workload needs a cluster it can kill the leader of (--cluster)')
  let killedAt = Number.POSITIVE_INFINITY
  let firstAckAfterKill = Number.POSITIVE_INFINITY
  let killed = ''
  // The gap is counted from the moment the kill has been carried out (the process or
  // container is gone), to the first acknowledged write that was started after that moment.
  const killer = setTimeout(() => {
    options.killLeader!().then((node) => { killed = node; killedAt = performance.now() }, (error: unknown) => { killed = `kill failed: ${String(error)}` })
  }, (options.warmupS + options.killAfterS) * 1000)
  const result = await runClosedLoop(async () => {
    const t0 = performance.now()
    await target.put(randomKey(), value)
    if (t0 > killedAt && firstAckAfterKill === Number.POSITIVE_INFINITY) firstAckAfterKill = performance.now()
  }, { ...options, errorBackoffMs: 5 })
  clearTimeout(killer)
  const gapMs = Number.isFinite(firstAckAfterKill) ? Math.round(firstAckAfterKill - killedAt) : -1
  return { ...result, extra: { killed, failoverGapMs: gapMs } }
}
