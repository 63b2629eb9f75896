/**
 * agent/gossip/core/swim.ts: the pure SWIM + Lifeguard core. Inputs are time (tick), decoded
 * packets (receive), full states from push-pull (mergeState) and local calls (leave, setTags,
 * fireUserEvent); outputs are drained by the driver (packets, TCP pings, push-pull requests,
 * events). It owns no timers, sockets or clock: the caller passes the time in ms and a Prng,
 * so the simulator replays it exactly from a seed. Schedules: a probe every probe interval
 * (stretched by the awareness score), gossip to `gossipNodes` random peers every gossip
 * interval, push-pull with one random peer every push-pull interval (scaled up above 32 nodes),
 * and a reap pass that forgets long-dead members.
 */
import type { Member, UserEvent } from '../api.js'
import { ZxError } from '../../errors.js'
import type { Prng } from '../../util/prng.js'
import { gossipLimits } from '../defaults.js'
import { BroadcastQueue } from './broadcast.js'
import { aliveNode, aliveOf, deadNode, expireSuspicions, nextSuspicionDeadlineMs, suspectNode } from './membership.js'
import type { GossipMessage, PushPullState } from './messages.js'
import {
  advanceProbe, expireRelays, handleAck, handleIndirectPing, handleNack, handlePing,
  nextRelayDeadlineMs, probeDeadlineMs, startProbe, awarenessScaled,
} from './probe.js'
import {
  broadcast, count, emitMember, randomLive, sendPacket, setState, toMember,
  type CoreOutput, type MemberRecord, type SwimConfig, type SwimState,
} from './state.js'
import {
  newUserEventState, randomId, receiveUserEvent, recentMessages, witness, type UserEventState,
} from './user-events.js'
import { assertNever } from '../../errors.js'

/** pushPullIntervalScaled grows the push-pull interval logarithmically above 32 nodes, like memberlist. */
export function pushPullIntervalScaled(intervalMs: number, nodes: number): number {
  if (nodes <= 32) return intervalMs
  return intervalMs * (Math.ceil(Math.log2(nodes) - Math.log2(32)) + 1)
}

/** tagsBytes is the size our tags count against the metadata limit. */
export function tagsBytes(tags: Record<string, string>): number {
  let size = 0
  for (const [k, v] of Object.entries(tags)) size += k.length + v.length
  return size
}

/** SwimRestore is state carried over a restart (from the snapshot). */
export interface SwimRestore {
  incarnation?: number
  eventClock?: number
}

/** SwimCore is one member's protocol state machine. */
export class SwimCore {
  readonly s: SwimState
  readonly events: UserEventState
  private nextProbeMs: number
  private nextGossipMs: number
  private nextPushPullMs: number
  private nextReapMs: number
  private nextReconnectMs: number

  constructor(config: SwimConfig, rng: Prng, nowMs: number, restore: SwimRestore = {}) {
    if (tagsBytes(config.tags) > gossipLimits.tagsBytesMax) throw new ZxError('ZX_ERR_BAD_REQUEST', 'node tags exceed the metadata size limit')
    const t = config.timings
    this.s = {
      config, rng, members: new Map(), live: [], liveIndex: new Map(), recentlyDead: [], incarnation: restore.incarnation ?? 0,
      leaving: false, seq: rng.int(1 << 30), probeOrder: [], probeIndex: 0, probe: undefined, relays: new Map(),
      suspicions: new Map(), awareness: 0, broadcasts: new BroadcastQueue(gossipLimits.broadcastQueueMax), outbox: [], stats: {},
    }
    this.events = newUserEventState(restore.eventClock ?? 0)
    const self: MemberRecord = {
      name: config.name, endpoint: config.endpoint, tags: { ...config.tags }, incarnation: this.s.incarnation,
      state: 'alive', stateChangeMs: nowMs,
    }
    this.s.members.set(config.name, self)
    broadcast(this.s, config.name, aliveOf(self))
    // Random phases keep a cluster started at once from probing and gossiping in lockstep.
    this.nextProbeMs = nowMs + rng.next() * t.probeIntervalMs
    this.nextGossipMs = nowMs + rng.next() * t.gossipIntervalMs
    this.nextPushPullMs = nowMs + t.pushPullIntervalMs * (0.5 + rng.next())
    this.nextReapMs = nowMs + t.reapIntervalMs
    this.nextReconnectMs = nowMs + t.reconnectIntervalMs * (0.5 + rng.next())
  }

