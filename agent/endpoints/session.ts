/**
 * agent/endpoints/session.ts: /v1/session/*. The HTTP side parses the create body (Consul's
 * defaults: LockDelay 15s, Behavior release, NodeChecks [serfHealth], Node = this agent); the
 * leader picks the id, proposes, and arms the TTL timer; renew only resets that timer (no Raft
 * write, as in Consul); reads block on the 'sessions' table.
 */
import { randomUUID } from 'node:crypto'
import { sessionDefaults } from '../config/defaults.js'
import { formatDuration, parseDurationMs } from '../config/duration.js'
import { ZxError } from '../errors.js'
import { parseJsonWithFlags } from '../http/json.js'
import { badRequest, forwardTimeoutFor, parseQueryOptions } from '../http/query.js'
import { Reply, route, type HttpRequest, type Route } from '../http/route.js'
import { sessionJsonOf } from '../http/wire.js'
import { MessageType, type SessionBehavior, type SessionSpec } from '../state/commands.js'
import type { SessionEntry } from '../state/sessions.js'
import { propose, readQuery, type QueryOptions, type ReadReply } from './blocking.js'
import { requireServer, type AgentContext } from './context.js'
import { notFound } from './kv.js'
import type { ServerMethod } from './router.js'

/** sessionMethods are the session server RPC methods. */
export const sessionMethods: Record<string, ServerMethod> = {
  'Session.Apply': {
    kind: 'write',
    run: async (ctx, args: { op: 'create'; spec: Omit<SessionSpec, 'id'> } | { op: 'destroy'; id: string }) => {
      const server = requireServer(ctx)
      if (args.op === 'destroy') {
        await propose(ctx, MessageType.Session, { op: 'destroy', id: args.id })
        server.sessionTimers.clear(args.id)
        return true
      }
      const session: SessionSpec = { ...args.spec, id: randomUUID() }
      const result = await propose(ctx, MessageType.Session, { op: 'create', session }) as { id: string }
      server.sessionTimers.reset(session.id, session.ttl)
      return result.id
    },
  },
  'Session.Renew': {
    kind: 'write',
    run: async (ctx, args: { id: string }) => {
      const server = requireServer(ctx)
      await server.raft.readBarrier('leader')
      const session = server.store.sessions.get(args.id)
      if (session === undefined) throw notFound(`Session id '${args.id}' not found`)
      server.sessionTimers.reset(session.id, session.ttl)
      return [session]
    },
  },
  'Session.Get': sessionRead((ctx, args: { id: string }) => {
    const session = requireServer(ctx).store.sessions.get(args.id)
    return session === undefined ? [] : [session]
  }),
  'Session.List': sessionRead((ctx) => requireServer(ctx).store.sessions.list()),
  'Session.NodeSessions': sessionRead((ctx, args: { node: string }) => requireServer(ctx).store.sessions.list(args.node)),
}

function sessionRead<A>(select: (ctx: AgentContext, args: A) => SessionEntry[]): ServerMethod {
  return {
    kind: 'read',
    run: (ctx, args: A & { query: QueryOptions }) => readQuery(ctx, args.query, ['sessions'], () => ({
      index: requireServer(ctx).store.indexes.get('sessions'),
      value: select(ctx, args),
    })),
  }
}

/** sessionRoutes serve /v1/session/*. */
export const sessionRoutes: Route[] = [
  route('/v1/session/create', ['PUT'], async (req, ctx) => {
    const spec = parseCreateBody(await req.body(), ctx.config.nodeName)
    const id = await ctx.rpc.call('Session.Apply', { op: 'create', spec }) as string
    return { ID: id }
  }),
  route('/v1/session/destroy/', ['PUT'], async (req, ctx) => ctx.rpc.call('Session.Apply', { op: 'destroy', id: requireId(req) })),
  route('/v1/session/renew/', ['PUT'], async (req, ctx) => {
    const sessions = await ctx.rpc.call('Session.Renew', { id: requireId(req) }) as SessionEntry[]
    return sessions.map(sessionJsonOf)
  }),
  route('/v1/session/info/', ['GET'], (req, ctx) => readSessions(req, ctx, 'Session.Get', { id: requireId(req) })),
  route('/v1/session/node/', ['GET'], (req, ctx) => {
    if (req.rest === '') throw badRequest('Missing node name')
    return readSessions(req, ctx, 'Session.NodeSessions', { node: req.rest })
  }),
  route('/v1/session/list', ['GET'], (req, ctx) => readSessions(req, ctx, 'Session.List', {})),
]

