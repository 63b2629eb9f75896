/**
 * agent/endpoints/status.ts: /v1/status/leader and /v1/status/peers. Served by whichever server
 * the request reaches (a client asks one), from its own Raft view, with no blocking.
 */
import { route, type Route } from '../http/route.js'
import { requireServer } from './context.js'
import type { ServerMethod } from './router.js'

/** statusMethods are the status server RPC methods. */
export const statusMethods: Record<string, ServerMethod> = {
  'Status.Leader': {
    kind: 'local',
    run: async (ctx) => requireServer(ctx).raft.status().leaderAddress ?? '',
  },
  'Status.Peers': {
    kind: 'local',
    run: async (ctx) => requireServer(ctx).raft.status().configuration.filter((s) => s.voter).map((s) => s.address),
  },
}

/** statusRoutes serve /v1/status/*. */
export const statusRoutes: Route[] = [
  route('/v1/status/leader', ['GET'], (_req, ctx) => ctx.rpc.call('Status.Leader', {})),
  route('/v1/status/peers', ['GET'], (_req, ctx) => ctx.rpc.call('Status.Peers', {})),
]