  /** tick runs everything due at `nowMs`. */
  tick(nowMs: number): void {
    const s = this.s
    const t = s.config.timings
    advanceProbe(s, nowMs)
    expireRelays(s, nowMs)
    expireSuspicions(s, nowMs)
    if (nowMs >= this.nextProbeMs) {
      this.nextProbeMs = nowMs + awarenessScaled(s, t.probeIntervalMs)
      if (!s.leaving) startProbe(s, nowMs)
    }
    if (nowMs >= this.nextGossipMs) {
      this.nextGossipMs = Math.max(this.nextGossipMs + t.gossipIntervalMs, nowMs + t.gossipIntervalMs / 2)
      this.gossip(nowMs)
    }
    if (nowMs >= this.nextPushPullMs) {
      this.nextPushPullMs = nowMs + pushPullIntervalScaled(t.pushPullIntervalMs, s.live.length + 1)
      const peer = randomLive(s, 1, undefined)[0]
      if (peer !== undefined && peer.state === 'alive') s.outbox.push({ type: 'push-pull', to: peer.endpoint, name: peer.name })
    }
    if (nowMs >= this.nextReconnectMs) {
      this.nextReconnectMs = nowMs + t.reconnectIntervalMs
      this.reconnect()
    }
    if (nowMs >= this.nextReapMs) {
      this.nextReapMs = nowMs + t.reapIntervalMs
      this.reap(nowMs)
    }
  }

  /** nextDeadlineMs is when tick next has work to do. */
  nextDeadlineMs(): number {
    return Math.min(
      this.nextProbeMs, this.nextGossipMs, this.nextPushPullMs, this.nextReapMs, this.nextReconnectMs,
      probeDeadlineMs(this.s), nextRelayDeadlineMs(this.s), nextSuspicionDeadlineMs(this.s),
    )
  }

  private gossip(nowMs: number): void {
    const s = this.s
    if (s.broadcasts.size === 0) return
    count(s, 'gossipRounds')
    const targets = randomLive(s, s.config.timings.gossipNodes, undefined).map((r) => r.endpoint)
    s.recentlyDead = s.recentlyDead.filter((name) => {
      const r = s.members.get(name)
      return r !== undefined && (r.state === 'dead' || r.state === 'left') && nowMs - r.stateChangeMs < s.config.timings.gossipToTheDeadMs
    })
    // Gossip to the dead: a wrongly declared node hears it and refutes.
    if (s.recentlyDead.length > 0 && s.rng.int(s.live.length + s.recentlyDead.length) >= s.live.length) {
      targets.push(s.members.get(s.recentlyDead[s.rng.int(s.recentlyDead.length)]!)!.endpoint)
    }
    for (const to of targets) sendPacket(s, to, undefined)
  }

  /** reconnect push-pulls with one random failed member, as serf does; this heals partitions. */
  private reconnect(): void {
    const s = this.s
    if (s.leaving) return
    const failed: MemberRecord[] = []
    for (const r of s.members.values()) if (r.state === 'dead') failed.push(r)
    if (failed.length === 0) return
    const pick = failed[s.rng.int(failed.length)]!
    count(s, 'reconnectAttempts')
    s.outbox.push({ type: 'push-pull', to: pick.endpoint, name: pick.name })
  }

  private reap(nowMs: number): void {
    const s = this.s
    const t = s.config.timings
    for (const [name, r] of s.members) {
      const age = nowMs - r.stateChangeMs
      if ((r.state === 'dead' && age > t.reconnectTimeoutMs) || (r.state === 'left' && age > t.tombstoneTimeoutMs)) {
        s.members.delete(name)
        count(s, 'reaped')
        emitMember(s, 'reap', r)
      }
    }
  }

  /** receive handles the messages of one decoded packet. */
  receive(messages: GossipMessage[], nowMs: number): void {
    const s = this.s
    for (const m of messages) {
      count(s, 'messagesReceived')
      switch (m.type) {
        case 'ping': handlePing(s, m); break
        case 'indirect-ping': handleIndirectPing(s, m, nowMs); break
        case 'ack': handleAck(s, m); break
        case 'nack': handleNack(s, m); break
        case 'alive': aliveNode(s, m, nowMs); break
        case 'suspect': suspectNode(s, m, nowMs); break
        case 'dead': deadNode(s, m, nowMs); break
        case 'user': receiveUserEvent(s, this.events, m); break
        default: assertNever(m)
      }
    }
  }

  /** localState is our full state for a push-pull exchange. */
  localState(join: boolean): PushPullState {
    const members = [...this.s.members.values()].map((r) => ({
      name: r.name, endpoint: r.endpoint, tags: r.tags, incarnation: r.incarnation,
      state: r.name === this.s.config.name && this.s.leaving ? 'left' as const : r.state,
    }))
    return { join, from: this.s.config.name, members, eventLtime: this.events.clock, events: recentMessages(this.events) }
  }

