/**
 * agent/endpoints/agent-check.ts: /v1/agent/checks and /v1/agent/check/*: the checks on this
 * agent. pass/warn/fail/update set a TTL check's result (and re-arm its TTL); `note` or the
 * update body's Output becomes the check output, truncated to the check's OutputMaxSize.
 */
import { parseStatus, type HealthStatus } from '../checks/definition.js'
import { applyFilterToMap } from '../filter/evaluate.js'
import { badRequest } from '../http/query.js'
import { Reply, route, type HttpRequest, type Route } from '../http/route.js'
import { catalogAgentOf } from '../local/agent.js'
import { normalizeKeys } from '../checks/definition.js'
import { pathName, readJsonBody } from './catalog-common.js'
import type { AgentContext } from './context.js'

const ok = (): Reply => new Reply('', { raw: true })

async function setTtl(req: HttpRequest, ctx: AgentContext, status: HealthStatus): Promise<Reply> {
  const agent = await catalogAgentOf(ctx)
  await agent.state.updateTtl(pathName(req, 'check ID'), status, req.query.get('note') ?? '')
  return ok()
}

/** agentCheckRoutes serve the agent's own checks. */
export const agentCheckRoutes: Route[] = [
  route('/v1/agent/checks', ['GET'], async (req, ctx) => {
    const agent = await catalogAgentOf(ctx)
    const all: Record<string, Record<string, unknown>> = {}
    for (const [id, check] of agent.state.checks) all[id] = agent.state.agentCheck(check)
    return applyFilterToMap(all, req.query.get('filter') ?? undefined)
  }),
  route('/v1/agent/maintenance', ['PUT'], async (req, ctx) => {
    const value = req.query.get('enable')
    if (value === null || value === '') throw badRequest('Missing value for enable')
    if (!/^(true|false|1|0)$/i.test(value)) throw badRequest(`Invalid value for enable: "${value}"`)
    await (await catalogAgentOf(ctx)).state.setNodeMaintenance(/^(true|1)$/i.test(value), req.query.get('reason') ?? '')
    return ok()
  }),
  route('/v1/agent/check/register', ['PUT'], async (req, ctx) => {
    const agent = await catalogAgentOf(ctx)
    const body = await readJsonBody(req)
    if (body === undefined) throw badRequest('Request decode failed: empty body')
    await agent.state.registerCheck(body)
    return ok()
  }),
  route('/v1/agent/check/deregister/', ['PUT'], async (req, ctx) => {
    await (await catalogAgentOf(ctx)).state.deregisterCheck(pathName(req, 'check ID'))
    return ok()
  }),
  route('/v1/agent/check/pass/', ['PUT'], (req, ctx) => setTtl(req, ctx, 'passing')),
  route('/v1/agent/check/warn/', ['PUT'], (req, ctx) => setTtl(req, ctx, 'warning')),
  route('/v1/agent/check/fail/', ['PUT'], (req, ctx) => setTtl(req, ctx, 'critical')),
  route('/v1/agent/check/update/', ['PUT'], async (req, ctx) => {
    const agent = await catalogAgentOf(ctx)
    const fields = normalizeKeys(await readJsonBody(req))
    const status = parseStatus(fields.get('status'))
    if (status === undefined) throw badRequest('Invalid check status: ""')
    const output = fields.get('output')
    await agent.state.updateTtl(pathName(req, 'check ID'), status, typeof output === 'string' ? output : '')
    return ok()
  }),
]
