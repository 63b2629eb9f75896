/**
 * agent/gossip/core/suspicion.ts: Lifeguard's dynamic suspicion timeout. A suspected member is
 * declared dead after a timeout that starts at `max` and shrinks towards `min` as independent
 * members confirm the suspicion: timeout(c) = max − (max − min)·log(c+1)/log(k+1), where k is
 * the number of confirmations expected. With min = suspicionMult·max(1, log10 N)·probeInterval,
 * a lone (maybe wrong) suspicion waits long enough for the member to refute, while a failure
 * many members see is declared quickly.
 */

/** Suspicion is the pure timer state of one suspected member. */
export interface Suspicion {
  startMs: number
  minMs: number
  maxMs: number
  expected: number
  confirmations: Set<string>
}

/** suspicionBoundsMs returns [min, max] suspicion timeouts for a cluster of `nodes`. */
export function suspicionBoundsMs(suspicionMult: number, maxMult: number, nodes: number, probeIntervalMs: number): [number, number] {
  const min = suspicionMult * Math.max(1, Math.log10(Math.max(1, nodes))) * probeIntervalMs
  return [min, min * maxMult]
}

/**
 * expectedConfirmations is Lifeguard's k for a cluster of `nodes`: suspicionMult − 2 (the timer
 * reaches `min` about two probe intervals before a lone accuser's would), or 0 when fewer than
 * k other members (everyone but us and the suspect) could confirm. Memberlist does the same: a
 * small cluster that cannot gather k confirmations waits `min`, not `max`, instead of being
 * capped at N − 2 confirmations (which made a 3-node cluster wait for one confirmation or 6·min).
 */
export function expectedConfirmations(suspicionMult: number, nodes: number): number {
  const k = suspicionMult - 2
  return nodes - 2 < k ? 0 : Math.max(0, k)
}

/** newSuspicion starts a timer; `from` (the first accuser) does not count as a confirmation. */
export function newSuspicion(nowMs: number, minMs: number, maxMs: number, expected: number, from: string): Suspicion {
  return { startMs: nowMs, minMs, maxMs, expected, confirmations: new Set([from]) }
}

/** confirm records an independent accuser; true if it was new (worth re-gossiping). */
export function confirm(s: Suspicion, from: string): boolean {
  if (s.confirmations.has(from)) return false
  if (s.confirmations.size - 1 >= s.expected) return false
  s.confirmations.add(from)
  return true
}

/** suspicionDeadlineMs is when the member should be declared dead. */
export function suspicionDeadlineMs(s: Suspicion): number {
  if (s.expected < 1) return s.startMs + s.minMs
  const c = s.confirmations.size - 1
  const frac = Math.log(c + 1) / Math.log(s.expected + 1)
  const timeout = Math.max(s.minMs, Math.floor(s.maxMs - (s.maxMs - s.minMs) * frac))
  return s.startMs + timeout
}
