// Goal: the Wing–Gong/Lowe checker accepts linearizable register/CAS histories, rejects
// non-linearizable ones, treats unknown outcomes like Jepsen's "info" operations, and shrinks a
// violation to a minimal offending sub-history.
// Method: hand-written histories with known answers (Herlihy & Wing's classic examples), plus a
// brute-force cross-check on small random histories.
import { describe, expect, it } from 'vitest'
import {
  checkLinearizable, checkRegisterHistory, describeOperation, registerModel, type Operation, type RegisterInput, type RegisterOutput,
} from '../../../src/verify/linearizability.js'
import { Xoshiro128 } from '../../../agent/util/prng.js'

type Op = Operation<RegisterInput, RegisterOutput>
let nextId = 0
function op(process: number, input: RegisterInput, output: RegisterOutput | undefined, call: number, ret: number): Op {
  return { id: nextId++, process, input, output, call, ret }
}
const w = (key: string, value: string): RegisterInput => ({ f: 'write', key, value })
const r = (key: string): RegisterInput => ({ f: 'read', key })
const cas = (key: string, expected: string | null, value: string): RegisterInput => ({ f: 'cas', key, expected, value })

describe('checkLinearizable with the register model', () => {
  it('accepts a sequential history and overlapping writes read in either order', () => {
    const history = [
      op(0, w('x', '1'), true, 0, 10),
      op(1, w('x', '2'), true, 5, 15),
      op(2, r('x'), '1', 16, 20),     // 2 then 1 is a valid order of the overlapping writes
      op(0, r('x'), '1', 21, 22),
    ]
    expect(checkLinearizable(registerModel, history)).toEqual({ valid: true })
  })

  it('rejects a stale read after a completed write, and shrinks to the two culprits', () => {
    const history = [
      op(0, w('x', '1'), true, 0, 1),
      op(1, w('y', 'q'), true, 0, 1),
      op(0, w('x', '2'), true, 2, 3),
      op(2, r('y'), 'q', 3, 4),
      op(1, r('x'), '1', 4, 5),       // x was 2 since time 3
    ]
    const result = checkLinearizable(registerModel, history)
    expect(result.valid).toBe(false)
    if (result.valid !== false) return
    expect(result.partition).toBe('x')
    expect(result.offending.map(describeOperation)).toEqual(['p0 write(x, 2) → true [2, 3]', 'p1 read(x) → "1" [4, 5]'])
  })

  it('rejects reads that go back in time (a read sees 2, a later read sees the older 1)', () => {
    const history = [
      op(0, w('x', '1'), true, 0, 1),
      op(1, w('x', '2'), true, 2, 100), // concurrent with both reads
      op(2, r('x'), '2', 3, 4),
      op(3, r('x'), '1', 5, 6),
    ]
    expect(checkLinearizable(registerModel, history).valid).toBe(false)
  })

  it('treats an unknown write as possibly applied at any later point, or never', () => {
    const applied = [
      op(0, w('x', '1'), undefined, 0, Infinity),
      op(1, r('x'), '1', 5, 6),
    ]
    const never = [
      op(0, w('x', '1'), undefined, 0, Infinity),
      op(1, r('x'), null, 5, 6),
    ]
    expect(checkLinearizable(registerModel, applied)).toEqual({ valid: true })
    expect(checkLinearizable(registerModel, never)).toEqual({ valid: true })
    // ...but not before it was invoked.
    const early = [op(1, r('x'), '1', 0, 1), op(0, w('x', '1'), undefined, 2, Infinity)]
    expect(checkLinearizable(registerModel, early).valid).toBe(false)
  })

  it('checks compare-and-set outcomes against the value at the linearization point', () => {
    const good = [
      op(0, w('x', 'a'), true, 0, 1),
      op(1, cas('x', 'a', 'b'), true, 2, 5),
      op(2, cas('x', 'a', 'c'), false, 3, 6),
      op(0, r('x'), 'b', 7, 8),
    ]
    expect(checkLinearizable(registerModel, good)).toEqual({ valid: true })
    const bad = [
      op(0, w('x', 'a'), true, 0, 1),
      op(1, cas('x', 'a', 'b'), true, 2, 3),
      op(2, cas('x', 'a', 'c'), true, 4, 5),  // x was b by then: two CAS from a cannot both win
    ]
    expect(checkLinearizable(registerModel, bad).valid).toBe(false)
  })

  it('agrees with brute force over all orders on small random histories', () => {
    const rng = new Xoshiro128(7)
    let invalid = 0
    for (let trial = 0; trial < 300; trial++) {
      const history: Op[] = []
      for (let k = 0; k < 5; k++) {
        const call = rng.int(10)
        const ret = rng.next() < 0.1 ? Infinity : call + 1 + rng.int(5)
        const kind = rng.int(3)
        const value = String(rng.int(3))
        const input = kind === 0 ? w('x', value) : kind === 1 ? r('x') : cas('x', rng.int(2) === 0 ? null : String(rng.int(3)), value)
        const output = ret === Infinity ? undefined : kind === 0 ? true : kind === 1 ? (rng.int(2) === 0 ? null : String(rng.int(3))) : rng.int(2) === 0
        history.push(op(k, input, output, call, ret))
      }
      const fast = checkLinearizable(registerModel, history).valid
      const slow = bruteForce(history)
      expect(fast, JSON.stringify(history)).toBe(slow)
      if (!slow) invalid++
    }
    expect(invalid).toBeGreaterThan(50)
  })
})

describe('checkRegisterHistory on recorded histories (zx verify)', () => {
  it('drops failed operations, keeps unknown ones open-ended, and finds a stale read', () => {
    const good = [
      { id: 0, process: 0, op: { f: 'write' as const, key: 'k', value: 'v1' }, invokeMs: 0, completeMs: 10, failed: false },
      { id: 1, process: 1, op: { f: 'write' as const, key: 'k', value: 'v2' }, invokeMs: 11, completeMs: 12, failed: true },
      { id: 2, process: 2, op: { f: 'cas' as const, key: 'k', expected: 'v1', value: 'v3', ok: false }, invokeMs: 13, completeMs: undefined, failed: false },
      { id: 3, process: 0, op: { f: 'read' as const, key: 'k', output: 'v3' }, invokeMs: 20, completeMs: 21, failed: false },
    ]
    expect(checkRegisterHistory(good)).toEqual({ valid: true })
    const bad = [...good.slice(0, 3), { id: 3, process: 0, op: { f: 'read' as const, key: 'k', output: 'v2' }, invokeMs: 20, completeMs: 21, failed: false }]
    expect(checkRegisterHistory(bad).valid).toBe(false)
  })
})

/** bruteForce tries every order (and every subset for unknown ops) respecting real time. */
function bruteForce(history: Op[]): boolean {
  const n = history.length
  const used = new Array<boolean>(n).fill(false)
  const go = (state: string | null, done: number): boolean => {
    if (done === n) return true
    for (let k = 0; k < n; k++) {
      if (used[k]) continue
      const o = history[k]!
      // o may go next only if no unused op returned before o was called.
      if (history.some((p, j) => !used[j] && j !== k && p.ret < o.call)) continue
      for (const next of registerModel.step(state, o.input, o.output)) {
        used[k] = true
        if (go(next, done + 1)) return true
        used[k] = false
      }
      if (o.ret === Infinity) {
        used[k] = true       // an unknown op may also never have happened
        if (go(state, done + 1)) return true
        used[k] = false
      }
    }
    return false
  }
  return go(null, 0)
}
