/**
 * agent/endpoints/catalog.ts: /v1/catalog/*. Writes (register, deregister) and the agent's
 * batched check-status updates are Raft commands applied by CatalogTables on every server;
 * reads run on the leader by default (or any server with ?stale) and block on the catalog
 * tables they read. `node-meta` and `filter` are applied after the read, as Consul does, so
 * they never change which index a blocking query waits on.
 */
import { compileFilter } from '../filter/evaluate.js'
import { MessageType } from '../state/commands.js'
import { catalogTables, serviceTable } from '../state/catalog.js'
import {
  normalizeCheckStatus, normalizeDeregister, normalizeRegister,
  type CheckStatusRequest, type DeregisterRequest, type NodeRecord, type RegisterRequest,
} from '../state/catalog-types.js'
import type { NodeServices, ServiceNode } from '../state/catalog-read.js'
import { forwardTimeoutFor, parseQueryOptions } from '../http/query.js'
import { Reply, route, type HttpRequest, type Route } from '../http/route.js'
import { propose, readQuery, type QueryOptions, type ReadReply } from './blocking.js'
import type { AgentContext } from './context.js'
import type { ServerMethod } from './router.js'
import { catalogOf, checkDc, filterOf, keep, metaMatches, nodeMetaOf, pathName, readJsonBody, tagsOf } from './catalog-common.js'

/** catalogMethods are the catalog's server RPC methods. */
export const catalogMethods: Record<string, ServerMethod> = {
  // Requests are normalised again on the server: RPC arguments come from the network, and only
  // well-formed commands may enter the Raft log.
  'Catalog.Register': {
    kind: 'write',
    run: async (ctx, args: { req: RegisterRequest }) => {
      await propose(ctx, MessageType.Register, normalizeRegister(args?.req, { datacenter: ctx.config.datacenter }))
      return true
    },
  },
  'Catalog.Deregister': {
    kind: 'write',
    run: async (ctx, args: { req: DeregisterRequest }) => { await propose(ctx, MessageType.Deregister, normalizeDeregister(args?.req)); return true },
  },
  'Catalog.CheckStatus': {
    kind: 'write',
    run: async (ctx, args: { req: CheckStatusRequest }) => { await propose(ctx, MessageType.CheckStatus, normalizeCheckStatus(args?.req)); return true },
  },
  'Catalog.ListNodes': catalogRead(() => [catalogTables.nodes], (ctx) => catalogOf(ctx).listNodes()),
  'Catalog.ListServices': catalogRead(() => [catalogTables.services, catalogTables.nodes], (ctx, args: { meta?: Record<string, string>; filter?: string }) => listServices(ctx, args)),
  'Catalog.ServiceNodes': catalogRead(
    (args: { service: string }) => [serviceTable(args.service), catalogTables.services],
    (ctx, args: { service: string; tags: string[] }) => catalogOf(ctx).serviceNodes(args.service, args.tags),
  ),
  'Catalog.NodeServices': catalogRead(
    () => [catalogTables.nodes, catalogTables.services],
    (ctx, args: { node: string }) => catalogOf(ctx).nodeServices(args.node),
  ),
}

/** catalogRead builds a blocking read method over the tables `tablesOf(args)` names. */
export function catalogRead<A, T>(tablesOf: (args: A) => string[], run: (ctx: AgentContext, args: A) => { index: number; value: T }): ServerMethod {
  return {
    kind: 'read',
    run: (ctx, args: A & { query: QueryOptions }) => readQuery(ctx, args.query, tablesOf(args), () => run(ctx, args)),
  }
}

/** callRead forwards a read with the request's blocking/consistency options. */
export async function callRead<T>(req: HttpRequest, ctx: AgentContext, method: string, args: object): Promise<ReadReply<T>> {
  checkDc(req.query, ctx)
  const query = parseQueryOptions(req.query)
  return await ctx.rpc.call(method, { ...args, query }, { timeoutMs: forwardTimeoutFor(query) }) as ReadReply<T>
}

