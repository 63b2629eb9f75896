/**
 * agent/gossip/core/user-events.ts: user events (/v1/event/fire) gossiped like serf's. Each
 * event is stamped with a Lamport clock so every node orders events consistently; receivers
 * witness the time (clock = max(clock, ltime + 1)), drop duplicates by id, drop events older
 * than the buffer can hold, keep the newest `userEventBufferMax` events for /v1/event/list and
 * re-gossip each new event with the usual transmit limit.
 */
import type { UserEvent } from '../api.js'
import { gossipLimits } from '../defaults.js'
import type { UserEventMessage } from './messages.js'
import { broadcast, count, type SwimState } from './state.js'

/** UserEventState is the Lamport clock and recent buffer of user events. */
export interface UserEventState {
  clock: number
  recent: UserEvent[]
  seen: Set<string>
}

/** newUserEventState starts an empty buffer at Lamport time 0 (or a restored time). */
export function newUserEventState(clock = 0): UserEventState {
  return { clock, recent: [], seen: new Set() }
}

/** toUserEvent renders a gossip message as the API's event. */
export function toUserEvent(m: UserEventMessage): UserEvent {
  return {
    id: m.id, name: m.name, payload: m.payload, nodeFilter: m.nodeFilter,
    serviceFilter: m.serviceFilter, tagFilter: m.tagFilter, version: 1, ltime: m.ltime,
  }
}

/** witness advances the clock past a time seen from another node. */
export function witness(u: UserEventState, ltime: number): void {
  if (ltime >= u.clock) u.clock = ltime + 1
}

/** receiveUserEvent records and re-gossips an event; false if it was a duplicate or too old. */
export function receiveUserEvent(s: SwimState, u: UserEventState, m: UserEventMessage): boolean {
  witness(u, m.ltime)
  if (u.seen.has(m.id)) return false
  const oldest = u.clock - gossipLimits.userEventBufferMax
  if (m.ltime < oldest && u.recent.length >= gossipLimits.userEventBufferMax) {
    count(s, 'userEventsTooOld')
    return false
  }
  u.seen.add(m.id)
  u.recent.push(toUserEvent(m))
  if (u.recent.length > gossipLimits.userEventBufferMax) {
    const dropped = u.recent.shift()!
    u.seen.delete(dropped.id)
  }
  count(s, 'userEvents')
  broadcast(s, `event:${m.id}`, m)
  s.outbox.push({ type: 'user', event: toUserEvent(m) })
  return true
}

/** recentMessages returns the buffer as gossip messages, for push-pull. */
export function recentMessages(u: UserEventState): UserEventMessage[] {
  return u.recent.map((e) => ({
    type: 'user', id: e.id, name: e.name, ltime: e.ltime, payload: e.payload,
    nodeFilter: e.nodeFilter, serviceFilter: e.serviceFilter, tagFilter: e.tagFilter,
  }))
}

/** randomId returns a UUID-shaped id drawn from the core's Prng. */
export function randomId(s: SwimState): string {
  const hex = (n: number): string => {
    let out = ''
    for (let i = 0; i < n; i++) out += s.rng.int(16).toString(16)
    return out
  }
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[s.rng.int(4)]}${hex(3)}-${hex(12)}`
}
