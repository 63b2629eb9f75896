// Goal: the verify adapter hands the checker the right operations — failed ones dropped,
// unknown ones left open, CAS outcomes kept — so a real stale read is caught and a history
// with a timed-out write that did land is accepted. Method: hand-built histories.
import { describe, expect, it } from 'vitest'
import { HistoryRecorder } from '../../../src/verify/history.js'
import { checkHistory } from '../../../src/verify/check.js'

describe('checkHistory', () => {
  it('accepts a timed-out write that a later read observes', () => {
    const h = new HistoryRecorder()
    h.invoke(0, { f: 'write', key: 'k0', value: 'a' }, 0) // never completes: unknown
    const r = h.invoke(1, { f: 'read', key: 'k0', output: null }, 10)
    h.complete(r, { f: 'read', key: 'k0', output: 'a' }, 12)
    expect(checkHistory(h.all()).valid).toBe(true)
  })

  it('rejects a stale read after an acknowledged write and names the operations', () => {
    const h = new HistoryRecorder()
    const w = h.invoke(0, { f: 'write', key: 'k0', value: 'a' }, 0)
    h.complete(w, { f: 'write', key: 'k0', value: 'a' }, 5)
    const r = h.invoke(1, { f: 'read', key: 'k0', output: null }, 10)
    h.complete(r, { f: 'read', key: 'k0', output: null }, 12)
    const verdict = checkHistory(h.all())
    expect(verdict.valid).toBe(false)
    expect(verdict.offending.join('\n')).toContain('read(k0)')
  })

  it('drops a definitely failed write, so reading its value is a violation', () => {
    const h = new HistoryRecorder()
    const w = h.invoke(0, { f: 'write', key: 'k1', value: 'x' }, 0)
    h.fail(w, 1)
    const r = h.invoke(1, { f: 'read', key: 'k1', output: null }, 2)
    h.complete(r, { f: 'read', key: 'k1', output: 'x' }, 3)
    expect(checkHistory(h.all()).valid).toBe(false)
  })

  it('treats a failed CAS as proof the value differed', () => {
    const h = new HistoryRecorder()
    const w = h.invoke(0, { f: 'write', key: 'k2', value: 'a' }, 0)
    h.complete(w, { f: 'write', key: 'k2', value: 'a' }, 1)
    const c = h.invoke(1, { f: 'cas', key: 'k2', expected: 'a', value: 'b', ok: true }, 2)
    h.complete(c, { f: 'cas', key: 'k2', expected: 'a', value: 'b', ok: false }, 3)
    expect(checkHistory(h.all()).valid).toBe(false)
  })
})
