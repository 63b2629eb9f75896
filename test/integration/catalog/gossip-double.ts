// An in-process GossipPool double for the catalog acceptance test: every pool on one net sees the
// others, user events are delivered to every live pool (with a Lamport time), and a test can
// mark a member failed or left. Membership and events only; no UDP, no timing.
import { randomUUID } from 'node:crypto'
import type { GossipPool, Member, MemberEvent, UserEvent } from '../../../agent/gossip/api.js'
import type { GossipStartOptions } from '../../../agent/agent-gossip.js'

export class EventGossipNet {
  readonly pools = new Map<string, EventPool>()
  /** wan holds the WAN pools: a separate net, so LAN membership never lists `node1.dc1`. */
  private wanNet: EventGossipNet | undefined
  ltime = 0
  start = async (options: GossipStartOptions): Promise<GossipPool> => {
    const wan = (options as { poolName?: string }).poolName === 'wan' || options.profile === 'wan'
    if (wan) return (this.wanNet ??= new EventGossipNet()).startHere(options)
    return this.startHere(options)
  }
  async startHere(options: GossipStartOptions): Promise<GossipPool> {
    const pool = new EventPool(this, options)
    this.pools.set(options.name, pool)
    for (const other of this.pools.values()) other.emit({ type: 'join', member: pool.localMember() })
    return pool
  }
  setStatus(name: string, status: Member['status']): void {
    const pool = this.pools.get(name)
    if (pool === undefined) return
    pool.status = status
    for (const other of this.pools.values()) other.emit({ type: status === 'failed' ? 'failed' : status === 'left' ? 'leave' : 'alive', member: pool.localMember() })
  }
}

class EventPool implements GossipPool {
  status: Member['status'] = 'alive'
  private tags: Record<string, string>
  private readonly listeners = new Set<(event: MemberEvent) => void>()
  private readonly userListeners = new Set<(event: UserEvent) => void>()
  private readonly events: UserEvent[] = []
  constructor(private readonly net: EventGossipNet, private readonly options: GossipStartOptions) { this.tags = { ...options.tags } }
  emit(event: MemberEvent): void { for (const l of this.listeners) l(event) }
  deliver(event: UserEvent): void { this.events.push(event); for (const l of this.userListeners) l(event) }
  async join(addresses: string[]): Promise<number> { return addresses.length }
  async leave(): Promise<void> { this.net.setStatus(this.options.name, 'left') }
  forceLeave(name: string): boolean { if (!this.net.pools.has(name)) return false; this.net.setStatus(name, 'left'); return true }
  members(): Member[] { return [...this.net.pools.values()].map((p) => p.localMember()) }
  localMember(): Member {
    return { name: this.options.name, addr: this.options.advertiseAddr, port: this.options.advertisePort, tags: this.tags, status: this.status, incarnation: 1 }
  }
  setTags(tags: Record<string, string>): void { this.tags = { ...tags } }
  onMemberEvent(listener: (event: MemberEvent) => void): () => void { this.listeners.add(listener); return () => this.listeners.delete(listener) }
  fireUserEvent(event: Omit<UserEvent, 'id' | 'ltime' | 'version'>): UserEvent {
    const full: UserEvent = { ...event, id: randomUUID(), version: 1, ltime: ++this.net.ltime }
    for (const pool of this.net.pools.values()) if (pool.status === 'alive' && pool !== this) setTimeout(() => pool.deliver(full), 5)
    this.events.push(full)
    return full
  }
  userEvents(): UserEvent[] { return [...this.events] }
  onUserEvent(listener: (event: UserEvent) => void): () => void { this.userListeners.add(listener); return () => this.userListeners.delete(listener) }
  stats(): Record<string, number> { return {} }
  async close(): Promise<void> { if (this.status === 'alive') this.net.setStatus(this.options.name, 'failed') }
}
