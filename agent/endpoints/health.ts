/**
 * agent/endpoints/health.ts: /v1/health/*. Reads of node checks, a service's checks, a
 * service's instances with their health ({Node, Service, Checks}) and checks by state, with
 * Consul's `passing` (every node and service check passing), `tag`, `node-meta` and `filter`.
 * A watch on one service blocks on that service's index, so a check flip on `web` wakes a
 * `/v1/health/service/web?index=` watcher at once and unrelated services do not.
 */
import { badRequest } from '../http/query.js'
import { Reply, route, type Route } from '../http/route.js'
import { catalogTables, serviceTable } from '../state/catalog.js'
import type { HealthServiceEntry } from '../state/catalog-read.js'
import type { CheckRecord } from '../state/catalog-types.js'
import type { ServerMethod } from './router.js'
import { callRead, catalogRead } from './catalog.js'
import { catalogOf, filterOf, keep, metaMatches, nodeMetaOf, pathName, tagsOf } from './catalog-common.js'

type State = 'any' | 'passing' | 'warning' | 'critical'

/** healthMethods are the health server RPC methods. */
export const healthMethods: Record<string, ServerMethod> = {
  'Health.NodeChecks': catalogRead(() => [catalogTables.checks], (ctx, args: { node: string }) => catalogOf(ctx).nodeChecks(args.node)),
  'Health.ServiceChecks': catalogRead(
    (args: { service: string }) => [serviceTable(args.service), catalogTables.services],
    (ctx, args: { service: string }) => catalogOf(ctx).serviceChecks(args.service),
  ),
  'Health.ServiceNodes': catalogRead(
    (args: { service: string }) => [serviceTable(args.service), catalogTables.services],
    (ctx, args: { service: string; tags: string[]; passing: boolean }) => catalogOf(ctx).checkServiceNodes(args.service, args.tags, args.passing),
  ),
  'Health.ChecksInState': catalogRead(() => [catalogTables.checks], (ctx, args: { state: State }) => catalogOf(ctx).checksInState(args.state)),
}

/** passingOf reads `?passing` (presence means true; `passing=false` turns it off, as newer Consul). */
function passingOf(query: URLSearchParams): boolean {
  if (!query.has('passing')) return false
  const value = query.get('passing')
  return value === '' || value === null || !/^(false|0)$/i.test(value)
}

/** healthRoutes serve /v1/health/*. */
export const healthRoutes: Route[] = [
  route('/v1/health/node/', ['GET'], async (req, ctx) => {
    const filter = filterOf(req.query)
    const reply = await callRead<CheckRecord[]>(req, ctx, 'Health.NodeChecks', { node: pathName(req, 'node') })
    return new Reply(keep(reply.value, filter), { meta: reply.meta })
  }),
  route('/v1/health/checks/', ['GET'], async (req, ctx) => {
    const filter = filterOf(req.query)
    const meta = nodeMetaOf(req.query)
    const reply = await callRead<CheckRecord[]>(req, ctx, 'Health.ServiceChecks', { service: pathName(req, 'service') })
    const rows = Object.keys(meta).length === 0 ? reply.value : await withNodeMeta(reply.value, meta, req, ctx)
    return new Reply(keep(rows, filter), { meta: reply.meta })
  }),
  route('/v1/health/service/', ['GET'], async (req, ctx) => {
    const filter = filterOf(req.query)
    const meta = nodeMetaOf(req.query)
    const reply = await callRead<HealthServiceEntry[]>(req, ctx, 'Health.ServiceNodes', {
      service: pathName(req, 'service'), tags: tagsOf(req.query), passing: passingOf(req.query),
    })
    return new Reply(keep(reply.value.filter((entry) => metaMatches(entry.Node.Meta, meta)), filter), { meta: reply.meta })
  }),
  route('/v1/health/state/', ['GET'], async (req, ctx) => {
    const state = pathName(req, 'state')
    if (state !== 'any' && state !== 'passing' && state !== 'warning' && state !== 'critical') throw badRequest('Invalid state')
    const filter = filterOf(req.query)
    const reply = await callRead<CheckRecord[]>(req, ctx, 'Health.ChecksInState', { state })
    return new Reply(keep(reply.value, filter), { meta: reply.meta })
  }),
]

async function withNodeMeta(rows: CheckRecord[], meta: Record<string, string>, req: Parameters<typeof callRead>[0], ctx: Parameters<typeof callRead>[1]): Promise<CheckRecord[]> {
  // Node meta is not on check rows; look the nodes up once (stale read, no blocking).
  const params = new URLSearchParams({ stale: '' })
  const nodes = await callRead<{ Node: string; Meta: Record<string, string> }[]>({ ...req, query: params }, ctx, 'Catalog.ListNodes', {})
  const allowed = new Set(nodes.value.filter((node) => metaMatches(node.Meta, meta)).map((node) => node.Node))
  return rows.filter((row) => allowed.has(row.Node))
}