/** catalogRoutes serve /v1/catalog/*. */
export const catalogRoutes: Route[] = [
  route('/v1/catalog/register', ['PUT'], async (req, ctx) => {
    checkDc(req.query, ctx)
    const body = normalizeRegister(await readJsonBody(req), { datacenter: ctx.config.datacenter })
    return ctx.rpc.call('Catalog.Register', { req: body })
  }),
  route('/v1/catalog/deregister', ['PUT'], async (req, ctx) => {
    checkDc(req.query, ctx)
    return ctx.rpc.call('Catalog.Deregister', { req: normalizeDeregister(await readJsonBody(req)) })
  }),
  route('/v1/catalog/datacenters', ['GET'], async (_req, ctx) => datacenters(ctx)),
  route('/v1/catalog/nodes', ['GET'], async (req, ctx) => {
    const filter = filterOf(req.query)
    const meta = nodeMetaOf(req.query)
    const reply = await callRead<NodeRecord[]>(req, ctx, 'Catalog.ListNodes', {})
    return new Reply(keep(reply.value.filter((node) => metaMatches(node.Meta, meta)), filter), { meta: reply.meta })
  }),
  route('/v1/catalog/services', ['GET'], async (req, ctx) => {
    const meta = nodeMetaOf(req.query)
    const filter = filterOf(req.query)
    const selective = Object.keys(meta).length > 0 || filter !== undefined
    const reply = await callRead<Record<string, string[]>>(req, ctx, 'Catalog.ListServices', selective ? { meta, filter: filter?.source } : {})
    return new Reply(reply.value, { meta: reply.meta })
  }),
  route('/v1/catalog/service/', ['GET'], async (req, ctx) => {
    const service = pathName(req, 'service')
    const filter = filterOf(req.query)
    const meta = nodeMetaOf(req.query)
    const reply = await callRead<ServiceNode[]>(req, ctx, 'Catalog.ServiceNodes', { service, tags: tagsOf(req.query) })
    return new Reply(keep(reply.value.filter((row) => metaMatches(row.NodeMeta, meta)), filter), { meta: reply.meta })
  }),
  route('/v1/catalog/node/', ['GET'], async (req, ctx) => {
    const filter = filterOf(req.query)
    const reply = await callRead<NodeServices | undefined>(req, ctx, 'Catalog.NodeServices', { node: pathName(req, 'node') })
    if (reply.value === undefined) return new Reply(null, { meta: reply.meta })
    const services: Record<string, unknown> = {}
    for (const service of keep(reply.value.Services, filter)) services[service.ID] = service
    return new Reply({ Node: reply.value.Node, Services: services }, { meta: reply.meta })
  }),
  route('/v1/catalog/node-services/', ['GET'], async (req, ctx) => {
    const filter = filterOf(req.query)
    const reply = await callRead<NodeServices | undefined>(req, ctx, 'Catalog.NodeServices', { node: pathName(req, 'node') })
    if (reply.value === undefined) return new Reply(null, { meta: reply.meta })
    return new Reply({ Node: reply.value.Node, Services: keep(reply.value.Services, filter) }, { meta: reply.meta })
  }),
]

/** listServices is /v1/catalog/services, narrowed by node-meta and a filter over ServiceNode rows. */
function listServices(ctx: AgentContext, args: { meta?: Record<string, string>; filter?: string }): { index: number; value: Record<string, string[]> } {
  const catalog = catalogOf(ctx)
  const all = catalog.listServices()
  if (args.meta === undefined && args.filter === undefined) return all
  const filter = args.filter === undefined ? undefined : compileFilter(args.filter)
  const value: Record<string, string[]> = {}
  for (const name of catalog.serviceNames()) {
    const rows = keep(catalog.serviceNodes(name).value.filter((row) => metaMatches(row.NodeMeta, args.meta ?? {})), filter)
    if (rows.length > 0) value[name] = [...new Set(rows.flatMap((row) => row.ServiceTags))].sort()
  }
  return { index: Math.max(all.index, catalog.listNodes().index), value }
}

/** datacenters lists this datacenter and every one the WAN pool knows, sorted. */
function datacenters(ctx: AgentContext): string[] {
  const names = new Set<string>([ctx.config.datacenter])
  for (const member of ctx.wan?.members() ?? []) if (member.tags.dc) names.add(member.tags.dc)
  return [...names].sort()
}
