/**
 * src/bench/histogram.ts: an HDR-style latency histogram. Values (microseconds) fall into
 * log-linear buckets: values under 64 µs are exact, and above that each power of two is split
 * into 32 linear sub-buckets, so any value is known to within ~3% whatever its magnitude, memory stays fixed (a few KB)
 * however many samples arrive, and percentiles come out without sorting millions of numbers.
 */

const subBucketBits = 6
const subBuckets = 1 << subBucketBits
const maxExponent = 40 // 2^40 µs ≈ 12.7 days: more than any bounded run

/** Histogram records latencies in microseconds and answers percentiles. */
export class Histogram {
  private readonly counts = new Float64Array((maxExponent + 1) * subBuckets)
  private total = 0
  private minUs = Number.POSITIVE_INFINITY
  private maxUs = 0
  private sumUs = 0

  /** record adds one latency sample in microseconds. */
  record(us: number): void {
    const value = Math.max(0, Math.round(us))
    this.counts[bucketOf(value)]! += 1
    this.total += 1
    this.sumUs += value
    if (value < this.minUs) this.minUs = value
    if (value > this.maxUs) this.maxUs = value
  }

  /** merge adds every sample of another histogram. */
  merge(other: Histogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!
    this.total += other.total
    this.sumUs += other.sumUs
    this.minUs = Math.min(this.minUs, other.minUs)
    this.maxUs = Math.max(this.maxUs, other.maxUs)
  }

  /** count is the number of samples. */
  get count(): number {
    return this.total
  }

  /** percentileUs returns the value at percentile p (0–100), nearest rank, bucket upper bound. */
  percentileUs(p: number): number {
    if (this.total === 0) return 0
    if (p >= 100) return this.maxUs
    const rank = Math.max(1, Math.ceil((p / 100) * this.total))
    let seen = 0
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!
      if (seen >= rank) return Math.min(this.maxUs, Math.max(this.minUs, upperBound(i)))
    }
    return this.maxUs
  }

  /** summaryMs is the usual latency summary in milliseconds. */
  summaryMs(): LatencySummary {
    const ms = (us: number): number => Math.round(us) / 1000
    return {
      min: this.total === 0 ? 0 : ms(this.minUs),
      mean: this.total === 0 ? 0 : ms(this.sumUs / this.total),
      p50: ms(this.percentileUs(50)),
      p90: ms(this.percentileUs(90)),
      p99: ms(this.percentileUs(99)),
      p999: ms(this.percentileUs(99.9)),
      max: ms(this.maxUs),
    }
  }

  /**
   * percentileDistribution writes the histogram in the HdrHistogram text format
   * (Value, Percentile, TotalCount, 1/(1-Percentile)), values in milliseconds, so standard
   * HDR plotters read it.
   */
  percentileDistribution(): string {
    const lines = ['       Value     Percentile TotalCount 1/(1-Percentile)', '']
    let seen = 0
    for (let i = 0; i < this.counts.length; i++) {
      const c = this.counts[i]!
      if (c === 0) continue
      seen += c
      const q = seen / this.total
      const inv = q >= 1 ? 'Infinity' : (1 / (1 - q)).toFixed(2)
      lines.push(`${(upperBound(i) / 1000).toFixed(3).padStart(12)} ${q.toFixed(12).padStart(14)} ${String(seen).padStart(10)} ${inv.padStart(14)}`)
    }
    lines.push(`#[Mean    = ${(this.sumUs / Math.max(1, this.total) / 1000).toFixed(3)}, Max = ${(this.maxUs / 1000).toFixed(3)}]`)
    lines.push(`#[Total count    = ${this.total}]`)
    return lines.join('\n') + '\n'
  }
}

/** LatencySummary is min/mean/percentiles/max in milliseconds. */
export interface LatencySummary {
  min: number
  mean: number
  p50: number
  p90: number
  p99: number
  p999: number
  max: number
}

function bucketOf(value: number): number {
  if (value < subBuckets) return value
  const exponent = Math.floor(Math.log2(value)) - subBucketBits + 1
  const clamped = Math.min(exponent, maxExponent)
  const sub = Math.min(subBuckets - 1, Math.floor(value / 2 ** clamped) - subBuckets / 2)
  return clamped * subBuckets + sub
}

function upperBound(bucket: number): number {
  const exponent = Math.floor(bucket / subBuckets)
  const sub = bucket % subBuckets
  if (exponent === 0) return sub
  return (sub + subBuckets / 2 + 1) * 2 ** exponent - 1
}
