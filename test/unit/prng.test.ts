// Goal: the seeded PRNG that every pure core uses replays exactly from its seed and spreads
// values evenly, since the simulator's "reproduce: ZX_SEED=…" promise rests on it.
import { describe, expect, it } from 'vitest'
import { Xoshiro128 } from '../../agent/util/prng.js'

describe('Xoshiro128', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = new Xoshiro128(42)
    const b = new Xoshiro128(42)
    const c = new Xoshiro128(43)
    const sa = Array.from({ length: 8 }, () => a.next())
    const sb = Array.from({ length: 8 }, () => b.next())
    const sc = Array.from({ length: 8 }, () => c.next())
    expect(sa).toEqual(sb)
    expect(sa).not.toEqual(sc)
  })

  it('keeps int(n) in range and roughly uniform', () => {
    const rng = new Xoshiro128(7)
    const counts = new Array<number>(10).fill(0)
    let outOfRange = 0
    for (let i = 0; i < 100_000; i++) {
      const v = rng.int(10)
      if (v < 0 || v >= 10 || !Number.isInteger(v)) outOfRange += 1
      else counts[v]! += 1
    }
    expect(outOfRange).toBe(0)
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(500)
  })
})
