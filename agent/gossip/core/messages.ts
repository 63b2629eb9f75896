/**
 * agent/gossip/core/messages.ts: the SWIM message vocabulary. Probes (ping, indirect ping, ack,
 * nack) travel alone or with piggybacked state updates (alive, suspect, dead) and user events
 * in one compound UDP packet; push-pull states travel over TCP. The codec (../codec.ts) turns
 * these into bytes; the pure core only ever sees these objects.
 */

/** NodeState is a member's state in the protocol (the API maps dead+self-announced to left). */
export type NodeState = 'alive' | 'suspect' | 'dead' | 'left'

/** Endpoint is where a member listens: address and gossip port. */
export interface Endpoint {
  addr: string
  port: number
}

/** PingMessage asks `target` (by name) to ack with `seq`; the sender says where it listens. */
export interface PingMessage { type: 'ping'; seq: number; target: string; from: string; source: Endpoint }
/** IndirectPingMessage asks a helper to ping `target` on the sender's behalf. */
export interface IndirectPingMessage {
  type: 'indirect-ping'; seq: number; target: string; targetAddr: Endpoint; from: string; source: Endpoint; wantNack: boolean
}
/** AckMessage answers a ping; `from` is the acking node. */
export interface AckMessage { type: 'ack'; seq: number; from: string }
/** NackMessage tells the prober that a helper is alive but the target did not answer it. */
export interface NackMessage { type: 'nack'; seq: number; from: string }
/** AliveMessage announces a member (and its tags) at an incarnation. */
export interface AliveMessage { type: 'alive'; name: string; incarnation: number; endpoint: Endpoint; tags: Record<string, string> }
/** SuspectMessage says `from` suspects `name` at an incarnation. */
export interface SuspectMessage { type: 'suspect'; name: string; incarnation: number; from: string }
/** DeadMessage declares `name` dead; when `from === name` the node left gracefully. */
export interface DeadMessage { type: 'dead'; name: string; incarnation: number; from: string }
/** UserEventMessage carries one user event (/v1/event/fire) with its Lamport time. */
export interface UserEventMessage {
  type: 'user'; id: string; name: string; ltime: number; payload: Uint8Array | undefined
  nodeFilter: string; serviceFilter: string; tagFilter: string
}

/** GossipMessage is everything that travels in a UDP packet. */
export type GossipMessage =
  | PingMessage | IndirectPingMessage | AckMessage | NackMessage
  | AliveMessage | SuspectMessage | DeadMessage | UserEventMessage

/** PushPullMember is one member's entry in a full-state exchange. */
export interface PushPullMember {
  name: string; endpoint: Endpoint; tags: Record<string, string>; incarnation: number; state: NodeState
}

/** PushPullState is a node's full state, exchanged over TCP on join and periodically. */
export interface PushPullState {
  join: boolean
  from: string
  members: PushPullMember[]
  eventLtime: number
  events: UserEventMessage[]
}

/** endpointKey renders an endpoint as host:port. */
export function endpointKey(endpoint: Endpoint): string {
  return `${endpoint.addr}:${endpoint.port}`
}
