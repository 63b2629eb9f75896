/**
 * src/bench/runner.ts: the closed-loop load runner behind `zx bench`. `concurrency` workers
 * each issue one operation, wait for its answer and issue the next. The first `warmupS`
 * seconds are not measured; after that, operations *started* in the measured window count.
 * The run is bounded twice — by duration and by an operation cap — and every operation has its
 * own timeout in the target, so a dead cluster ends the run instead of hanging it. A timeline
 * of 100 ms slots (ops, errors, worst latency) shows gaps such as a leader failover.
 */
import { performance } from 'node:perf_hooks'
import { Histogram, type LatencySummary } from './histogram.js'

/** BenchOp performs one operation for a worker; it throws on failure. */
export type BenchOp = (worker: number) => Promise<void>

/** RunOptions bound the run. */
export interface RunOptions {
  concurrency: number
  durationS: number
  warmupS: number
  maxOps: number
  /** onProgress is called about every 250 ms with the fraction done and ops so far. */
  onProgress?: (done: number, ops: number) => void
  /** errorBackoffMs pauses a worker after a failure so a dead cluster is not hammered. */
  errorBackoffMs?: number
}

/** TimelineSlot is one 100 ms slice of the measured window. */
export interface TimelineSlot {
  atMs: number
  ops: number
  errors: number
  maxLatencyMs: number
}

/** RunResult is what a run measured. */
export interface RunResult {
  ops: number
  errors: number
  throughput: number
  latencyMs: LatencySummary
  errorKinds: Array<{ message: string; count: number }>
  timeline: TimelineSlot[]
  histogram: Histogram
  windowS: number
}

const slotMs = 100

/** runClosedLoop runs op with `concurrency` workers for the bounded window and measures it. */
export async function runClosedLoop(op: BenchOp, options: RunOptions): Promise<RunResult> {
  const histogram = new Histogram()
  const errorKinds = new Map<string, number>()
  const started = performance.now()
  const windowStart = started + options.warmupS * 1000
  const windowEnd = windowStart + options.durationS * 1000
  const slots: TimelineSlot[] = Array.from({ length: Math.ceil((options.durationS * 1000) / slotMs) }, (_, i) => ({ atMs: i * slotMs, ops: 0, errors: 0, maxLatencyMs: 0 }))
  let ops = 0
  let errors = 0
  let issued = 0
  const progress = options.onProgress === undefined ? undefined : setInterval(() => {
    const done = Math.min(1, (performance.now() - started) / (windowEnd - started))
    options.onProgress!(done, ops)
  }, 250)

  const worker = async (id: number): Promise<void> => {
    while (issued < options.maxOps) {
      const t0 = performance.now()
      if (t0 >= windowEnd) return
      const measured = t0 >= windowStart
      if (measured) issued += 1
      let failure: unknown
      try {
        await op(id)
      } catch (error) {
        failure = error
      }
      const t1 = performance.now()
      if (!measured) {
        if (failure !== undefined) await pause(options.errorBackoffMs ?? 10)
        continue
      }
      const slot = slots[Math.min(slots.length - 1, Math.floor((t0 - windowStart) / slotMs))]!
      if (failure === undefined) {
        ops += 1
        histogram.record((t1 - t0) * 1000)
        slot.ops += 1
        slot.maxLatencyMs = Math.max(slot.maxLatencyMs, t1 - t0)
      } else {
        errors += 1
        slot.errors += 1
        const message = failure instanceof Error ? failure.message : String(failure)
        errorKinds.set(message, (errorKinds.get(message) ?? 0) + 1)
        await pause(options.errorBackoffMs ?? 10)
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)))
  } finally {
    if (progress) clearInterval(progress)
  }
  const windowS = Math.max(0.001, (Math.min(performance.now(), windowEnd) - windowStart) / 1000)
  return {
    ops,
    errors,
    throughput: Math.round((ops / windowS) * 10) / 10,
    latencyMs: histogram.summaryMs(),
    errorKinds: [...errorKinds].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([message, count]) => ({ message, count })),
    timeline: slots,
    histogram,
    windowS,
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
