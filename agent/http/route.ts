/**
 * agent/http/route.ts: the vocabulary of the route table. A handler gets a parsed HttpRequest and
 * the AgentContext and returns data; the shared wrapper (server.ts) writes JSON, the status and
 * the X-Consul-* headers. A handler that needs another status, raw bytes or headers returns a
 * Reply. Areas that write their own responses (the UI's static files, SSE streams) use rawRoute.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import type { AgentContext } from '../endpoints/context.js'
import type { QueryMeta } from '../endpoints/blocking.js'

/** HttpRequest is what a handler sees of one request. */
export interface HttpRequest {
  method: string
  /** path is the decoded URL path. */
  path: string
  /** rest is the decoded remainder of the path after a prefix route (`/v1/kv/` → the key). */
  rest: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  raw: IncomingMessage
  /** body reads the request body, failing with 413 above limitBytes. */
  body(limitBytes?: number, tooLarge?: (bytes: number, limit: number) => string): Promise<Buffer>
  /** signal aborts when the client goes away (blocking queries stop waiting). */
  signal: AbortSignal
}

/** ReplyOptions shape a non-default response. */
export interface ReplyOptions {
  status?: number
  headers?: Record<string, string>
  meta?: QueryMeta
  /** raw sends body (Buffer/string) as-is with contentType instead of JSON. */
  raw?: boolean
  contentType?: string
}

/** Reply is a handler result with a status, headers or query meta. */
export class Reply {
  constructor(readonly body: unknown, readonly options: ReplyOptions = {}) {}
}

/** Handler is a data-returning route handler. */
export type Handler = (req: HttpRequest, ctx: AgentContext) => Promise<unknown>

/** RawHandler writes the response itself. */
export type RawHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>

/** Route is one entry of the table: a path (prefix if it ends with '/'), methods and a handler. */
export interface Route {
  path: string
  methods: readonly string[]
  prefix: boolean
  handler?: Handler
  raw?: RawHandler
}

/** route declares a data route; a path ending in '/' matches everything below it. */
export function route(path: string, methods: readonly string[], handler: Handler): Route {
  return { path, methods, prefix: path.endsWith('/'), handler }
}

/** rawRoute declares a route whose handler writes the response itself. */
export function rawRoute(path: string, methods: readonly string[], raw: RawHandler, prefix = path.endsWith('/')): Route {
  return { path, methods, prefix, raw }
}

/** RouteArea is an area's routes, either fixed or built from the running agent's context. */
export type RouteArea = readonly Route[] | ((ctx: AgentContext) => readonly Route[])

/** RouteMatch is the outcome of looking a request up. */
export type RouteMatch =
  | { kind: 'found'; route: Route; rest: string }
  | { kind: 'method'; allow: string[] }
  | { kind: 'missing' }

/** RouteTable finds the route for a path: exact matches first, then the longest prefix. */
export class RouteTable {
  private readonly exact = new Map<string, Route[]>()
  private readonly prefixes: Route[] = []

  constructor(routes: readonly Route[]) {
    for (const r of routes) {
      if (r.prefix) this.prefixes.push(r)
      else this.exact.set(r.path, [...(this.exact.get(r.path) ?? []), r])
    }
    this.prefixes.sort((a, b) => b.path.length - a.path.length)
  }

  /** match looks up method + path. */
  match(method: string, path: string): RouteMatch {
    const candidates: { route: Route; rest: string }[] = (this.exact.get(path) ?? []).map((r) => ({ route: r, rest: '' }))
    for (const r of this.prefixes) if (path.startsWith(r.path)) candidates.push({ route: r, rest: path.slice(r.path.length) })
    if (candidates.length === 0) return { kind: 'missing' }
    const verb = method === 'HEAD' ? 'GET' : method
    for (const candidate of candidates) {
      if (candidate.route.methods.includes(verb)) return { kind: 'found', ...candidate }
    }
    return { kind: 'method', allow: [...new Set(candidates[0]!.route.methods)] }
  }
}
