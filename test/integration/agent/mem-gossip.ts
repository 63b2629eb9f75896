// An in-process GossipPool double for agent wiring tests that run before/without real UDP
// gossip: every pool on one MemGossipNet sees the others; close() makes a member 'failed',
// leave() makes it 'left'. Membership only; no user events, no timing.
import type { GossipPool, Member, MemberEvent, UserEvent } from '../../../agent/gossip/api.js'
import type { GossipStartOptions } from '../../../agent/agent-gossip.js'

export class MemGossipNet {
  readonly pools = new Map<string, MemPool>()
  start = async (options: GossipStartOptions): Promise<GossipPool> => {
    const pool = new MemPool(this, options)
    this.pools.set(options.name, pool)
    for (const other of this.pools.values()) other.emit({ type: 'join', member: pool.localMember() })
    return pool
  }
}

class MemPool implements GossipPool {
  status: Member['status'] = 'alive'
  private tags: Record<string, string>
  private readonly listeners = new Set<(event: MemberEvent) => void>()
  readonly profile: string
  constructor(private readonly net: MemGossipNet, private readonly options: GossipStartOptions) { this.tags = { ...options.tags }; this.profile = options.profile }
  emit(event: MemberEvent): void { for (const l of this.listeners) l(event) }
  async join(addresses: string[]): Promise<number> { return addresses.length }
  async leave(): Promise<void> { this.status = 'left'; this.broadcast({ type: 'leave', member: this.localMember() }) }
  private broadcast(event: MemberEvent): void { for (const p of this.net.pools.values()) if (p !== this && p.profile === this.profile) p.emit(event) }
  forceLeave(name: string): boolean { const p = this.net.pools.get(name); if (p === undefined) return false; p.status = 'left'; return true }
  members(): Member[] { return [...this.net.pools.values()].filter((p) => p.profile === this.profile).map((p) => p.localMember()) }
  localMember(): Member {
    return { name: this.options.name, addr: this.options.advertiseAddr, port: this.options.advertisePort, tags: this.tags, status: this.status, incarnation: 1 }
  }
  setTags(tags: Record<string, string>): void { this.tags = { ...tags } }
  onMemberEvent(listener: (event: MemberEvent) => void): () => void { this.listeners.add(listener); return () => this.listeners.delete(listener) }
  fireUserEvent(): UserEvent { throw new Error('not supported by the test double') }
  userEvents(): UserEvent[] { return [] }
  onUserEvent(): () => void { return () => undefined }
  stats(): Record<string, number> { return {} }
  async close(): Promise<void> {
    if (this.status !== 'alive') return
    this.status = 'failed'
    this.broadcast({ type: 'failed', member: this.localMember() })
  }
}
