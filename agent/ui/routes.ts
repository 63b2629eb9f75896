/**
 * agent/ui/routes.ts: the UI's area for the agent's route table (agent/http/routes.ts). It adds
 * the /v1/zx lab APIs on every agent, and when the agent runs with -ui, `GET /` (301 to /ui/)
 * and everything under /ui/. All are raw routes: static files, blocking queries and SSE write
 * their own responses.
 */
import type { AgentContext } from '../endpoints/context.js'
import { rawRoute, type Route } from '../http/route.js'
import { createLabApi, type LabApi } from './api.js'
import { uiHandler } from './serve.js'
import { gossipProfileFor } from '../agent-gossip.js'
import { timingsFor } from '../gossip/defaults.js'

const labs = new WeakMap<AgentContext, LabApi>()

/** labApiFor returns the one LabApi of an agent, created on first use (it subscribes to events). */
export function labApiFor(ctx: AgentContext): LabApi {
  let lab = labs.get(ctx)
  if (lab === undefined) {
    // The LAN pool's round length, for "rounds to reach everyone": the same profile the agent
    // started its pool with (agent-gossip.ts).
    const gossipIntervalMs = timingsFor(gossipProfileFor(ctx.config)).gossipIntervalMs
    lab = createLabApi({ raft: ctx.server?.raft, lan: ctx.lan, nodeName: ctx.config.nodeName, now: ctx.now, gossipIntervalMs })
    labs.set(ctx, lab)
  }
  return lab
}

/** uiRouteArea is the route area the agent appends to routeAreas. */
export function uiRouteArea(ctx: AgentContext): Route[] {
  const lab = labApiFor(ctx)
  const routes: Route[] = lab.paths().map((path) => rawRoute(path, ['GET'], async (req, res) => { await lab.handle(req, res) }, false))
  if (ctx.config.ui) {
    const serve = async (req: Parameters<typeof uiHandler>[0], res: Parameters<typeof uiHandler>[1]) => { await uiHandler(req, res) }
    routes.push(rawRoute('/', ['GET'], serve, false), rawRoute('/ui', ['GET'], serve, false), rawRoute('/ui/', ['GET'], serve, true))
  }
  return routes
}
