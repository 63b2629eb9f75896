/**
 * agent/gossip/api.ts: the contract between the gossip library and the agent. The agent runs
 * two pools through it (LAN on 8301 for every agent, WAN on 8302 for servers) and never
 * reaches into the SWIM core directly.
 */

/** MemberStatus is a member's state; Consul's API numbers are alive 1, leaving 2, left 3, failed 4. */
export type MemberStatus = 'alive' | 'suspect' | 'leaving' | 'left' | 'failed'

/** Member is one node as this pool sees it. */
export interface Member {
  name: string
  /** addr is the IP other members reach it on; port its gossip port. */
  addr: string
  port: number
  /** tags is the node metadata: role (consul|node), dc, port (server RPC), http, id, build, vsn, expect … */
  tags: Record<string, string>
  status: MemberStatus
  incarnation: number
}

/** MemberEvent is what the pool reports when its view of a member changes. */
export type MemberEvent =
  | { type: 'join'; member: Member }
  | { type: 'update'; member: Member }
  | { type: 'suspect'; member: Member; from: string }
  | { type: 'alive'; member: Member }
  | { type: 'failed'; member: Member }
  | { type: 'leave'; member: Member }
  | { type: 'reap'; member: Member }

/** UserEvent is a gossiped user event (/v1/event/fire). */
export interface UserEvent {
  id: string
  name: string
  payload: Uint8Array | undefined
  nodeFilter: string
  serviceFilter: string
  tagFilter: string
  version: number
  /** ltime is the Lamport time the event was fired at. */
  ltime: number
}

/** GossipPool is a running SWIM pool (LAN or WAN). */
export interface GossipPool {
  /** join contacts each address (host:port) and returns how many answered. */
  join(addresses: string[]): Promise<number>
  /** leave broadcasts our leave and waits (up to timeoutMs) for it to spread. */
  leave(timeoutMs?: number): Promise<void>
  /** forceLeave marks a failed member left (prune: forget it entirely). */
  forceLeave(name: string, prune?: boolean): boolean
  members(): Member[]
  localMember(): Member
  /** setTags replaces our metadata and gossips it (size-limited; throws ZX_ERR_BAD_REQUEST if too big). */
  setTags(tags: Record<string, string>): void
  onMemberEvent(listener: (event: MemberEvent) => void): () => void
  fireUserEvent(event: Omit<UserEvent, 'id' | 'ltime' | 'version'>): UserEvent
  userEvents(): UserEvent[]
  onUserEvent(listener: (event: UserEvent) => void): () => void
  /** stats are counters for /v1/agent/metrics and the UI (packets, drops by reason, rounds). */
  stats(): Record<string, number>
  close(): Promise<void>
}
