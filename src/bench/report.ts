/**
 * src/bench/report.ts: turns workload results into the table `zx bench` prints and the files
 * `--out` writes (HDR percentile distribution per target, timeline SVG, JSON).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { timelineSvg } from './plot.js'
import type { WorkloadResult } from './workloads.js'

/** BenchRow is one target's result in a comparison. */
export interface BenchRow {
  label: string
  result: WorkloadResult
}

/** formatTable renders rows as an aligned text table, with ratios to the first row. */
export function formatTable(workload: string, rows: BenchRow[]): string {
  const header = ['target', 'ops/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'errors', 'extra']
  const base = rows[0]?.result
  const lines = rows.map(({ label, result }) => [
    label,
    String(result.throughput),
    String(result.latencyMs.p50),
    String(result.latencyMs.p90),
    String(result.latencyMs.p99),
    String(result.latencyMs.p999),
    String(result.latencyMs.max),
    String(result.errors),
    Object.entries(result.extra).map(([k, v]) => `${k}=${v}`).join(' '),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const fmt = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()
  const out = [`workload ${workload}`, fmt(header), ...lines.map(fmt)]
  if (base && rows.length > 1) {
    for (const { label, result } of rows.slice(1)) {
      const tput = result.throughput === 0 ? '∞' : (base.throughput / result.throughput).toFixed(2)
      const p99 = base.latencyMs.p99 === 0 ? '—' : (result.latencyMs.p99 / base.latencyMs.p99).toFixed(2)
      out.push(`${rows[0]!.label} vs ${label}: throughput ×${tput}, ${label} p99 / ${rows[0]!.label} p99 = ${p99}`)
    }
  }
  for (const { label, result } of rows) {
    for (const kind of result.errorKinds) out.push(`  ${label} error ×${kind.count}: ${kind.message}`)
  }
  return out.join('\n')
}

/** writeOutputs writes per-target HDR histograms, the timeline SVG and the JSON results to dir. */
export async function writeOutputs(dir: string, workload: string, rows: BenchRow[]): Promise<string[]> {
  await mkdir(dir, { recursive: true })
  const files: string[] = []
  for (const { label, result } of rows) {
    const file = join(dir, `${workload}-${label}.hgrm`)
    await writeFile(file, result.histogram.percentileDistribution())
    files.push(file)
  }
  const svg = join(dir, `${workload}-timeline.svg`)
  await writeFile(svg, timelineSvg(rows.map((r) => ({ label: r.label, timeline: r.result.timeline })), `zx bench ${workload}`))
  files.push(svg)
  const json = join(dir, `${workload}.json`)
  await writeFile(json, JSON.stringify(rows.map((r) => ({ label: r.label, ...toJson(r.result) })), null, 2))
  files.push(json)
  return files
}

/** toJson drops the histogram object and keeps the figures. */
export function toJson(result: WorkloadResult): Omit<WorkloadResult, 'histogram'> {
  const { histogram: _histogram, ...rest } = result
  return rest
}