async function readSessions(req: HttpRequest, ctx: AgentContext, method: string, args: object): Promise<Reply> {
  const query = parseQueryOptions(req.query)
  const reply = await ctx.rpc.call(method, { ...args, query }, { timeoutMs: forwardTimeoutFor(query) }) as ReadReply<SessionEntry[]>
  return new Reply(reply.value.map(sessionJsonOf), { meta: reply.meta })
}

function requireId(req: HttpRequest): string {
  if (req.rest === '') throw badRequest('Missing session')
  return req.rest
}

/** parseCreateBody turns a /v1/session/create body into a spec with Consul's defaults applied. */
export function parseCreateBody(body: Buffer, localNode: string): Omit<SessionSpec, 'id'> {
  let raw: Record<string, unknown> = {}
  if (body.length > 0) {
    let parsed: unknown
    try { parsed = parseJsonWithFlags(body.toString('utf8')) } catch (error) { throw badRequest(`Request decode failed: ${(error as Error).message}`) }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('Request decode failed: expected a JSON object')
    raw = parsed as Record<string, unknown>
  }
  const field = (name: string): unknown => raw[name] ?? raw[name.toLowerCase()] ?? raw[snake(name)]
  const name = optionalString(field('Name'), 'Name') ?? ''
  const node = optionalString(field('Node'), 'Node') || localNode
  const behavior = (optionalString(field('Behavior'), 'Behavior') || 'release') as SessionBehavior
  if (behavior !== 'release' && behavior !== 'delete') throw invalid(`Invalid Behavior setting '${behavior}'`)
  const ttl = parseTtl(field('TTL'))
  const lockDelayMs = parseLockDelay(field('LockDelay'))
  const checksGiven = 'Checks' in raw || 'NodeChecks' in raw || 'checks' in raw || 'node_checks' in raw
  const nodeChecks = checksGiven
    ? [...stringList(field('Checks'), 'Checks'), ...stringList(field('NodeChecks'), 'NodeChecks')]
    : [sessionDefaults.defaultCheck]
  const serviceChecks = parseServiceChecks(field('ServiceChecks'))
  return { name, node, lockDelayMs, behavior, ttl, nodeChecks: [...new Set(nodeChecks)], serviceChecks }
}

function parseTtl(value: unknown): string {
  if (value === undefined || value === null || value === '') return ''
  if (typeof value !== 'string') throw badRequest('Request decode failed: TTL must be a duration string')
  const ms = parseDurationMs(value)
  if (ms === undefined) throw invalid(`Session TTL '${value}' invalid`)
  if (ms === 0) return ''
  if (ms < sessionDefaults.ttlMinMs || ms > sessionDefaults.ttlMaxMs) {
    throw invalid(`Invalid Session TTL '${ms * 1_000_000}', must be between [${formatDuration(sessionDefaults.ttlMinMs)}=${formatDuration(sessionDefaults.ttlMaxMs)}]`)
  }
  return value
}

function parseLockDelay(value: unknown): number {
  let ms: number
  if (value === undefined || value === null) ms = sessionDefaults.lockDelayMs
  else if (typeof value === 'number' || typeof value === 'bigint') {
    const n = Number(value)
    // Consul: a bare number below 1000 is seconds, anything else nanoseconds.
    ms = n < 1_000 ? n * 1_000 : n / 1_000_000
  } else if (typeof value === 'string') {
    const parsed = parseDurationMs(value)
    if (parsed === undefined) throw badRequest(`Request decode failed: invalid LockDelay ${JSON.stringify(value)}`)
    ms = parsed
  } else throw badRequest('Request decode failed: invalid LockDelay')
  if (!Number.isFinite(ms) || ms < 0) throw badRequest('Request decode failed: invalid LockDelay')
  return Math.min(ms, sessionDefaults.lockDelayMaxMs)
}

function parseServiceChecks(value: unknown): { id: string; namespace: string }[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw badRequest('Request decode failed: ServiceChecks must be a list')
  return value.map((item) => {
    const id = (item as { ID?: unknown })?.ID
    if (typeof id !== 'string') throw badRequest('Request decode failed: ServiceChecks entries need an ID')
    const namespace = (item as { Namespace?: unknown }).Namespace
    return { id, namespace: typeof namespace === 'string' ? namespace : '' }
  })
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw badRequest(`Request decode failed: ${name} must be a string`)
  return value
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw badRequest(`Request decode failed: ${name} must be a list of strings`)
  return value as string[]
}

function snake(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()
}

function invalid(message: string): ZxError {
  return new ZxError('ZX_ERR_INTERNAL', message, { status: 500 })
}
