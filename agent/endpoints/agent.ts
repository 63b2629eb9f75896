/**
 * agent/endpoints/agent.ts: /v1/agent/self, members, join, leave, force-leave and metrics: the
 * local agent's own state, answered without the servers and without index headers.
 */
import { buildInfo } from '../version.js'
import { ZxError } from '../errors.js'
import { badRequest } from '../http/query.js'
import { Reply, route, type Route } from '../http/route.js'
import { agentMemberOf } from '../http/wire.js'
import type { AgentContext } from './context.js'

/** agentRoutes serve the local-agent endpoints. */
export const agentRoutes: Route[] = [
  route('/v1/agent/self', ['GET'], async (_req, ctx) => agentSelf(ctx)),
  route('/v1/agent/members', ['GET'], async (req, ctx) => {
    const pool = req.query.has('wan') ? ctx.wan : ctx.lan
    if (req.query.has('wan') && pool === undefined) return []
    return (pool?.members() ?? []).map(agentMemberOf)
  }),
  route('/v1/agent/join/', ['PUT', 'POST'], async (req, ctx) => {
    if (req.rest === '') throw badRequest('Missing address to join')
    const joined = await ctx.control.join([req.rest], req.query.has('wan'))
    if (joined === 0) throw new ZxError('ZX_ERR_MEMBERSHIP', `Failed to join ${req.rest}: no members answered`, { status: 500 })
    return new Reply('', { raw: true })
  }),
  route('/v1/agent/leave', ['PUT', 'POST'], async (_req, ctx) => {
    // Answer first, then leave: the caller should see the 200 before the agent goes away.
    setTimeout(() => { void ctx.control.leave() }, 10)
    return new Reply('', { raw: true })
  }),
  route('/v1/agent/force-leave/', ['PUT', 'POST'], async (req, ctx) => {
    if (req.rest === '') throw badRequest('Missing node name')
    const ok = ctx.control.forceLeave(req.rest, req.query.has('prune'), req.query.has('wan'))
    if (!ok) throw new ZxError('ZX_ERR_NOT_FOUND', `agent: No node found with name '${req.rest}'`, { status: 404 })
    return new Reply('', { raw: true })
  }),
  route('/v1/agent/metrics', ['GET'], async (req, ctx) => {
    if (req.query.get('format') === 'prometheus') {
      return new Reply(ctx.metrics.prometheus(), { raw: true, contentType: 'text/plain; version=0.0.4; charset=utf-8' })
    }
    return ctx.metrics.json()
  }),
]

function agentSelf(ctx: AgentContext): unknown {
  const build = buildInfo()
  const config = ctx.config
  const member = ctx.lan?.localMember()
  return {
    Config: {
      Datacenter: config.datacenter,
      PrimaryDatacenter: config.datacenter,
      NodeName: config.nodeName,
      NodeID: ctx.nodeId,
      Server: config.server,
      Revision: build.revision,
      Version: build.version,
    },
    DebugConfig: {
      Bootstrap: config.bootstrap,
      BootstrapExpect: config.bootstrapExpect,
      BindAddr: config.bindAddr,
      AdvertiseAddrLAN: config.advertiseAddr,
      ClientAddrs: config.clientAddrs,
      DataDir: config.dataDir,
      Ports: config.ports,
      RetryJoinLAN: config.retryJoin,
      LeaveOnTerm: config.leaveOnTerminate,
      SkipLeaveOnInt: config.skipLeaveOnInterrupt,
      RaftMultiplier: config.raft.multiplier,
      RaftTiming: config.raft,
      UIConfig: { Enabled: config.ui },
      EnableScriptChecks: config.enableScriptChecks,
      Sources: config.sources,
    },
    Coord: null,
    Member: member === undefined ? null : agentMemberOf(member),
    Meta: {},
    Stats: agentStats(ctx),
  }
}

function agentStats(ctx: AgentContext): Record<string, Record<string, string>> {
  const stats: Record<string, Record<string, string>> = {
    agent: { server: String(ctx.config.server) },
    build: { version: buildInfo().version, revision: buildInfo().revision },
  }
  if (ctx.server !== undefined) {
    const status = ctx.server.raft.status()
    stats.raft = {
      state: status.role.charAt(0).toUpperCase() + status.role.slice(1),
      term: String(status.term),
      commit_index: String(status.commitIndex),
      applied_index: String(status.appliedIndex),
      last_log_index: String(status.lastLogIndex),
      last_snapshot_index: String(status.snapshotIndex),
      num_peers: String(Math.max(0, status.configuration.filter((s) => s.voter).length - 1)),
      last_contact: status.role === 'leader' ? '0' : `${status.lastContactMs}ms`,
    }
    stats.consul = { leader: String(status.role === 'leader'), known_datacenters: '1' }
  }
  if (ctx.lan !== undefined) {
    stats.serf_lan = Object.fromEntries(Object.entries(ctx.lan.stats()).map(([k, v]) => [k, String(v)]))
    stats.serf_lan.members = String(ctx.lan.members().length)
  }
  return stats
}
