/**
 * test/sim/raft/checkers.ts: Raft's safety properties (Raft paper, Figure 3) checked while the
 * simulation runs. A violation throws a SafetyViolation; the schedule runner prints the seed.
 *  - election safety: at most one leader per term;
 *  - leader append-only: a leader never overwrites or deletes entries of its own log;
 *  - log matching: same index and term ⇒ identical entries and identical prefixes;
 *  - leader completeness: a new leader's log holds every entry applied anywhere;
 *  - state machine safety: every server applies the same entry (and state) at each index.
 */
import type { RaftCore } from '../../../agent/raft/core/core.js'

/** SafetyViolation is a broken Raft invariant. */
export class SafetyViolation extends Error {
  override name = 'SafetyViolation'
}

/** SafetyChecker accumulates what the servers did and checks every new fact against it. */
export class SafetyChecker {
  private readonly leaders = new Map<number, string>()
  /** appliedHash[index] is the state machine hash after applying index (state machine safety). */
  private readonly appliedHash = new Map<number, number>()
  /** appliedTerm[index] is the term of the entry applied at index (leader completeness). */
  private readonly appliedTerm = new Map<number, number>()
  private readonly leaderView = new Map<string, { term: number; lastIndex: number; lastTerm: number }>()
  checks = 0

  /** observe checks one server after it handled a step or tick. */
  observe(core: RaftCore): void {
    this.checks++
    if (core.role !== 'leader') return
    const term = core.term
    const existing = this.leaders.get(term)
    if (existing !== undefined && existing !== core.id) {
      throw new SafetyViolation(`election safety: ${existing} and ${core.id} both lead term ${term}`)
    }
    const view = this.leaderView.get(core.id)
    if (existing === undefined) {
      this.leaders.set(term, core.id)
      this.checkCompleteness(core)
    } else if (view !== undefined && view.term === term) {
      if (core.log.lastIndex() < view.lastIndex) {
        throw new SafetyViolation(`leader append-only: ${core.id} log shrank from ${view.lastIndex} to ${core.log.lastIndex()} in term ${term}`)
      }
      const t = core.log.term(view.lastIndex)
      if (t !== undefined && t !== view.lastTerm) {
        throw new SafetyViolation(`leader append-only: ${core.id} rewrote index ${view.lastIndex} in term ${term}`)
      }
    }
    this.leaderView.set(core.id, { term, lastIndex: core.log.lastIndex(), lastTerm: core.log.lastTerm() })
  }

  private checkCompleteness(core: RaftCore): void {
    const first = core.log.firstIndex()
    for (const [index, term] of this.appliedTerm) {
      if (index < first - 1) continue
      const t = core.log.term(index)
      if (t !== term) {
        throw new SafetyViolation(`leader completeness: new leader ${core.id} (term ${core.term}) has term ${t} at applied index ${index}, expected ${term}`)
      }
    }
  }

  /** applied records that a server applied index (entry term) reaching state hash. */
  applied(id: string, index: number, term: number, hash: number): void {
    const h = this.appliedHash.get(index)
    if (h === undefined) {
      this.appliedHash.set(index, hash)
      this.appliedTerm.set(index, term)
    } else if (h !== hash || this.appliedTerm.get(index) !== term) {
      throw new SafetyViolation(`state machine safety: ${id} applied a different entry/state at index ${index}`)
    }
  }

  /** restored records that a server restored a snapshot whose state hash is known. */
  restored(id: string, index: number, hash: number): void {
    const h = this.appliedHash.get(index)
    if (h !== undefined && h !== hash) throw new SafetyViolation(`state machine safety: ${id} restored a divergent snapshot at ${index}`)
  }

  /** appliedCount is the number of distinct indexes applied anywhere. */
  appliedCount(): number {
    return this.appliedHash.size
  }

  /** leaderOf returns who led term, if anyone. */
  leaderOf(term: number): string | undefined {
    return this.leaders.get(term)
  }
}

/** checkLogMatching compares two servers' logs (Raft §5.3's log matching property). */
export function checkLogMatching(a: RaftCore, b: RaftCore): void {
  const lo = Math.max(a.log.firstIndex(), b.log.firstIndex())
  let i = Math.min(a.log.lastIndex(), b.log.lastIndex())
  while (i >= lo && a.log.term(i) !== b.log.term(i)) i--
  if (i < lo) return
  // From here down both logs must agree entry by entry.
  const ea = a.log.entries(lo, i + 1, Number.MAX_SAFE_INTEGER)
  const eb = b.log.entries(lo, i + 1, Number.MAX_SAFE_INTEGER)
  for (let k = 0; k < ea.length; k++) {
    const x = ea[k]!
    const y = eb[k]!
    if (x.term !== y.term || x.type !== y.type || !sameBytes(x.data, y.data)) {
      throw new SafetyViolation(`log matching: ${a.id} and ${b.id} agree at ${i} but differ at ${x.index}`)
    }
  }
}

function sameBytes(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false
  return true
}
