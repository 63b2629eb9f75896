/**
 * agent/endpoints/kv.ts: /v1/kv/<key>. The HTTP side parses Consul's parameters and body; the
 * server methods KVS.Apply (leader: propose a Kv command) and KVS.Get / KVS.List / KVS.ListKeys
 * (blocking reads on the 'kvs' and 'tombstones' tables) do the work wherever the router runs them.
 */
import { httpDefaults } from '../config/defaults.js'
import { ZxError } from '../errors.js'
import { uint64Max } from '../http/json.js'
import { badRequest, forwardTimeoutFor, parseQueryOptions } from '../http/query.js'
import { Reply, route, type HttpRequest, type Route } from '../http/route.js'
import { kvPairOf } from '../http/wire.js'
import { MessageType, type KvOp, type KvRequest } from '../state/commands.js'
import type { KvEntry } from '../state/kv.js'
import { propose, readQuery, type QueryOptions, type ReadReply } from './blocking.js'
import { requireServer, type AgentContext } from './context.js'
import type { ServerMethod } from './router.js'

const kvTables = ['kvs', 'tombstones']

/** kvMethods are the KV server RPC methods. */
export const kvMethods: Record<string, ServerMethod> = {
  'KVS.Apply': {
    kind: 'write',
    run: async (ctx, args: KvRequest) => {
      ctx.metrics.inc('consul.kvs.apply')
      if (args.op === 'lock' && await acquireRefused(ctx, args)) {
        ctx.metrics.inc('consul.kvs.acquire_refused_without_log')
        return false
      }
      return propose(ctx, MessageType.Kv, args)
    },
  },
  'KVS.Get': {
    kind: 'read',
    run: (ctx, args: { key: string; query: QueryOptions }) => readQuery(ctx, args.query, kvTables, () => {
      const { index, entry } = requireServer(ctx).store.kvGet(args.key)
      return { index, value: entry === undefined ? [] : [entry] }
    }),
  },
  'KVS.List': {
    kind: 'read',
    run: (ctx, args: { prefix: string; query: QueryOptions }) => readQuery(ctx, args.query, kvTables, () => {
      const { index, entries } = requireServer(ctx).store.kvList(args.prefix)
      return { index, value: entries }
    }),
  },
  'KVS.ListKeys': {
    kind: 'read',
    run: (ctx, args: { prefix: string; separator: string; query: QueryOptions }) => readQuery(ctx, args.query, kvTables, () => {
      const { index, keys } = requireServer(ctx).store.kvKeys(args.prefix, args.separator)
      return { index, value: keys }
    }),
  },
}

/** kvRoutes serve /v1/kv/. */
export const kvRoutes: Route[] = [
  route('/v1/kv/', ['GET', 'PUT', 'DELETE'], async (req, ctx) => {
    if (req.method === 'GET') return kvGet(req, ctx)
    if (req.method === 'PUT') return kvPut(req, ctx)
    return kvDelete(req, ctx)
  }),
]

