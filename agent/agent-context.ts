/**
 * agent/agent-context.ts: assembles the AgentContext shared by the HTTP API, the RPC methods and
 * the leader loops, and the route table over it. Used by agent.ts and by tests that run the
 * endpoints against a RaftApi test double.
 */
import type { Logger } from './agent-log.js'
import { Metrics } from './agent-metrics.js'
import type { RuntimeConfig } from './config/types.js'
import type { AgentContext, AgentControl } from './endpoints/context.js'
import { methodAreas } from './endpoints/methods.js'
import { RpcRouter, type RpcTransport } from './endpoints/router.js'
import type { GossipPool } from './gossip/api.js'
import { HttpApi } from './http/server.js'
import { buildRouteTable, routeAreas } from './http/routes.js'
import type { RouteArea } from './http/route.js'
import { SessionTimers } from './leader/session-timers.js'
import type { RaftApi } from './raft/api.js'
import type { Fsm } from './state/fsm.js'
import { encodeCommand, MessageType } from './state/commands.js'

/** ContextParts are the pieces an AgentContext is built from. */
export interface ContextParts {
  config: RuntimeConfig
  nodeId: string
  raft?: RaftApi
  fsm?: Fsm
  lan?: GossipPool
  wan?: GossipPool
  transport?: RpcTransport
  /** servers lists known server RPC addresses (clients route through them). */
  servers?: () => string[]
  log: Logger
  control: AgentControl
  now?: () => number
  holdTimeoutMs?: number
}

/** buildContext wires the router, session timers and metrics into one AgentContext. */
export function buildContext(parts: ContextParts): AgentContext {
  const router = new RpcRouter(parts.transport, parts.servers ?? (() => []), parts.holdTimeoutMs)
  for (const methods of methodAreas) router.register(methods)
  const now = parts.now ?? Date.now
  let ctx: AgentContext
  const server = parts.raft !== undefined && parts.fsm !== undefined
    ? {
        raft: parts.raft,
        fsm: parts.fsm,
        store: parts.fsm.store,
        sessionTimers: new SessionTimers((id) => {
          // TTL expiry: the leader proposes the destroy; a failure (lost leadership) is logged only.
          parts.raft!.propose(encodeCommand(MessageType.Session, { op: 'destroy', id }, now()))
            .then(() => ctx.log.info('session expired', { id }))
            .catch((error: Error) => ctx.log.warn('session expiry not applied', { id, error: error.message }))
        }),
      }
    : undefined
  ctx = {
    config: parts.config, nodeId: parts.nodeId, server, lan: parts.lan, wan: parts.wan,
    rpc: router, log: parts.log, metrics: new Metrics(), control: parts.control, now,
  }
  router.bind(ctx)
  registerGauges(ctx)
  return ctx
}

/** buildHttpApi builds the HTTP API over a context with the standard route areas (plus extras). */
export function buildHttpApi(ctx: AgentContext, extra: readonly RouteArea[] = []): HttpApi {
  return new HttpApi(ctx, buildRouteTable(ctx, [...routeAreas, ...extra]))
}

function registerGauges(ctx: AgentContext): void {
  const server = ctx.server
  if (server !== undefined) {
    ctx.metrics.gauge('consul.raft.commitIndex', () => server.raft.status().commitIndex)
    ctx.metrics.gauge('consul.raft.appliedIndex', () => server.raft.status().appliedIndex)
    ctx.metrics.gauge('consul.raft.term', () => server.raft.status().term)
    ctx.metrics.gauge('consul.raft.isLeader', () => (server.raft.status().role === 'leader' ? 1 : 0))
    ctx.metrics.gauge('consul.raft.leader.lastContact', () => server.raft.status().lastContactMs)
    ctx.metrics.gauge('consul.kvs.entries', () => server.store.kv.entries.size)
    ctx.metrics.gauge('consul.session_ttl.active', () => server.sessionTimers.size())
    ctx.metrics.gauge('consul.rpc.queries_blocking.parked', () => server.store.indexes.waiterCount())
    ctx.metrics.gauge('consul.fsm.bad_commands', () => server.fsm.badCommands)
  }
  if (ctx.lan !== undefined) {
    const lan = ctx.lan
    ctx.metrics.gauge('consul.serf.member.count', () => lan.members().length)
  }
}
