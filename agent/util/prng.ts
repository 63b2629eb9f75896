/**
 * agent/util/prng.ts: a small seeded pseudo-random generator (xoshiro128**). Pure cores take a
 * Prng instead of calling Math.random(), so a simulation replays exactly from its seed. The
 * driver seeds it from crypto randomness; the simulator from ZX_SEED.
 */

/** Prng is the randomness source a pure core may use. */
export interface Prng {
  /** next returns a float in [0, 1). */
  next(): number
  /** int returns an integer in [0, n). */
  int(n: number): number
}

/** Xoshiro128 is a seeded Prng: the same seed gives the same sequence on every machine. */
export class Xoshiro128 implements Prng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    // splitmix32 expands one 32-bit seed into four non-zero state words.
    let s = seed >>> 0
    const mix = (): number => {
      s = (s + 0x9e3779b9) >>> 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
      return (z ^ (z >>> 16)) >>> 0
    }
    this.a = mix(); this.b = mix(); this.c = mix(); this.d = mix() || 1
  }

  private nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0
    const t = (this.b << 9) >>> 0
    this.c ^= this.a
    this.d ^= this.b
    this.b ^= this.c
    this.a ^= this.d
    this.c ^= t
    this.d = rotl(this.d, 11)
    return result
  }

  next(): number {
    return this.nextU32() / 0x1_0000_0000
  }

  int(n: number): number {
    return Math.floor(this.next() * n)
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0
}

/** randomSeed returns a fresh 32-bit seed for production drivers. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x1_0000_0000) >>> 0
}
