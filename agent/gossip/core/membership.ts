/**
 * agent/gossip/core/membership.ts: how alive, suspect and dead updates change the member table.
 * Incarnation numbers order updates about one member: an update with an older incarnation is
 * stale and ignored; a suspect or dead claim about ourselves is refuted by gossiping alive with
 * a higher incarnation (SWIM §4.2). A suspicion turns into a failure when its Lifeguard timer
 * runs out; a dead update sent by the member itself means it left gracefully.
 */
import type { AliveMessage, DeadMessage, SuspectMessage } from './messages.js'
import {
  broadcast, clusterSize, count, emitMember, setState, toMember, type MemberRecord, type SwimState,
} from './state.js'
import { confirm, expectedConfirmations, newSuspicion, suspicionBoundsMs, suspicionDeadlineMs } from './suspicion.js'

/** refute gossips that we are alive with an incarnation above `accused`. */
export function refute(s: SwimState, accused: number): void {
  s.incarnation = Math.max(s.incarnation, accused) + 1
  const self = s.members.get(s.config.name)!
  self.incarnation = s.incarnation
  count(s, 'refutes')
  s.awareness = Math.min(s.config.timings.awarenessMaxMultiplier - 1, s.awareness + 1)
  broadcast(s, s.config.name, aliveOf(self))
}

/** aliveOf renders a member as an alive message. */
export function aliveOf(record: MemberRecord): AliveMessage {
  return { type: 'alive', name: record.name, incarnation: record.incarnation, endpoint: record.endpoint, tags: record.tags }
}

function sameTags(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  for (const k of ka) if (a[k] !== b[k]) return false
  return true
}

/** aliveNode applies an alive update. */
export function aliveNode(s: SwimState, m: AliveMessage, nowMs: number): void {
  if (m.name === s.config.name) {
    if (m.incarnation > s.incarnation && !s.leaving) refute(s, m.incarnation)
    return
  }
  const record = s.members.get(m.name)
  if (record === undefined) {
    const added: MemberRecord = { name: m.name, endpoint: m.endpoint, tags: m.tags, incarnation: m.incarnation, state: 'alive', stateChangeMs: nowMs }
    s.members.set(m.name, added)
    setState(s, added, 'alive', nowMs)
    s.probeOrder.splice(s.rng.int(s.probeOrder.length + 1), 0, m.name)
    broadcast(s, m.name, m)
    emitMember(s, 'join', added)
    return
  }
  if (m.incarnation <= record.incarnation) return
  const previous = record.state
  const tagsChanged = !sameTags(record.tags, m.tags)
  const moved = record.endpoint.addr !== m.endpoint.addr || record.endpoint.port !== m.endpoint.port
  record.incarnation = m.incarnation
  record.endpoint = m.endpoint
  record.tags = m.tags
  s.suspicions.delete(m.name)
  setState(s, record, 'alive', nowMs)
  broadcast(s, m.name, m)
  if (previous === 'dead' || previous === 'left') emitMember(s, 'join', record)
  else if (previous === 'suspect') emitMember(s, 'alive', record)
  else if (tagsChanged || moved) emitMember(s, 'update', record)  // a new address is news too (raft dials it)
}

/** suspectNode applies a suspect update (or confirms an ongoing suspicion). */
export function suspectNode(s: SwimState, m: SuspectMessage, nowMs: number): void {
  if (m.name === s.config.name) {
    if (!s.leaving && m.incarnation >= s.incarnation) refute(s, m.incarnation)
    return
  }
  const record = s.members.get(m.name)
  if (record === undefined || m.incarnation < record.incarnation) return
  if (record.state === 'dead' || record.state === 'left') return
  const ongoing = s.suspicions.get(m.name)
  if (record.state === 'suspect' && ongoing !== undefined) {
    if (m.incarnation === record.incarnation && confirm(ongoing, m.from)) {
      count(s, 'suspicionConfirmations')
      broadcast(s, m.name, m)
    }
    return
  }
  record.incarnation = m.incarnation
  setState(s, record, 'suspect', nowMs)
  const n = clusterSize(s)
  const t = s.config.timings
  const [minMs, maxMs] = suspicionBoundsMs(t.suspicionMult, t.suspicionMaxTimeoutMult, n, t.probeIntervalMs)
  s.suspicions.set(m.name, newSuspicion(nowMs, minMs, maxMs, expectedConfirmations(t.suspicionMult, n), m.from))
  count(s, 'suspects')
  broadcast(s, m.name, m)
  s.outbox.push({ type: 'member', event: { type: 'suspect', member: toMember(record), from: m.from } })
}

/** deadNode applies a dead update; from === name means a graceful leave. */
export function deadNode(s: SwimState, m: DeadMessage, nowMs: number): void {
  if (m.name === s.config.name) {
    if (!s.leaving && m.incarnation >= s.incarnation) refute(s, m.incarnation)
    return
  }
  const record = s.members.get(m.name)
  if (record === undefined || m.incarnation < record.incarnation) return
  if (record.state === 'dead' || record.state === 'left') {
    // A leave beats a failure: a node that left while we thought it dead is recorded as left.
    if (!(record.state === 'dead' && m.from === m.name)) return
  }
  record.incarnation = m.incarnation
  s.suspicions.delete(m.name)
  const left = m.from === m.name
  setState(s, record, left ? 'left' : 'dead', nowMs)
  count(s, left ? 'leavesSeen' : 'deathsDeclared')
  broadcast(s, m.name, m)
  emitMember(s, left ? 'leave' : 'failed', record)
}

/** expireSuspicions declares dead every suspect whose timer ran out. */
export function expireSuspicions(s: SwimState, nowMs: number): void {
  for (const [name, suspicion] of s.suspicions) {
    if (nowMs < suspicionDeadlineMs(suspicion)) continue
    const record = s.members.get(name)
    s.suspicions.delete(name)
    if (record === undefined || record.state !== 'suspect') continue
    deadNode(s, { type: 'dead', name, incarnation: record.incarnation, from: s.config.name }, nowMs)
  }
}

/** nextSuspicionDeadlineMs is the earliest suspicion timeout, or Infinity. */
export function nextSuspicionDeadlineMs(s: SwimState): number {
  let next = Infinity
  for (const suspicion of s.suspicions.values()) next = Math.min(next, suspicionDeadlineMs(suspicion))
  return next
}