async function kvGet(req: HttpRequest, ctx: AgentContext): Promise<unknown> {
  const query = parseQueryOptions(req.query)
  const key = req.rest
  const timeoutMs = forwardTimeoutFor(query)
  if (req.query.has('keys')) {
    const separator = req.query.get('separator') ?? req.query.get('seperator') ?? ''
    const reply = await ctx.rpc.call('KVS.ListKeys', { prefix: key, separator, query }, { timeoutMs }) as ReadReply<string[]>
    if (reply.value.length === 0 && key !== '') return new Reply(undefined, { status: 404, meta: reply.meta, raw: true })
    return new Reply(reply.value, { meta: reply.meta })
  }
  const recurse = req.query.has('recurse')
  if (key === '' && !recurse) throw badRequest('Missing key name')
  const reply = recurse
    ? await ctx.rpc.call('KVS.List', { prefix: key, query }, { timeoutMs }) as ReadReply<KvEntry[]>
    : await ctx.rpc.call('KVS.Get', { key, query }, { timeoutMs }) as ReadReply<KvEntry[]>
  if (reply.value.length === 0) return new Reply(undefined, { status: 404, meta: reply.meta, raw: true })
  if (req.query.has('raw') && !recurse) {
    return new Reply(Buffer.from(reply.value[0]!.value), {
      meta: reply.meta, raw: true, contentType: 'text/plain; charset=utf-8',
      headers: { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': 'sandbox' },
    })
  }
  return new Reply(reply.value.map((entry) => kvPairOf(revive(entry))), { meta: reply.meta })
}

async function kvPut(req: HttpRequest, ctx: AgentContext): Promise<unknown> {
  const key = req.rest
  if (key === '') throw badRequest('Missing key name')
  const cas = req.query.get('cas')
  const acquire = req.query.get('acquire')
  const release = req.query.get('release')
  if ([cas, acquire, release].filter((v) => v !== null).length > 1) throw badRequest('Conflicting flags: cas, acquire and release are mutually exclusive')
  const flags = parseFlags(req.query.get('flags'))
  const limit = httpDefaults.kvValueBytesMax
  const value = await req.body(limit, (bytes, max) => `Request body(${bytes} bytes) too large, max size: ${max} bytes. See https://developer.hashicorp.com/consul/docs/agent/config/config-files#kv_max_value_size.`)
  let op: KvOp = 'set'
  const request: KvRequest = { op, key, value: new Uint8Array(value), flags }
  if (cas !== null) { op = 'cas'; request.index = parseIndexParam(cas, 'cas') }
  if (acquire !== null) { op = 'lock'; request.session = acquire }
  if (release !== null) { op = 'unlock'; request.session = release }
  request.op = op
  if ((op === 'lock' || op === 'unlock') && request.session === '') throw badRequest('Missing session')
  return ctx.rpc.call('KVS.Apply', request)
}

async function kvDelete(req: HttpRequest, ctx: AgentContext): Promise<unknown> {
  const key = req.rest
  const recurse = req.query.has('recurse')
  if (key === '' && !recurse) throw badRequest('Missing key name')
  const cas = req.query.get('cas')
  const request: KvRequest = recurse
    ? { op: 'delete-tree', key }
    : cas !== null ? { op: 'delete-cas', key, index: parseIndexParam(cas, 'cas') } : { op: 'delete', key }
  return ctx.rpc.call('KVS.Apply', request)
}

/**
 * acquireRefused tells the leader that an ?acquire= cannot succeed, so it answers false without
 * a log entry: the key is held by another (existing) session, or a lock-delay is running (Consul's
 * KVS endpoint answers that case from the leader's state too). Under contention most acquires
 * are these, and each would otherwise cost a replicated, fsynced write. The state is read behind
 * the leader-lease barrier Consul's default reads use, so a new leader first applies what its
 * predecessor acknowledged (a release it acked is never missed). Anything else — our own session
 * holds the key, the key is free, an unknown session (whose error apply reports) — is proposed.
 * Only refusals skip the log; every acquire that takes the lock still goes through Raft.
 */
async function acquireRefused(ctx: AgentContext, args: KvRequest): Promise<boolean> {
  const server = requireServer(ctx)
  try {
    await server.raft.readBarrier('leader')
  } catch {
    return false  // no lease and no quorum to confirm: let the proposal report what is wrong
  }
  const session = args.session ?? ''
  if (server.store.sessions.get(session) === undefined) return false
  const held = server.store.kvGet(args.key).entry?.session
  if (held !== undefined) return held !== session
  return (server.store.kv.lockDelays.get(args.key) ?? 0) > ctx.now()
}

function parseFlags(text: string | null): bigint {
  if (text === null || text === '') return 0n
  if (!/^\d+$/.test(text) || BigInt(text) > uint64Max) throw badRequest(`Invalid flags: ${JSON.stringify(text)}`)
  return BigInt(text)
}

function parseIndexParam(text: string, name: string): number {
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw badRequest(`Invalid ${name} index: ${JSON.stringify(text)}`)
  return Number(text)
}

/** revive restores types an RPC hop may have widened (Buffer for Uint8Array, bigint flags). */
export function revive(entry: KvEntry): KvEntry {
  return { ...entry, flags: BigInt(entry.flags), value: entry.value ?? new Uint8Array(0), session: entry.session ?? undefined }
}

/** notFound is a 404 with a plain-text message. */
export function notFound(message: string): ZxError {
  return new ZxError('ZX_ERR_NOT_FOUND', message, { status: 404 })
}
