// Goal: the bench histogram's percentiles agree with exact nearest-rank percentiles within its
// stated ~3% bucket precision, for small and large values alike. Method: record known samples
// and compare against a sorted copy.
import { describe, expect, it } from 'vitest'
import { Histogram } from '../../../src/bench/histogram.js'
import { Xoshiro128 } from '../../../agent/util/prng.js'

function exact(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!
}

describe('Histogram', () => {
  it('is exact below 64 µs', () => {
    const h = new Histogram()
    for (let v = 0; v < 64; v++) h.record(v)
    expect(h.percentileUs(50)).toBe(31)
    expect(h.percentileUs(100)).toBe(63)
    expect(h.count).toBe(64)
  })

  it('matches exact percentiles within 3% over a heavy-tailed sample', () => {
    const rng = new Xoshiro128(99)
    const h = new Histogram()
    const values: number[] = []
    for (let i = 0; i < 50_000; i++) {
      const v = Math.round(200 * Math.exp(rng.next() * 8)) // 200 µs … ~600 ms
      values.push(v)
      h.record(v)
    }
    values.sort((a, b) => a - b)
    for (const p of [50, 90, 99, 99.9]) {
      const want = exact(values, p)
      expect(Math.abs(h.percentileUs(p) - want) / want).toBeLessThan(0.035)
    }
    expect(h.percentileUs(100)).toBe(values[values.length - 1])
    expect(h.summaryMs().min).toBe(values[0]! / 1000)
  })

  it('merges two histograms into the same result as one', () => {
    const a = new Histogram(); const b = new Histogram(); const all = new Histogram()
    for (let i = 1; i <= 1000; i++) { (i % 2 ? a : b).record(i * 37); all.record(i * 37) }
    a.merge(b)
    expect(a.summaryMs()).toEqual(all.summaryMs())
    expect(a.percentileDistribution()).toContain('#[Total count    = 1000]')
  })
})