  /** mergeState folds a remote full state into ours (dead claims are only suspicions here). */
  mergeState(remote: PushPullState, nowMs: number): void {
    const s = this.s
    count(s, 'pushPullMerges')
    for (const m of remote.members) {
      switch (m.state) {
        case 'alive': aliveNode(s, { type: 'alive', name: m.name, incarnation: m.incarnation, endpoint: m.endpoint, tags: m.tags }, nowMs); break
        case 'left': deadNode(this.s, { type: 'dead', name: m.name, incarnation: m.incarnation, from: m.name }, nowMs); break
        case 'dead':
        case 'suspect': suspectNode(s, { type: 'suspect', name: m.name, incarnation: m.incarnation, from: remote.from }, nowMs); break
        default: assertNever(m.state)
      }
    }
    witness(this.events, Math.max(0, remote.eventLtime - 1))
    for (const e of remote.events) receiveUserEvent(s, this.events, e)
  }

  /** leave announces our graceful departure; probing stops, gossip continues until closed. */
  leave(): void {
    const s = this.s
    if (s.leaving) return
    s.leaving = true
    s.probe = undefined
    broadcast(s, s.config.name, { type: 'dead', name: s.config.name, incarnation: s.incarnation, from: s.config.name })
  }

  /** leaveSpread tells whether our leave has been sent its full number of times (or nobody is left to tell). */
  leaveSpread(): boolean {
    return this.s.leaving && (!this.s.broadcasts.has(this.s.config.name) || this.s.live.length === 0)
  }

  /** forceLeave marks a failed member left and gossips it; prune forgets it entirely. */
  forceLeave(name: string, prune: boolean, nowMs: number): boolean {
    const s = this.s
    const r = s.members.get(name)
    if (r === undefined || name === s.config.name) return false
    if (r.state === 'dead' || (prune && r.state === 'left')) {
      deadNode(this.s, { type: 'dead', name, incarnation: r.incarnation, from: name }, nowMs)
    } else if (r.state !== 'left') {
      return false
    }
    if (prune) {
      setState(s, r, 'left', nowMs)
      s.members.delete(name)
      emitMember(s, 'reap', r)
    }
    return true
  }

  /** setTags replaces our metadata and gossips it under a new incarnation. */
  setTags(tags: Record<string, string>): void {
    if (tagsBytes(tags) > gossipLimits.tagsBytesMax) {
      throw new ZxError('ZX_ERR_BAD_REQUEST', `node tags are ${tagsBytes(tags)} bytes; the limit is ${gossipLimits.tagsBytesMax}`)
    }
    const self = this.s.members.get(this.s.config.name)!
    self.tags = { ...tags }
    this.s.incarnation += 1
    self.incarnation = this.s.incarnation
    broadcast(this.s, self.name, aliveOf(self))
  }

  /** fireUserEvent stamps an event with the Lamport clock and gossips it. */
  fireUserEvent(event: Omit<UserEvent, 'id' | 'ltime' | 'version'>): UserEvent {
    if (event.name.length + (event.payload?.length ?? 0) > gossipLimits.userEventBytesMax) {
      throw new ZxError('ZX_ERR_TOO_LARGE', `user event exceeds ${gossipLimits.userEventBytesMax} bytes`)
    }
    const ltime = this.events.clock
    this.events.clock += 1
    const message = { type: 'user' as const, id: randomId(this.s), ltime, ...event }
    receiveUserEvent(this.s, this.events, message)
    return { ...event, id: message.id, ltime, version: 1 }
  }

  /** userEventsCount is how many user events the recent buffer holds. */
  userEventsCount(): number {
    return this.events.recent.length
  }

  /** members lists every known member, us included. */
  members(): Member[] {
    return [...this.s.members.values()].map((r) => this.render(r))
  }

  /** localMember is our own entry. */
  localMember(): Member {
    return this.render(this.s.members.get(this.s.config.name)!)
  }

  private render(r: MemberRecord): Member {
    const member = toMember(r)
    if (r.name === this.s.config.name && this.s.leaving) member.status = 'leaving'
    return member
  }

  /** clearBroadcasts drops every pending update; simulations use it to isolate one rumor. */
  clearBroadcasts(): void {
    this.s.broadcasts = new BroadcastQueue(gossipLimits.broadcastQueueMax)
  }

  /** drain hands the queued outputs to the driver. */
  drain(): CoreOutput[] {
    const out = this.s.outbox
    this.s.outbox = []
    return out
  }

  /** stats returns the counters plus gauges. */
  stats(): Record<string, number> {
    return {
      ...this.s.stats, awareness: this.s.awareness, members: this.s.members.size, liveMembers: this.s.live.length + 1,
      broadcastQueue: this.s.broadcasts.size, suspicions: this.s.suspicions.size, incarnation: this.s.incarnation,
      eventClock: this.events.clock,
    }
  }
}
