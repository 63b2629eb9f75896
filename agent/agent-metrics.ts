/**
 * agent/agent-metrics.ts: in-process metrics for /v1/agent/metrics: counters, gauges and timing
 * samples with Consul's names (consul.kvs.apply, consul.raft.apply …), rendered as Consul's JSON
 * summary or as Prometheus text.
 */

interface Sample {
  count: number
  sum: number
  min: number
  max: number
  sumSquares: number
}

/** Metrics collects named counters, gauges and samples. */
export class Metrics {
  private readonly counters = new Map<string, Sample>()
  private readonly samples = new Map<string, Sample>()
  private readonly gauges = new Map<string, () => number>()

  /** inc adds to a counter. */
  inc(name: string, by = 1): void {
    record(this.counters, name, by)
  }

  /** observe records one timing (ms) or size sample. */
  observe(name: string, value: number): void {
    record(this.samples, name, value)
  }

  /** gauge registers a value read at render time. */
  gauge(name: string, read: () => number): void {
    this.gauges.set(name, read)
  }

  /** json renders Consul's /v1/agent/metrics shape. */
  json(now = new Date()): unknown {
    const summary = ([name, s]: [string, Sample]) => ({
      Name: name, Count: s.count, Rate: s.sum / 10, Sum: s.sum, Min: s.min, Max: s.max,
      Mean: s.count === 0 ? 0 : s.sum / s.count,
      Stddev: s.count < 2 ? 0 : Math.sqrt(Math.max(0, (s.sumSquares - (s.sum * s.sum) / s.count) / (s.count - 1))),
      Labels: {},
    })
    return {
      Timestamp: now.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' +0000 UTC'),
      Gauges: [...this.gauges].sort(byName).map(([name, read]) => ({ Name: name, Value: safe(read), Labels: {} })),
      Points: [],
      Counters: [...this.counters].sort(byName).map(summary),
      Samples: [...this.samples].sort(byName).map(summary),
    }
  }

  /** prometheus renders the text exposition format. */
  prometheus(): string {
    const lines: string[] = []
    const id = (name: string): string => name.replace(/[^a-zA-Z0-9_]/g, '_')
    for (const [name, read] of [...this.gauges].sort(byName)) lines.push(`# TYPE ${id(name)} gauge`, `${id(name)} ${safe(read)}`)
    for (const [name, s] of [...this.counters].sort(byName)) lines.push(`# TYPE ${id(name)} counter`, `${id(name)} ${s.sum}`)
    for (const [name, s] of [...this.samples].sort(byName)) {
      lines.push(`# TYPE ${id(name)} summary`, `${id(name)}_sum ${s.sum}`, `${id(name)}_count ${s.count}`)
    }
    return `${lines.join('\n')}\n`
  }
}

function record(map: Map<string, Sample>, name: string, value: number): void {
  const s = map.get(name) ?? { count: 0, sum: 0, min: Infinity, max: -Infinity, sumSquares: 0 }
  s.count++; s.sum += value; s.min = Math.min(s.min, value); s.max = Math.max(s.max, value); s.sumSquares += value * value
  map.set(name, s)
}

function safe(read: () => number): number {
  try { return read() } catch { return 0 }
}

function byName<T>([a]: [string, T], [b]: [string, T]): number {
  return a < b ? -1 : a > b ? 1 : 0
}
