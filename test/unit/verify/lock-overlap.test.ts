/**
 * Goal: the lock check reports exactly the pairs of critical sections of different holders
 * that both believed they held the lock, and nothing else.
 * Method: hand-made LockRecords — back-to-back hand-overs, a real overlap, a late-detected loss
 * whose section ends at detection time, same-holder sections — fed to findOverlaps and
 * minGapAfterLoss, with the expected pairs and gaps written out.
 */
import { describe, expect, it } from 'vitest'
import { describeRecord, findOverlaps, minGapAfterLoss, type LockRecord } from '../../../src/verify/lock-check.js'

const rec = (holder: number, enterMs: number, exitMs: number, lost = false): LockRecord =>
  ({ holder, session: `s${holder}-${enterMs}`, lockIndex: 1, enterMs, exitMs, lost })

describe('findOverlaps', () => {
  it('accepts back-to-back hand-overs (exit == next enter is not an overlap)', () => {
    expect(findOverlaps([rec(0, 0, 10), rec(1, 10, 20), rec(2, 25, 30)])).toEqual([])
  })

  it('reports an overlapping pair with its length, in either input order', () => {
    const a = rec(0, 0, 10)
    const b = rec(1, 7, 20)
    const found = findOverlaps([b, rec(2, 30, 40), a])
    expect(found).toHaveLength(1)
    expect(found[0]!.a).toBe(a)
    expect(found[0]!.b).toBe(b)
    expect(found[0]!.overlapMs).toBe(3)
  })

  it('reports a section nested inside another and every pair a long section covers', () => {
    const long = rec(0, 0, 100)
    const found = findOverlaps([long, rec(1, 10, 20), rec(2, 50, 60)])
    expect(found.map((o) => [o.a.holder, o.b.holder, o.overlapMs])).toEqual([[0, 1, 10], [0, 2, 10]])
  })

  it('ends a lost section at detection: a successor after detection is fine, before it is not', () => {
    // holder 0's session was invalidated at ~12 but it only noticed at 15
    expect(findOverlaps([rec(0, 0, 15, true), rec(1, 16, 30)])).toEqual([])
    expect(findOverlaps([rec(0, 0, 15, true), rec(1, 14, 30)]).map((o) => o.overlapMs)).toEqual([1])
  })

  it('ignores overlaps of one holder with itself', () => {
    expect(findOverlaps([rec(3, 0, 10), rec(3, 5, 12)])).toEqual([])
  })
})

describe('minGapAfterLoss', () => {
  it('is the shortest time from a detected loss to the next holder entering', () => {
    expect(minGapAfterLoss([rec(0, 0, 10, true), rec(1, 1_010, 1_020), rec(1, 1_030, 1_040, true), rec(2, 1_500, 1_510)])).toBe(460)
    expect(minGapAfterLoss([rec(0, 0, 10), rec(1, 10, 20)])).toBeUndefined()
  })
})

describe('describeRecord', () => {
  it('names holder, session, LockIndex and the loss', () => {
    expect(describeRecord(rec(2, 1, 2.5, true))).toBe('holder 2 session s2-1 LockIndex 1 held 1.0–2.5 ms (lost)')
  })
})
