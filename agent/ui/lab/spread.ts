/**
 * agent/ui/lab/spread.ts: measures how a membership change spread through the cluster. Every
 * agent records when its own pool saw a change (member X failed, left, joined …); putting the
 * agents' records side by side tells when the first one noticed, when the last one did, and so
 * how many gossip rounds the news took to reach everyone. Clocks are the lab machine's own (all
 * nodes share it), so the spread is in wall-clock ms; rounds = ceil(spread / gossip interval)
 * + 1 (the round in which the first agent learned it counts). Pure: the UI and tests call it.
 */
import type { ZxGossipEvent } from './wire.js'

/** Observation is one agent's record of one membership event. */
export interface Observation {
  observer: string
  event: ZxGossipEvent
}

/** SpreadRow is one membership change and how far it has spread. */
export interface SpreadRow {
  member: string
  type: ZxGossipEvent['type']
  incarnation: number
  firstMs: number
  lastMs: number
  firstObserver: string
  reached: string[]
  /** expected are the live observers that should learn it (never the member itself: a pool reports changes of others). */
  expected: string[]
  complete: boolean
  spreadMs: number
  /** rounds is known once complete and the gossip interval is known. */
  rounds: number | undefined
}

const tracked = new Set<ZxGossipEvent['type']>(['join', 'suspect', 'alive', 'failed', 'leave'])

/**
 * spreadRows groups observations of the same change (same member, type and incarnation, at
 * most one per observer, within windowMs of the first) and measures each group, newest first.
 */
export function spreadRows(observations: Observation[], liveObservers: string[], gossipIntervalMs: number | undefined, windowMs = 60_000): SpreadRow[] {
  const sorted = observations.filter((o) => tracked.has(o.event.type)).sort((a, b) => a.event.atMs - b.event.atMs)
  const groups: { key: string; first: number; seen: Map<string, number>; sample: ZxGossipEvent; firstObserver: string }[] = []
  for (const { observer, event } of sorted) {
    const key = `${event.member}\u0000${event.type}\u0000${event.incarnation}`
    const open = groups.find((g) => g.key === key && !g.seen.has(observer) && event.atMs - g.first <= windowMs)
    if (open) open.seen.set(observer, event.atMs)
    else groups.push({ key, first: event.atMs, seen: new Map([[observer, event.atMs]]), sample: event, firstObserver: observer })
  }
  return groups
    .map((g) => measure(g.sample, g.firstObserver, g.seen, liveObservers, gossipIntervalMs))
    .sort((a, b) => b.firstMs - a.firstMs)
}

function measure(sample: ZxGossipEvent, firstObserver: string, seen: Map<string, number>, liveObservers: string[], gossipIntervalMs: number | undefined): SpreadRow {
  const expected = liveObservers.filter((o) => o !== sample.member).sort()
  const reached = [...seen.keys()].sort()
  const times = [...seen.values()]
  const firstMs = Math.min(...times)
  const lastMs = Math.max(...times)
  const complete = expected.length > 0 && expected.every((o) => seen.has(o))
  const spreadMs = lastMs - firstMs
  const rounds = complete && gossipIntervalMs !== undefined && gossipIntervalMs > 0 ? Math.ceil(spreadMs / gossipIntervalMs) + 1 : undefined
  return { member: sample.member, type: sample.type, incarnation: sample.incarnation, firstMs, lastMs, firstObserver, reached, expected, complete, spreadMs, rounds }
}
