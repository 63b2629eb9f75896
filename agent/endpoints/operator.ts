/**
 * agent/endpoints/operator.ts: /v1/operator/raft/*: the Raft configuration (read on the leader
 * unless ?stale), removing a peer by id or address, and leadership transfer; plus a summary of
 * /v1/operator/autopilot/health from the leader's Raft status and gossip.
 */
import { leaderDefaults } from '../config/defaults.js'
import { ZxError } from '../errors.js'
import { isAlive, quorum, serverMembers } from '../leader/servers.js'
import type { RaftApi } from '../raft/api.js'
import { buildInfo } from '../version.js'
import { badRequest, parseQueryOptions } from '../http/query.js'
import { Reply, route, type Route } from '../http/route.js'
import type { RaftConfigurationJson } from '../http/wire.js'
import { readQuery, type QueryOptions, type ReadReply } from './blocking.js'
import { requireServer, type AgentContext } from './context.js'
import type { ServerMethod } from './router.js'

/** serverNames maps Raft server ids to node names using the `id` gossip tag. */
export function serverNames(ctx: AgentContext): Map<string, string> {
  const names = new Map<string, string>()
  for (const member of ctx.lan?.members() ?? []) if (member.tags.id !== undefined) names.set(member.tags.id, member.name)
  names.set(ctx.nodeId, ctx.config.nodeName)
  return names
}

/** operatorMethods are the operator server RPC methods. */
export const operatorMethods: Record<string, ServerMethod> = {
  'Operator.RaftGetConfiguration': {
    kind: 'read',
    run: (ctx, args: { query: QueryOptions }) => readQuery(ctx, { ...args.query, minIndex: 0 }, [], () => {
      const status = requireServer(ctx).raft.status()
      const names = serverNames(ctx)
      const value: RaftConfigurationJson = {
        Servers: status.configuration.map((s) => ({
          ID: s.id,
          Node: names.get(s.id) ?? '(unknown)',
          Address: s.address,
          Leader: s.id === status.leaderId,
          Voter: s.voter,
          ProtocolVersion: '3',
        })),
        Index: status.commitIndex,
      }
      return { index: status.commitIndex, value }
    }),
  },
  'Operator.AutopilotHealth': {
    kind: 'read',
    run: (ctx, args: { query: QueryOptions }) => readQuery(ctx, { ...args.query, minIndex: 0 }, [], () => {
      const status = requireServer(ctx).raft.status()
      return { index: status.commitIndex, value: autopilotHealth(ctx, status) }
    }),
  },
  'Operator.RaftRemovePeer': {
    kind: 'write',
    run: async (ctx, args: { id?: string; address?: string }) => {
      const raft = requireServer(ctx).raft
      const servers = raft.status().configuration
      const target = args.id !== undefined ? servers.find((s) => s.id === args.id) : servers.find((s) => s.address === args.address)
      if (target === undefined) {
        throw new ZxError('ZX_ERR_NOT_FOUND', args.id !== undefined
          ? `id "${args.id}" was not found in the Raft configuration`
          : `address "${args.address ?? ''}" was not found in the Raft configuration`, { status: 500 })
      }
      await raft.removeServer(target.id)
      ctx.log.info('removed Raft peer', { id: target.id, address: target.address })
      return true
    },
  },
  'Operator.RaftTransferLeader': {
    kind: 'write',
    run: async (ctx, args: { id?: string }) => {
      const raft = requireServer(ctx).raft
      if (args.id !== undefined && !raft.status().configuration.some((s) => s.id === args.id && s.voter)) {
        throw new ZxError('ZX_ERR_BAD_REQUEST', `cannot find server with id ${args.id} as a voter in the Raft configuration`, { status: 400 })
      }
      const leader = await raft.transferLeadership(args.id)
      return { Success: true, Leader: leader }
    },
  },
}

/** autopilotHealth summarises server health the way /v1/operator/autopilot/health does. */
function autopilotHealth(ctx: AgentContext, status: ReturnType<RaftApi['status']>): unknown {
  const names = serverNames(ctx)
  const serf = new Map(serverMembers(ctx.lan, ctx.config.datacenter).map((m) => [m.id, m.status]))
  const servers = status.configuration.map((s) => {
    const leader = s.id === status.leaderId
    const lastIndex = leader ? status.lastLogIndex : status.matchIndex[s.id] ?? 0
    const serfStatus = s.id === status.id ? 'alive' : serf.get(s.id) ?? 'none'
    const healthy = isAlive(serfStatus === 'none' ? 'failed' : serfStatus) && status.commitIndex - lastIndex <= leaderDefaults.learnerCatchUpEntries
    return {
      ID: s.id, Name: names.get(s.id) ?? '(unknown)', Address: s.address, SerfStatus: serfStatus, Version: buildInfo().version,
      Leader: leader, LastContact: leader ? '0s' : '', LastTerm: status.term, LastIndex: lastIndex, Healthy: healthy, Voter: s.voter,
    }
  })
  const healthyVoters = servers.filter((s) => s.Voter && s.Healthy).length
  const voters = servers.filter((s) => s.Voter).length
  return {
    Healthy: servers.every((s) => s.Healthy),
    FailureTolerance: Math.max(0, healthyVoters - quorum(voters)),
    Servers: servers,
  }
}

/** operatorRoutes serve /v1/operator/raft/*. */
export const operatorRoutes: Route[] = [
  route('/v1/operator/raft/configuration', ['GET'], async (req, ctx) => {
    const query = parseQueryOptions(req.query)
    const reply = await ctx.rpc.call('Operator.RaftGetConfiguration', { query }) as ReadReply<RaftConfigurationJson>
    return new Reply(reply.value, { meta: reply.meta })
  }),
  route('/v1/operator/autopilot/health', ['GET'], async (req, ctx) => {
    const query = parseQueryOptions(req.query)
    const reply = await ctx.rpc.call('Operator.AutopilotHealth', { query }) as ReadReply<{ Healthy: boolean }>
    return new Reply(reply.value, { meta: reply.meta, status: reply.value.Healthy ? 200 : 429 })
  }),
  route('/v1/operator/raft/peer', ['DELETE'], async (req, ctx) => {
    const id = req.query.get('id') || undefined
    const address = req.query.get('address') || undefined
    if (id === undefined && address === undefined) throw badRequest("Must specify either ?id with the server's ID or ?address with IP:port of peer to remove")
    if (id !== undefined && address !== undefined) throw badRequest('Must specify only one of ?id or ?address')
    await ctx.rpc.call('Operator.RaftRemovePeer', { id, address })
    return new Reply('', { raw: true })
  }),
  route('/v1/operator/raft/transfer-leader', ['POST', 'PUT'], async (req, ctx) => {
    const id = req.query.get('id') || undefined
    const result = await ctx.rpc.call('Operator.RaftTransferLeader', { id }) as { Success: boolean }
    return { Success: result.Success }
  }),
]
