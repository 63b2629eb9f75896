/**
 * agent/endpoints/txn.ts: PUT /v1/txn. The body (≤ 512 KiB, ≤ 64 ops, Flags read losslessly) is
 * parsed into KV ops; a read-only transaction is served like a read (no Raft write), any other
 * is proposed as one Txn command, applied all-or-nothing. 200 with Results on commit, 409 with
 * Errors on rollback, as Consul.
 */
import { httpDefaults } from '../config/defaults.js'
import { parseJsonWithFlags, uint64Max } from '../http/json.js'
import { badRequest, parseQueryOptions } from '../http/query.js'
import { Reply, route, type Route } from '../http/route.js'
import { kvPairOf, type TxnResponse } from '../http/wire.js'
import { ZxError } from '../errors.js'
import { MessageType, type TxnKvVerb, type TxnOp } from '../state/commands.js'
import { txnIsReadOnly, type TxnOutcome } from '../state/txn.js'
import { propose, readQuery, type QueryOptions, type ReadReply } from './blocking.js'
import { requireServer } from './context.js'
import { revive } from './kv.js'
import type { ServerMethod } from './router.js'

const verbs: readonly TxnKvVerb[] = ['set', 'cas', 'lock', 'unlock', 'get', 'get-or-empty', 'get-tree', 'check-index', 'check-session', 'check-not-exists', 'delete', 'delete-tree', 'delete-cas']

/** txnMethods are the transaction server RPC methods. */
export const txnMethods: Record<string, ServerMethod> = {
  'Txn.Apply': {
    kind: 'write',
    run: async (ctx, args: { ops: TxnOp[] }) => {
      ctx.metrics.inc('consul.txn.apply')
      return propose(ctx, MessageType.Txn, { ops: args.ops })
    },
  },
  'Txn.Read': {
    kind: 'read',
    run: (ctx, args: { ops: TxnOp[]; query: QueryOptions }) => readQuery(ctx, { ...args.query, minIndex: 0 }, [], () => {
      const store = requireServer(ctx).store
      return { index: store.indexes.max('kvs', 'tombstones'), value: store.txnRead(args.ops) }
    }),
  },
}

/** txnRoutes serve /v1/txn. */
export const txnRoutes: Route[] = [
  route('/v1/txn', ['PUT'], async (req, ctx) => {
    const body = await req.body(httpDefaults.txnBodyBytesMax)
    const parsed = parseTxnBody(body)
    if ('errors' in parsed) return txnReply({ results: [], errors: parsed.errors }, undefined)
    if (txnIsReadOnly(parsed.ops)) {
      const query = parseQueryOptions(req.query)
      const reply = await ctx.rpc.call('Txn.Read', { ops: parsed.ops, query }) as ReadReply<TxnOutcome>
      return txnReply(reply.value, reply.meta)
    }
    const outcome = await ctx.rpc.call('Txn.Apply', { ops: parsed.ops }) as TxnOutcome
    return txnReply(outcome, undefined)
  }),
]

function txnReply(outcome: TxnOutcome, meta: ReadReply<unknown>['meta'] | undefined): Reply {
  if (outcome.errors.length > 0) {
    const body: TxnResponse = { Results: null, Errors: outcome.errors.map((e) => ({ OpIndex: e.opIndex, What: e.what })) }
    return new Reply(body, { status: 409, meta })
  }
  const body: TxnResponse = { Results: outcome.results.map((r) => ({ KV: kvPairOf(revive(r.entry), r.withValue) })), Errors: null }
  return new Reply(body, { meta })
}

/** parseTxnBody validates a /v1/txn body into ops, or per-op errors for unsupported ops. */
export function parseTxnBody(body: Buffer): { ops: TxnOp[] } | { errors: { opIndex: number; what: string }[] } {
  let raw: unknown
  try { raw = parseJsonWithFlags(body.toString('utf8')) } catch (error) { throw badRequest(`Failed to parse body: ${(error as Error).message}`) }
  if (!Array.isArray(raw)) throw badRequest('Failed to parse body: expected a JSON array of operations')
  if (raw.length > httpDefaults.txnOpsMax) {
    throw new ZxError('ZX_ERR_TOO_LARGE', `Transaction contains too many operations (${raw.length} > ${httpDefaults.txnOpsMax})`, { status: 413 })
  }
  const ops: TxnOp[] = []
  const errors: { opIndex: number; what: string }[] = []
  raw.forEach((item, i) => {
    const kv = (item as { KV?: unknown } | null)?.KV
    if (kv === undefined) {
      const kind = Object.keys(item ?? {})[0] ?? 'unknown'
      errors.push({ opIndex: i, what: `${kind} operations are not supported in zx transactions; use KV` })
      return
    }
    ops.push({ kv: parseKvOp(kv, i) })
  })
  return errors.length > 0 ? { errors } : { ops }
}

function parseKvOp(kv: unknown, i: number): TxnOp['kv'] {
  if (typeof kv !== 'object' || kv === null) throw badRequest(`Failed to parse body: operation ${i}: KV must be an object`)
  const op = kv as Record<string, unknown>
  const verb = op.Verb
  if (typeof verb !== 'string' || !verbs.includes(verb as TxnKvVerb)) throw badRequest(`Failed to parse body: operation ${i}: unknown KV verb ${JSON.stringify(verb)}`)
  if (typeof op.Key !== 'string') throw badRequest(`Failed to parse body: operation ${i}: Key must be a string`)
  const out: TxnOp['kv'] = { verb: verb as TxnKvVerb, key: op.Key }
  if (op.Value !== undefined && op.Value !== null) {
    if (typeof op.Value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(op.Value)) throw badRequest(`Failed to parse body: operation ${i}: Value must be base64`)
    out.value = new Uint8Array(Buffer.from(op.Value, 'base64'))
    if (out.value.length > httpDefaults.kvValueBytesMax) throw new ZxError('ZX_ERR_TOO_LARGE', `Value for key "${op.Key}" is too large (${out.value.length} > ${httpDefaults.kvValueBytesMax} bytes)`, { status: 413 })
  }
  if (op.Flags !== undefined && op.Flags !== null) {
    const flags = typeof op.Flags === 'bigint' ? op.Flags : undefined
    if (flags === undefined || flags < 0n || flags > uint64Max) throw badRequest(`Failed to parse body: operation ${i}: Flags must be a uint64`)
    out.flags = flags
  }
  if (op.Index !== undefined && op.Index !== null) {
    if (typeof op.Index !== 'number' || !Number.isSafeInteger(op.Index) || op.Index < 0) throw badRequest(`Failed to parse body: operation ${i}: Index must be a uint64`)
    out.index = op.Index
  }
  if (op.Session !== undefined && op.Session !== null && op.Session !== '') {
    if (typeof op.Session !== 'string') throw badRequest(`Failed to parse body: operation ${i}: Session must be a string`)
    out.session = op.Session
  }
  return out
}
