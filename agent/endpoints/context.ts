/**
 * agent/endpoints/context.ts: the AgentContext every endpoint receives, so a new API area needs
 * no plumbing: config, identity, the server pieces (store, Raft) when this agent is a server,
 * the gossip pools, the RPC router that reaches the servers, logging and metrics.
 */
import type { Logger } from '../agent-log.js'
import type { Metrics } from '../agent-metrics.js'
import type { RuntimeConfig } from '../config/types.js'
import type { GossipPool } from '../gossip/api.js'
import type { RaftApi } from '../raft/api.js'
import type { Fsm } from '../state/fsm.js'
import type { StateStore } from '../state/store.js'
import type { RpcRouter } from './router.js'
import type { SessionTimers } from '../leader/session-timers.js'

/** AgentControl is what endpoints may ask of the running agent itself. */
export interface AgentControl {
  /** leave gracefully leaves the cluster and shuts the agent down. */
  leave(): Promise<void>
  /** join contacts addresses on the LAN (or WAN) pool; returns how many answered. */
  join(addresses: string[], wan: boolean): Promise<number>
  /** forceLeave marks a failed member left. */
  forceLeave(node: string, prune: boolean, wan: boolean): boolean
}

/** ServerParts are present only on servers. */
export interface ServerParts {
  raft: RaftApi
  fsm: Fsm
  store: StateStore
  sessionTimers: SessionTimers
}

/** AgentContext is passed to every endpoint and RPC method. */
export interface AgentContext {
  config: RuntimeConfig
  nodeId: string
  server: ServerParts | undefined
  lan: GossipPool | undefined
  wan: GossipPool | undefined
  rpc: RpcRouter
  log: Logger
  metrics: Metrics
  control: AgentControl
  /** now is the wall clock in ms (injected in tests); only leader-side decisions use it. */
  now: () => number
}

/** requireServer returns the server parts or fails (a server RPC reached a client). */
export function requireServer(ctx: AgentContext): ServerParts {
  if (ctx.server === undefined) throw new Error('assertion failed: server method invoked on a client agent')
  return ctx.server
}
