/**
 * agent/ui/lab/wire.ts: the JSON shapes of the lab APIs under /v1/zx (documented in
 * agent/ui/API.md). Shared by the agent side (agent/ui/api.ts) and the browser app, so both
 * change together. Type-only: nothing here runs.
 */
import type { RaftEvent, RaftStatus } from '../../raft/api.js'
import type { MemberEvent, MemberStatus } from '../../gossip/api.js'
import type { SpreadRow } from './spread.js'

/** SeqRaftEvent is a RaftEvent with its position in this server's event ring. */
export type SeqRaftEvent = RaftEvent & { seq: number }

/** ZxRaftResponse is GET /v1/zx/raft: this agent's Raft status and recent events. */
export interface ZxRaftResponse {
  node: string
  /** server is false on client agents, which have no Raft (status null, events empty). */
  server: boolean
  status: RaftStatus | null
  events: SeqRaftEvent[]
  /** index is the newest event seq; pass it back as ?index= to block for the next one. */
  index: number
  nowMs: number
}

/** ZxGossipMember is one member as this agent's LAN pool sees it. */
export interface ZxGossipMember {
  name: string
  addr: string
  port: number
  status: MemberStatus
  incarnation: number
  role: 'server' | 'client'
  tags: Record<string, string>
}

/** ZxGossipEvent is one membership change this agent observed, with when it saw it. */
export interface ZxGossipEvent {
  seq: number
  atMs: number
  type: MemberEvent['type']
  member: string
  status: MemberStatus
  incarnation: number
  /** from is who suspected the member (suspect events only). */
  from?: string
}

/** ZxGossipResponse is GET /v1/zx/gossip: membership as this agent sees it. */
export interface ZxGossipResponse {
  node: string
  members: ZxGossipMember[]
  events: ZxGossipEvent[]
  stats: Record<string, number>
  /** gossipIntervalMs is the pool's gossip round length, when the agent knows it. */
  gossipIntervalMs: number | null
  index: number
  nowMs: number
}

/** ZxClusterEntry is one node's answer in a fan-out (/v1/zx/cluster/raft and /gossip). */
export interface ZxClusterEntry<T> {
  node: string
  address: string | null
  ok: boolean
  error: string | null
  latencyMs: number
  data: T | null
}

/** ZxClusterResponse is a fan-out answer: one entry per member asked, sorted by node. */
export interface ZxClusterResponse<T> {
  node: string
  entries: ZxClusterEntry<T>[]
  nowMs: number
  /** spread (gossip fan-out only) measures each membership change among the members that answered. */
  spread?: SpreadRow[]
}
