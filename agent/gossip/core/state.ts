/**
 * agent/gossip/core/state.ts: the SWIM core's shared state and its outputs. Every module of the
 * core (probe, membership changes, user events) works on one SwimState; the core class owns it.
 * Outputs accumulate in `outbox` until the driver drains them: UDP packets, TCP fallback pings,
 * push-pull requests, and member/user events for listeners.
 */
import type { Member, MemberEvent, MemberStatus, UserEvent } from '../api.js'
import type { GossipTimings } from '../defaults.js'
import type { Prng } from '../../util/prng.js'
import { BroadcastQueue, retransmitLimit } from './broadcast.js'
import type { Endpoint, GossipMessage, NodeState } from './messages.js'
import type { Suspicion } from './suspicion.js'

/** MemberRecord is the core's view of one member. */
export interface MemberRecord {
  name: string
  endpoint: Endpoint
  tags: Record<string, string>
  incarnation: number
  state: NodeState
  stateChangeMs: number
}

/** CoreOutput is one thing the driver must do after a core call. */
export type CoreOutput =
  | { type: 'packet'; to: Endpoint; messages: GossipMessage[] }
  | { type: 'tcp-ping'; to: Endpoint; seq: number; target: string }
  | { type: 'push-pull'; to: Endpoint; name: string }
  | { type: 'member'; event: MemberEvent }
  | { type: 'user'; event: UserEvent }

/** SwimConfig is what a core needs to know about itself. */
export interface SwimConfig {
  name: string
  endpoint: Endpoint
  tags: Record<string, string>
  timings: GossipTimings
  /** packetBytesMax is the UDP payload budget after sealing overhead. */
  packetBytesMax: number
  /** sizeOf returns a message's encoded size (the codec's, or an estimate in simulations). */
  sizeOf: (message: GossipMessage) => number
}

/** ProbeState tracks the probe in flight. */
export interface ProbeState {
  seq: number
  target: string
  startMs: number
  indirectAtMs: number
  endMs: number
  indirectSent: boolean
  expectedNacks: number
  nacks: number
}

/** RelayState tracks an indirect ping we forward for someone else. */
export interface RelayState {
  requester: Endpoint
  originalSeq: number
  wantNack: boolean
  deadlineMs: number
}

/** SwimState is everything the core knows. */
export interface SwimState {
  config: SwimConfig
  rng: Prng
  members: Map<string, MemberRecord>
  /** live is the names of alive or suspect members other than us, for O(1) random picks. */
  live: string[]
  liveIndex: Map<string, number>
  /** recentlyDead is members that died or left lately, still gossiped to so they can refute. */
  recentlyDead: string[]
  incarnation: number
  leaving: boolean
  seq: number
  probeOrder: string[]
  probeIndex: number
  probe: ProbeState | undefined
  relays: Map<number, RelayState>
  suspicions: Map<string, Suspicion>
  awareness: number
  broadcasts: BroadcastQueue
  outbox: CoreOutput[]
  stats: Record<string, number>
}

/** count bumps a named counter. */
export function count(s: SwimState, name: string, by = 1): void {
  s.stats[name] = (s.stats[name] ?? 0) + by
}

/** memberStatus maps a protocol state to the API status. */
export function memberStatus(record: MemberRecord): MemberStatus {
  switch (record.state) {
    case 'alive': return 'alive'
    case 'suspect': return 'suspect'
    case 'dead': return 'failed'
    case 'left': return 'left'
  }
}

/** toMember renders a record for the API. */
export function toMember(record: MemberRecord): Member {
  return {
    name: record.name, addr: record.endpoint.addr, port: record.endpoint.port,
    tags: { ...record.tags }, status: memberStatus(record), incarnation: record.incarnation,
  }
}

/** emitMember queues a member event for listeners. */
export function emitMember(s: SwimState, type: Exclude<MemberEvent['type'], 'suspect'>, record: MemberRecord): void {
  s.outbox.push({ type: 'member', event: { type, member: toMember(record) } })
}

/** broadcast queues a gossip update under `key`. */
export function broadcast(s: SwimState, key: string, message: GossipMessage): void {
  s.broadcasts.enqueue(key, message, s.config.sizeOf(message))
}

/** clusterSize counts members that are not dead or left, us included. */
export function clusterSize(s: SwimState): number {
  return s.live.length + 1
}

/** currentRetransmitLimit is the transmit budget for updates at the current size. */
export function currentRetransmitLimit(s: SwimState): number {
  return retransmitLimit(s.config.timings.retransmitMult, clusterSize(s))
}

/** setState changes a member's state and keeps the live index in step. */
export function setState(s: SwimState, record: MemberRecord, state: NodeState, nowMs: number): void {
  if (record.state !== state) record.stateChangeMs = nowMs
  record.state = state
  const isLive = state === 'alive' || state === 'suspect'
  const index = s.liveIndex.get(record.name)
  if (isLive && index === undefined && record.name !== s.config.name) {
    s.liveIndex.set(record.name, s.live.length)
    s.live.push(record.name)
  } else if (!isLive && index !== undefined) {
    s.recentlyDead.push(record.name)
    const last = s.live.pop()!
    if (last !== record.name) {
      s.live[index] = last
      s.liveIndex.set(last, index)
    }
    s.liveIndex.delete(record.name)
  }
}

/** randomLive picks up to k distinct live members, skipping `exclude`. */
export function randomLive(s: SwimState, k: number, exclude: string | undefined): MemberRecord[] {
  const out: MemberRecord[] = []
  const n = s.live.length
  if (n === 0) return out
  const tries = 3 * k + 3
  const chosen = new Set<string>()
  for (let i = 0; i < tries && out.length < k; i++) {
    const name = s.live[s.rng.int(n)]!
    if (name === exclude || chosen.has(name)) continue
    chosen.add(name)
    out.push(s.members.get(name)!)
  }
  return out
}

/** sendPacket queues a UDP packet to `to`, piggybacking as many broadcasts as fit. */
export function sendPacket(s: SwimState, to: Endpoint, first: GossipMessage | undefined): void {
  const messages: GossipMessage[] = []
  let budget = s.config.packetBytesMax - 4
  if (first !== undefined) {
    messages.push(first)
    budget -= s.config.sizeOf(first) + 2
  }
  const extra = s.broadcasts.take(2, budget, 254 - messages.length, currentRetransmitLimit(s))
  for (const m of extra) messages.push(m)
  if (messages.length === 0) return
  count(s, 'packetsQueued')
  s.outbox.push({ type: 'packet', to, messages })
}
