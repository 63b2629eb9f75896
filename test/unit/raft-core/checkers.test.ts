// Goal: the simulator's safety checkers really fail on broken histories (a checker that cannot
// fail proves nothing). Method: feed SafetyChecker hand-made facts that break each property.
import { describe, expect, it } from 'vitest'
import type { RaftCore } from '../../../agent/raft/core/core.js'
import { SafetyChecker } from '../../sim/raft/checkers.js'

function fakeLeader(id: string, term: number, terms: number[]): RaftCore {
  const log = {
    firstIndex: () => 1,
    lastIndex: () => terms.length,
    lastTerm: () => terms[terms.length - 1] ?? 0,
    term: (i: number) => (i === 0 ? 0 : terms[i - 1]),
  }
  return { id, term, role: 'leader', log } as unknown as RaftCore
}

describe('SafetyChecker', () => {
  it('flags two leaders in one term (election safety)', () => {
    const c = new SafetyChecker()
    c.observe(fakeLeader('n1', 2, [1, 2]))
    expect(() => c.observe(fakeLeader('n2', 2, [1, 2]))).toThrow(/election safety/)
  })

  it('flags a leader whose log shrinks or is rewritten within its term (leader append-only)', () => {
    const c = new SafetyChecker()
    c.observe(fakeLeader('n1', 2, [1, 2, 2]))
    expect(() => c.observe(fakeLeader('n1', 2, [1, 2]))).toThrow(/append-only/)
  })

  it('flags a new leader missing an applied entry (leader completeness)', () => {
    const c = new SafetyChecker()
    c.applied('n1', 1, 1, 111)
    c.applied('n1', 2, 1, 222)
    expect(() => c.observe(fakeLeader('n3', 3, [1]))).toThrow(/leader completeness/)
  })

  it('flags two servers applying different states at one index (state machine safety)', () => {
    const c = new SafetyChecker()
    c.applied('n1', 5, 2, 0xabc)
    expect(() => c.applied('n2', 5, 2, 0xdef)).toThrow(/state machine safety/)
  })
})
