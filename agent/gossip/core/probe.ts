/**
 * agent/gossip/core/probe.ts: SWIM failure detection. Once per probe interval the core pings
 * the next member of a shuffled round-robin list. Without an ack within the probe timeout it
 * asks `indirectChecks` random members to ping the target for it (they answer nack if the
 * target stays silent) and the driver tries a TCP ping as well. No ack by the end of the
 * interval makes the target suspect. Lifeguard's local health awareness: a failed probe whose
 * helpers also failed to send nacks suggests that we, not the target, are slow, so the
 * awareness score rises and stretches our own probe interval and timeout.
 */
import type { AckMessage, Endpoint, IndirectPingMessage, NackMessage, PingMessage } from './messages.js'
import { suspectNode } from './membership.js'
import { count, randomLive, sendPacket, type SwimState } from './state.js'

/** awarenessScaled multiplies a duration by the awareness score + 1. */
export function awarenessScaled(s: SwimState, ms: number): number {
  return ms * (s.awareness + 1)
}

function applyAwareness(s: SwimState, delta: number): void {
  const max = s.config.timings.awarenessMaxMultiplier - 1
  s.awareness = Math.max(0, Math.min(max, s.awareness + delta))
}

function nextTarget(s: SwimState): string | undefined {
  for (let checked = 0; checked <= s.probeOrder.length; checked++) {
    if (s.probeIndex >= s.probeOrder.length) reshuffle(s)
    const name = s.probeOrder[s.probeIndex++]
    if (name === undefined) return undefined
    const record = s.members.get(name)
    if (record !== undefined && (record.state === 'alive' || record.state === 'suspect')) return name
  }
  return undefined
}

/** reshuffle rebuilds the probe order from known members (Fisher–Yates), dropping reaped ones. */
function reshuffle(s: SwimState): void {
  const order = [...s.members.keys()].filter((n) => n !== s.config.name)
  for (let i = order.length - 1; i > 0; i--) {
    const j = s.rng.int(i + 1)
    const tmp = order[i]!
    order[i] = order[j]!
    order[j] = tmp
  }
  s.probeOrder = order
  s.probeIndex = 0
}

/** startProbe pings the next member in the round-robin order. */
export function startProbe(s: SwimState, nowMs: number): void {
  if (s.probe !== undefined) finishProbe(s, nowMs) // an unfinished probe counts as failed
  const target = nextTarget(s)
  if (target === undefined) return
  const record = s.members.get(target)!
  const t = s.config.timings
  const seq = ++s.seq
  s.probe = {
    seq, target, startMs: nowMs,
    indirectAtMs: nowMs + awarenessScaled(s, t.probeTimeoutMs),
    endMs: nowMs + awarenessScaled(s, t.probeIntervalMs) - 1,
    indirectSent: false, expectedNacks: 0, nacks: 0,
  }
  count(s, 'probes')
  const ping: PingMessage = { type: 'ping', seq, target, from: s.config.name, source: s.config.endpoint }
  sendPacket(s, record.endpoint, ping)
}

/** probeDeadlineMs is when the probe in flight next needs attention. */
export function probeDeadlineMs(s: SwimState): number {
  if (s.probe === undefined) return Infinity
  return s.probe.indirectSent ? s.probe.endMs : s.probe.indirectAtMs
}

/** advanceProbe moves the probe in flight to its indirect phase or to failure. */
export function advanceProbe(s: SwimState, nowMs: number): void {
  const probe = s.probe
  if (probe === undefined) return
  if (!probe.indirectSent && nowMs >= probe.indirectAtMs) {
    probe.indirectSent = true
    const target = s.members.get(probe.target)
    if (target === undefined) { s.probe = undefined; return }
    const helpers = randomLive(s, s.config.timings.indirectChecks, probe.target)
    probe.expectedNacks = helpers.length
    for (const helper of helpers) {
      const message: IndirectPingMessage = {
        type: 'indirect-ping', seq: probe.seq, target: probe.target, targetAddr: target.endpoint,
        from: s.config.name, source: s.config.endpoint, wantNack: true,
      }
      count(s, 'indirectProbes')
      sendPacket(s, helper.endpoint, message)
    }
    s.outbox.push({ type: 'tcp-ping', to: target.endpoint, seq: probe.seq, target: probe.target })
  }
  if (probe.indirectSent && nowMs >= probe.endMs) finishProbe(s, nowMs)
}

function finishProbe(s: SwimState, nowMs: number): void {
  const probe = s.probe!
  s.probe = undefined
  count(s, 'probeFailures')
  applyAwareness(s, probe.expectedNacks > 0 ? probe.expectedNacks - probe.nacks : 1)
  const record = s.members.get(probe.target)
  if (record === undefined || (record.state !== 'alive' && record.state !== 'suspect')) return
  suspectNode(s, { type: 'suspect', name: record.name, incarnation: record.incarnation, from: s.config.name }, nowMs)
}

/** handlePing acks a ping addressed to us. */
export function handlePing(s: SwimState, m: PingMessage): void {
  if (m.target !== s.config.name) { count(s, 'dropped.wrongTarget'); return }
  const ack: AckMessage = { type: 'ack', seq: m.seq, from: s.config.name }
  sendPacket(s, m.source, ack)
}

/** handleIndirectPing pings the target for a requester and remembers to relay the answer. */
export function handleIndirectPing(s: SwimState, m: IndirectPingMessage, nowMs: number): void {
  const seq = ++s.seq
  s.relays.set(seq, {
    requester: m.source, originalSeq: m.seq, wantNack: m.wantNack,
    deadlineMs: nowMs + s.config.timings.probeTimeoutMs,
  })
  const ping: PingMessage = { type: 'ping', seq, target: m.target, from: s.config.name, source: s.config.endpoint }
  sendPacket(s, m.targetAddr, ping)
}

/** handleAck completes our probe or relays an ack for an indirect probe. */
export function handleAck(s: SwimState, m: AckMessage): void {
  const relay = s.relays.get(m.seq)
  if (relay !== undefined) {
    s.relays.delete(m.seq)
    sendPacket(s, relay.requester, { type: 'ack', seq: relay.originalSeq, from: m.from })
    return
  }
  if (s.probe === undefined || s.probe.seq !== m.seq) { count(s, 'dropped.staleAck'); return }
  s.probe = undefined
  count(s, 'probeSuccesses')
  applyAwareness(s, -1)
}

/** handleNack counts a helper's nack for our probe. */
export function handleNack(s: SwimState, m: NackMessage): void {
  if (s.probe !== undefined && s.probe.seq === m.seq) s.probe.nacks += 1
}

/** expireRelays answers nack for indirect probes whose target stayed silent. */
export function expireRelays(s: SwimState, nowMs: number): void {
  for (const [seq, relay] of s.relays) {
    if (nowMs < relay.deadlineMs) continue
    s.relays.delete(seq)
    if (relay.wantNack) sendPacket(s, relay.requester, { type: 'nack', seq: relay.originalSeq, from: s.config.name })
  }
}

/** nextRelayDeadlineMs is the earliest relay timeout, or Infinity. */
export function nextRelayDeadlineMs(s: SwimState): number {
  let next = Infinity
  for (const relay of s.relays.values()) next = Math.min(next, relay.deadlineMs)
  return next
}

/** endpointOf is a helper for tests: where a member listens. */
export function endpointOf(s: SwimState, name: string): Endpoint | undefined {
  return s.members.get(name)?.endpoint
}
