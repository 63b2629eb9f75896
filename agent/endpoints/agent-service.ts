/**
 * agent/endpoints/agent-service.ts: /v1/agent/service/* and /v1/agent/services, the services
 * registered on this agent (not the catalog): register (CamelCase or snake_case body,
 * ?replace-existing-checks), deregister, read one (with ContentHash and hash-blocking), list
 * (with ?filter), maintenance mode, and the local health summaries /v1/agent/health/service/*
 * (200 passing, 429 warning, 503 critical or maintenance, 404 unknown; ?format=text).
 */
import { createHash } from 'node:crypto'
import { ZxError } from '../errors.js'
import { applyFilterToMap } from '../filter/evaluate.js'
import { badRequest, parseQueryOptions } from '../http/query.js'
import { Reply, route, type HttpRequest, type Route } from '../http/route.js'
import type { HealthStatus } from '../checks/definition.js'
import { catalogAgentOf, type CatalogAgent } from '../local/agent.js'
import { maintenanceCheckId } from '../local/state.js'
import type { ServiceSpec } from '../state/catalog-types.js'
import type { AgentContext } from './context.js'
import { pathName, readJsonBody } from './catalog-common.js'

/** agentServiceJson renders a local service as /v1/agent/services shows it. */
export function agentServiceJson(spec: ServiceSpec, datacenter: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ID: spec.ID, Service: spec.Service, Tags: spec.Tags, Meta: spec.Meta, Port: spec.Port, Address: spec.Address,
    TaggedAddresses: spec.TaggedAddresses, Weights: spec.Weights, EnableTagOverride: spec.EnableTagOverride, Datacenter: datacenter,
  }
  if (spec.Kind !== '') out.Kind = spec.Kind
  return out
}

function contentHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16)
}

const ok = (): Reply => new Reply('', { raw: true })

/** hashBlockingPollMs is how often a hash-blocking read re-checks local state. */
const hashBlockingPollMs = 50

async function getService(req: HttpRequest, ctx: AgentContext, agent: CatalogAgent): Promise<Reply> {
  const id = pathName(req, 'service ID')
  const render = (): Record<string, unknown> | undefined => {
    const spec = agent.state.services.get(id)
    if (spec === undefined) return undefined
    const body = agentServiceJson(spec, ctx.config.datacenter)
    return { ...body, ContentHash: contentHash(body) }
  }
  let body = render()
  const hash = req.query.get('hash')
  if (hash !== null && hash !== '' && body !== undefined && body.ContentHash === hash) {
    const { waitMs } = parseQueryOptions(new URLSearchParams(req.query.has('wait') ? { wait: req.query.get('wait')! } : {}))
    const deadline = Date.now() + waitMs
    while (Date.now() < deadline && !req.signal.aborted && body !== undefined && body.ContentHash === hash) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(hashBlockingPollMs, Math.max(0, deadline - Date.now()))))
      body = render()
    }
  }
  if (body === undefined) throw new ZxError('ZX_ERR_NOT_FOUND', `unknown service ID: ${id}`)
  return new Reply(body, { headers: { 'X-Consul-ContentHash': String(body.ContentHash) } })
}

function parseEnable(query: URLSearchParams): boolean {
  const value = query.get('enable')
  if (value === null || value === '') throw badRequest('Missing value for enable')
  if (/^(true|1)$/i.test(value)) return true
  if (/^(false|0)$/i.test(value)) return false
  throw badRequest(`Invalid value for enable: "${value}"`)
}

interface ServiceHealth { AggregatedStatus: string; Service: Record<string, unknown>; Checks: Record<string, unknown>[] }

function serviceHealth(agent: CatalogAgent, spec: ServiceSpec, datacenter: string): ServiceHealth {
  const checks = agent.state.serviceChecks(spec.ID)
  let status: HealthStatus | 'maintenance' = 'passing'
  for (const check of checks) {
    if (check.definition.checkId === maintenanceCheckId(spec.ID)) { status = 'maintenance'; break }
    if (check.status === 'critical') status = 'critical'
    else if (check.status === 'warning' && status === 'passing') status = 'warning'
  }
  return { AggregatedStatus: status, Service: agentServiceJson(spec, datacenter), Checks: checks.map((check) => agent.state.agentCheck(check)) }
}

function healthStatusCode(status: string): number {
  return status === 'passing' ? 200 : status === 'warning' ? 429 : 503
}

function worst(statuses: string[]): string {
  for (const candidate of ['maintenance', 'critical', 'warning']) if (statuses.includes(candidate)) return candidate
  return 'passing'
}

function healthReply(req: HttpRequest, status: string, body: unknown): Reply {
  const code = healthStatusCode(status)
  if (req.query.get('format') === 'text') return new Reply(status, { status: code, raw: true, contentType: 'text/plain' })
  return new Reply(body, { status: code })
}

/** agentServiceRoutes serve the agent's own services. */
export const agentServiceRoutes: Route[] = [
    route('/v1/agent/services', ['GET'], async (req, ctx) => {
      const agent = await catalogAgentOf(ctx)
      const all: Record<string, Record<string, unknown>> = {}
      for (const spec of agent.state.services.values()) all[spec.ID] = agentServiceJson(spec, ctx.config.datacenter)
      return applyFilterToMap(all, req.query.get('filter') ?? undefined)
    }),
    route('/v1/agent/service/register', ['PUT'], async (req, ctx) => {
      const agent = await catalogAgentOf(ctx)
      const body = await readJsonBody(req)
      if (body === undefined) throw badRequest('Request decode failed: empty body')
      await agent.state.registerService(body, req.query.has('replace-existing-checks'))
      return ok()
    }),
    route('/v1/agent/service/deregister/', ['PUT'], async (req, ctx) => {
      await (await catalogAgentOf(ctx)).state.deregisterService(pathName(req, 'service ID'))
      return ok()
    }),
    route('/v1/agent/service/maintenance/', ['PUT'], async (req, ctx) => {
      const enable = parseEnable(req.query)
      await (await catalogAgentOf(ctx)).state.setServiceMaintenance(pathName(req, 'service ID'), enable, req.query.get('reason') ?? '')
      return ok()
    }),
    route('/v1/agent/service/', ['GET'], async (req, ctx) => getService(req, ctx, await catalogAgentOf(ctx))),
    route('/v1/agent/health/service/id/', ['GET'], async (req, ctx) => {
      const agent = await catalogAgentOf(ctx)
      const id = pathName(req, 'service ID')
      const spec = agent.state.services.get(id)
      if (spec === undefined) {
        return new Reply(`ServiceId ${id} not found`, { status: 404, raw: true, contentType: 'text/plain' })
      }
      const health = serviceHealth(agent, spec, ctx.config.datacenter)
      return healthReply(req, health.AggregatedStatus, health)
    }),
    route('/v1/agent/health/service/name/', ['GET'], async (req, ctx) => {
      const agent = await catalogAgentOf(ctx)
      const name = pathName(req, 'service')
      const entries = [...agent.state.services.values()].filter((spec) => spec.Service === name).map((spec) => serviceHealth(agent, spec, ctx.config.datacenter))
      if (entries.length === 0) return new Reply(`ServiceName ${name} Not Found`, { status: 404, raw: true, contentType: 'text/plain' })
      return healthReply(req, worst(entries.map((entry) => entry.AggregatedStatus)), entries)
    }),
]
