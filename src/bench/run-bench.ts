/**
 * src/bench/run-bench.ts: what `zx bench` does, apart from flag parsing and printing: build the
 * targets (zx/Consul first, then each `--compare` target), run the same workload against each
 * in turn — one at a time, so they never share the CPU — and collect rows for the table.
 */
import { consulTarget, etcdTarget, type BenchTarget } from './targets.js'
import { runWorkload, type WorkloadName, type WorkloadOptions } from './workloads.js'
import type { BenchRow } from './report.js'

/** CompareSpec is one `--compare kind=url[,url…]` flag. */
export interface CompareSpec {
  kind: 'etcd' | 'consul'
  endpoints: string[]
}

/** parseCompare reads `etcd=http://127.0.0.1:2379,http://…` into a CompareSpec. */
export function parseCompare(spec: string): CompareSpec {
  const eq = spec.indexOf('=')
  const kind = spec.slice(0, eq)
  if (eq < 0 || (kind !== 'etcd' && kind !== 'consul')) throw new Error(`--compare takes etcd=<url>[,<url>…] or consul=<url>…, not "${spec}"`)
  const endpoints = spec.slice(eq + 1).split(',').map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean)
  if (endpoints.length === 0) throw new Error(`--compare ${kind}= needs at least one URL`)
  for (const url of endpoints) if (!/^https?:\/\//.test(url)) throw new Error(`not an http(s) URL: ${url}`)
  return { kind, endpoints }
}

/** BenchPlan is a resolved `zx bench` invocation. */
export interface BenchPlan {
  workload: WorkloadName
  endpoints: string[]
  compare: CompareSpec[]
  options: WorkloadOptions
  timeoutMs: number
  onTarget?: (label: string) => void
}

/** runBench runs the plan against the primary target and every comparison target. */
export async function runBench(plan: BenchPlan): Promise<BenchRow[]> {
  const common = { connections: plan.options.concurrency + plan.options.watchers, timeoutMs: plan.timeoutMs, sessionTtlS: Math.max(10, Math.ceil(plan.options.warmupS + plan.options.durationS + 30)) }
  const targets: Array<{ label: string; make: () => BenchTarget }> = [
    { label: 'zx', make: () => consulTarget(plan.endpoints, common) },
    ...plan.compare.map((c, i) => ({
      label: plan.compare.filter((o) => o.kind === c.kind).length > 1 ? `${c.kind}${i + 1}` : c.kind,
      make: () => (c.kind === 'etcd' ? etcdTarget(c.endpoints, common) : consulTarget(c.endpoints, common)),
    })),
  ]
  const rows: BenchRow[] = []
  for (const { label, make } of targets) {
    plan.onTarget?.(label)
    const target = make()
    try {
      const options = label === 'zx' ? plan.options : { ...plan.options, killLeader: undefined }
      if (plan.workload === 'failover' && label !== 'zx') continue
      rows.push({ label, result: await runWorkload(plan.workload, target, options) })
    } finally {
      await target.close()
    }
  }
  return rows
}
