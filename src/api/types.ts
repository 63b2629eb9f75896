/**
 * src/api/types.ts: the agent's JSON wire shapes as the lab kit sees them. They follow
 * Consul's documented API (consul-facts.md §1). The one deliberate difference: KV `Flags` is a
 * uint64 on the wire and lock flags exceed 2^53, so it is a bigint here and the JSON decoder
 * (json.ts) reads it losslessly.
 */

/** KvPair is one KV entry; `value` is the decoded bytes (null when Consul sends null). */
export interface KvPair {
  Key: string
  Flags: bigint
  Value: string | null
  LockIndex: number
  Session?: string
  CreateIndex: number
  ModifyIndex: number
}

/** AgentMember is one gossip member from /v1/agent/members. */
export interface AgentMember {
  Name: string
  Addr: string
  Port: number
  Tags: Record<string, string>
  Status: number
  ProtocolMin?: number
  ProtocolMax?: number
  ProtocolCur?: number
  DelegateMin?: number
  DelegateMax?: number
  DelegateCur?: number
}

/** RaftServer is one entry of /v1/operator/raft/configuration. */
export interface RaftServer {
  ID: string
  Node: string
  Address: string
  Leader: boolean
  Voter: boolean
  ProtocolVersion: string
}

/** RaftConfiguration is the body of /v1/operator/raft/configuration. */
export interface RaftConfiguration {
  Servers: RaftServer[]
  Index: number
}

/** SessionEntry is one session from /v1/session/*. */
export interface SessionEntry {
  ID: string
  Name: string
  Node: string
  LockDelay: number
  Behavior: 'release' | 'delete'
  TTL: string
  CreateIndex: number
  ModifyIndex: number
}

/** SessionCreate is the body of PUT /v1/session/create (only fields the lab kit sets). */
export interface SessionCreate {
  Name?: string
  Node?: string
  TTL?: string
  LockDelay?: string
  Behavior?: 'release' | 'delete'
  NodeChecks?: string[]
}

/** AgentSelf is the part of /v1/agent/self the lab kit reads. */
export interface AgentSelf {
  Config: { Datacenter: string; NodeName: string; NodeID: string; Server: boolean; Version: string; Revision?: string }
  Member?: AgentMember
}

/** Indexed is a read result with the X-Consul-Index it was served at. */
export interface Indexed<T> {
  index: bigint
  value: T
  knownLeader: boolean | undefined
}
