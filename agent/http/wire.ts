/**
 * agent/http/wire.ts: the JSON shapes of the HTTP API (Consul's field names) and the converters
 * from store records. src/api may `import type` these. `Flags` is a bigint on the wire writer's
 * side: agent/http/json.ts prints it as an exact integer literal.
 */
import type { Member, MemberStatus } from '../gossip/api.js'
import type { KvEntry } from '../state/kv.js'
import type { SessionEntry } from '../state/sessions.js'

/** KVPair is one KV entry as /v1/kv and /v1/txn return it. */
export interface KVPair {
  LockIndex: number
  Key: string
  /** Flags is uint64: exact bigint in the agent, an integer literal on the wire. */
  Flags: bigint
  Value: string | null
  Session?: string
  CreateIndex: number
  ModifyIndex: number
}

/** kvPairOf renders a KvEntry; the value is base64 (null when empty or not wanted). */
export function kvPairOf(entry: KvEntry, withValue = true): KVPair {
  const pair: KVPair = {
    LockIndex: entry.lockIndex,
    Key: entry.key,
    Flags: entry.flags,
    Value: withValue && entry.value.length > 0 ? Buffer.from(entry.value).toString('base64') : null,
    CreateIndex: entry.createIndex,
    ModifyIndex: entry.modifyIndex,
  }
  if (entry.session !== undefined) pair.Session = entry.session
  return pair
}

/** SessionJson is a session as /v1/session returns it. */
export interface SessionJson {
  ID: string
  Name: string
  Node: string
  /** LockDelay is in nanoseconds, like Go's time.Duration. */
  LockDelay: number
  Behavior: 'release' | 'delete'
  TTL: string
  NodeChecks: string[]
  ServiceChecks: { ID: string; Namespace: string }[] | null
  /** Checks is the pre-1.7 combined list, kept for older clients. */
  Checks: string[]
  CreateIndex: number
  ModifyIndex: number
}

/** sessionJsonOf renders a stored session. */
export function sessionJsonOf(session: SessionEntry): SessionJson {
  return {
    ID: session.id,
    Name: session.name,
    Node: session.node,
    LockDelay: session.lockDelayMs * 1_000_000,
    Behavior: session.behavior,
    TTL: session.ttl,
    NodeChecks: session.nodeChecks,
    ServiceChecks: session.serviceChecks.length === 0 ? null : session.serviceChecks.map((c) => ({ ID: c.id, Namespace: c.namespace })),
    Checks: [...session.nodeChecks, ...session.serviceChecks.map((c) => c.id)],
    CreateIndex: session.createIndex,
    ModifyIndex: session.modifyIndex,
  }
}

/** TxnResponse is /v1/txn's body: results on commit (200), errors on rollback (409). */
export interface TxnResponse {
  Results: { KV: KVPair }[] | null
  Errors: { OpIndex: number; What: string }[] | null
}

/** RaftServerJson is one server of /v1/operator/raft/configuration. */
export interface RaftServerJson {
  ID: string
  Node: string
  Address: string
  Leader: boolean
  Voter: boolean
  ProtocolVersion: string
}

/** RaftConfigurationJson is /v1/operator/raft/configuration's body. */
export interface RaftConfigurationJson {
  Servers: RaftServerJson[]
  Index: number
}

/** AgentMember is one gossip member as /v1/agent/members returns it. */
export interface AgentMember {
  Name: string
  Addr: string
  Port: number
  Tags: Record<string, string>
  /** Status is serf's number: 0 none, 1 alive, 2 leaving, 3 left, 4 failed. */
  Status: number
  ProtocolMin: number
  ProtocolMax: number
  ProtocolCur: number
  DelegateMin: number
  DelegateMax: number
  DelegateCur: number
}

const statusNumber: Record<MemberStatus, number> = { alive: 1, suspect: 1, leaving: 2, left: 3, failed: 4 }

/** agentMemberOf renders a gossip member. */
export function agentMemberOf(member: Member): AgentMember {
  return {
    Name: member.name,
    Addr: member.addr,
    Port: member.port,
    Tags: member.tags,
    Status: statusNumber[member.status],
    ProtocolMin: 1, ProtocolMax: 5, ProtocolCur: 2,
    DelegateMin: 2, DelegateMax: 5, DelegateCur: 4,
  }
}
