/**
 * agent/local/events.ts: the user events this agent has seen (/v1/event/list). Consul keeps the
 * last 256 events that pass this agent's filters: the node filter is a regular expression over
 * the node name, the service filter one over the agent's local service names and the tag filter
 * one over the tags of those services. The list's blocking "index" is not a Raft index but a
 * hash of the newest event's ID, so a watcher wakes when a new event arrives.
 */
import type { UserEvent } from '../gossip/api.js'

/** eventBufferSize is how many events an agent remembers (Consul: 256). */
export const eventBufferSize = 256

/** EventJson is an event as /v1/event/fire and /v1/event/list return it. */
export interface EventJson {
  ID: string
  Name: string
  Payload: string | null
  NodeFilter: string
  ServiceFilter: string
  TagFilter: string
  Version: number
  LTime: number
}

/** eventJsonOf renders a gossiped user event (payload base64, null when empty). */
export function eventJsonOf(event: UserEvent): EventJson {
  return {
    ID: event.id,
    Name: event.name,
    Payload: event.payload !== undefined && event.payload.length > 0 ? Buffer.from(event.payload).toString('base64') : null,
    NodeFilter: event.nodeFilter,
    ServiceFilter: event.serviceFilter,
    TagFilter: event.tagFilter,
    Version: event.version,
    LTime: event.ltime,
  }
}

/** eventIndex turns an event ID into the list's blocking index (folded halves of the UUID). */
export function eventIndex(id: string): number {
  const hex = id.replace(/-/g, '')
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) {
    let hash = 0
    for (let i = 0; i < id.length; i++) hash = (Math.imul(hash, 31) + id.charCodeAt(i)) >>> 0
    return hash || 1
  }
  // Fold 128 bits into a safe integer: xor the four 32-bit words, scaled into 2^53.
  let folded = 0
  for (let i = 0; i < 32; i += 8) folded = (folded ^ parseInt(hex.slice(i, i + 8), 16)) >>> 0
  const high = parseInt(hex.slice(0, 5), 16)
  return (high * 0x1_0000_0000 + folded) || 1
}

function safeRegex(source: string): RegExp | undefined {
  try { return new RegExp(source) } catch { return undefined }
}

/** EventBuffer keeps the recent events for this agent and wakes list watchers. */
export class EventBuffer {
  private readonly events: UserEvent[] = []
  private readonly seen = new Set<string>()
  private waiters: Array<() => void> = []

  constructor(private readonly nodeName: string, private readonly localServices: () => Array<{ name: string; tags: string[] }>) {}

  /** accepts tells whether an event's filters select this agent. */
  accepts(event: UserEvent): boolean {
    if (event.nodeFilter !== '') {
      const node = safeRegex(event.nodeFilter)
      if (node === undefined || !node.test(this.nodeName)) return false
    }
    if (event.serviceFilter !== '') {
      const service = safeRegex(event.serviceFilter)
      const tag = event.tagFilter === '' ? undefined : safeRegex(event.tagFilter)
      if (service === undefined || (event.tagFilter !== '' && tag === undefined)) return false
      const hit = this.localServices().some((s) => service.test(s.name) && (tag === undefined || s.tags.some((t) => tag.test(t))))
      if (!hit) return false
    }
    return true
  }

  /** add records an event once (gossip may deliver it more than once). */
  add(event: UserEvent): void {
    if (this.seen.has(event.id) || !this.accepts(event)) return
    this.seen.add(event.id)
    this.events.push(event)
    while (this.events.length > eventBufferSize) this.seen.delete(this.events.shift()!.id)
    for (const wake of this.waiters.splice(0)) wake()
  }

  /** list returns the remembered events named `name` (all when empty), oldest first, with the index. */
  list(name: string): { index: number; events: UserEvent[] } {
    const events = name === '' ? [...this.events] : this.events.filter((event) => event.name === name)
    const newest = events[events.length - 1]
    return { index: newest === undefined ? 1 : eventIndex(newest.id), events }
  }

  /** waitNew resolves when an event is added or after timeoutMs / abort. */
  waitNew(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => { clearTimeout(timer); this.waiters = this.waiters.filter((w) => w !== done); signal?.removeEventListener('abort', done); resolve() }
      const timer = setTimeout(done, Math.max(0, timeoutMs))
      if (signal?.aborted) { done(); return }
      signal?.addEventListener('abort', done, { once: true })
      this.waiters.push(done)
    })
  }
}
