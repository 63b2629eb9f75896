/**
 * agent/endpoints/catalog-common.ts: helpers the catalog, health and agent-service endpoints
 * share: JSON bodies with Consul's decode errors, `tag` (repeatable) and `node-meta=k:v`
 * parameters, `filter` compiled up front (so a bad expression is a 400 before any blocking), and
 * the server-side catalog access every catalog read method needs.
 */
import { ZxError } from '../errors.js'
import { compileFilter, type Filter } from '../filter/evaluate.js'
import { badRequest } from '../http/query.js'
import type { HttpRequest } from '../http/route.js'
import type { CatalogTables } from '../state/catalog.js'
import { requireServer, type AgentContext } from './context.js'

/** catalogBodyBytesMax caps catalog/agent request bodies (Consul's default request limit is larger; ours is generous). */
export const catalogBodyBytesMax = 512 * 1024

/** readJsonBody reads and parses a JSON request body (empty → undefined). */
export async function readJsonBody(req: HttpRequest): Promise<unknown> {
  const body = await req.body(catalogBodyBytesMax)
  if (body.length === 0) return undefined
  try {
    return JSON.parse(body.toString('utf8'))
  } catch (error) {
    throw badRequest(`Request decode failed: ${(error as Error).message}`)
  }
}

/** tagsOf reads the repeatable `tag` parameter. */
export function tagsOf(query: URLSearchParams): string[] {
  return query.getAll('tag').filter((tag) => tag !== '')
}

/** nodeMetaOf reads repeatable `node-meta=key:value` pairs. */
export function nodeMetaOf(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of query.getAll('node-meta')) {
    const split = pair.indexOf(':')
    if (split <= 0) throw badRequest(`Invalid node-meta: ${JSON.stringify(pair)}`)
    out[pair.slice(0, split)] = pair.slice(split + 1)
  }
  return out
}

/** metaMatches tells whether a node's meta has every wanted key:value. */
export function metaMatches(meta: Record<string, string>, wanted: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(wanted)) if (meta[key] !== value) return false
  return true
}

/** filterOf compiles `?filter=` (undefined when absent); a bad expression is a 400. */
export function filterOf(query: URLSearchParams): Filter | undefined {
  const source = query.get('filter')
  if (source === null || source.trim() === '') return undefined
  return compileFilter(source)
}

/** keep applies an optional filter to rows. */
export function keep<T>(rows: T[], filter: Filter | undefined): T[] {
  return filter === undefined ? rows : rows.filter((row) => filter.matches(row))
}

/** catalogOf returns this server's catalog tables (a 500 if the store has none). */
export function catalogOf(ctx: AgentContext): CatalogTables {
  const catalog = requireServer(ctx).store.catalog
  if (catalog === undefined) throw new ZxError('ZX_ERR_INTERNAL', 'catalog not available', { status: 500 })
  return catalog as CatalogTables
}

/** checkDc rejects other datacenters (no WAN federation of reads here). */
export function checkDc(query: URLSearchParams, ctx: AgentContext): void {
  const dc = query.get('dc')
  if (dc !== null && dc !== '' && dc !== ctx.config.datacenter) throw new ZxError('ZX_ERR_INTERNAL', 'No path to datacenter', { status: 500 })
}

/** pathName requires a non-empty path remainder (`/v1/catalog/service/<name>`). */
export function pathName(req: HttpRequest, what: string): string {
  if (req.rest === '') throw badRequest(`Missing ${what} name`)
  return req.rest
}
