/**
 * agent/endpoints/blocking.ts: reads on a server. `readQuery` takes the consistency barrier the
 * request asked for, runs the query, and for a blocking request (?index=N) parks on the query's
 * tables until its result index moves past N or the wait (plus up to wait/16 jitter, capped at
 * the max query time) runs out. The reply carries the meta for the X-Consul-* headers; the index
 * is never 0. `propose` is the write side: encode, propose on the leader, unwrap the result.
 */
import type { ReadGuarantee, ReadMode } from '../raft/api.js'
import { httpDefaults } from '../config/defaults.js'
import { ZxError } from '../errors.js'
import { encodeCommand, type MessageType } from '../state/commands.js'
import type { TableName } from '../state/indexes.js'
import { requireServer, type AgentContext } from './context.js'

/** QueryOptions are a read's blocking and consistency parameters. */
export interface QueryOptions {
  minIndex: number
  waitMs: number
  mode: ReadMode
  maxStaleMs?: number
}

/** QueryMeta becomes X-Consul-Index / KnownLeader / LastContact / Effective-Consistency. */
export interface QueryMeta {
  index: number
  knownLeader: boolean
  lastContactMs: number
  consistency: ReadMode
}

/** ReadReply is a read's value with its meta. */
export interface ReadReply<T> {
  meta: QueryMeta
  value: T
}

/**
 * readQuery serves a (possibly blocking) read from this server's store. A parked query is
 * memory, and ten thousand of them are a normal load, so while parked it keeps only numbers and
 * a few closures: the first result is dropped before the wait (the query re-runs on every wake),
 * and the wait is a callback loop rather than suspended async frames.
 */
export function readQuery<T>(
  ctx: AgentContext, query: QueryOptions, tables: TableName[], run: () => { index: number; value: T },
): Promise<ReadReply<T>> {
  let barrier: Promise<ReadGuarantee>
  try {
    barrier = requireServer(ctx).raft.readBarrier(query.mode, query.maxStaleMs === undefined ? undefined : { maxStaleMs: query.maxStaleMs })
  } catch (error) {
    return Promise.reject(error)
  }
  return barrier.then((guarantee) => {
    const first = run()
    // An index below the client's means the state was reset (restore): answer at once so it resets too.
    // The index is compared as the client saw it (never 0): an empty table answers X-Consul-Index 1,
    // so a client blocking with index=1 on a missing key must wait, not spin.
    if (query.minIndex > 0) {
      ctx.metrics.inc('consul.rpc.queries_blocking')
      if (Math.max(1, first.index) === query.minIndex) {
        return parkWhileUnchanged(ctx, tables, query, run).then(() => readReply(ctx, guarantee, run()))
      }
    }
    return readReply(ctx, guarantee, first)
  })
}

function readReply<T>(ctx: AgentContext, guarantee: ReadGuarantee, result: { index: number; value: T }): ReadReply<T> {
  ctx.metrics.inc('consul.rpc.query')
  const status = requireServer(ctx).raft.status()
  return {
    meta: {
      index: Math.max(1, result.index),
      knownLeader: guarantee.knownLeader,
      lastContactMs: status.role === 'leader' ? 0 : guarantee.lastContactMs,
      consistency: guarantee.mode,
    },
    value: result.value,
  }
}

/**
 * parkWhileUnchanged resolves once the query's index moves off query.minIndex or its wait (plus
 * up to wait/16 jitter, capped at the max query time) runs out. A wake is a hint: the index is
 * re-read each time. Each park's timeout is rounded up to a timerGrainMs grid, so parked queries
 * share a few timer lists instead of one per distinct millisecond.
 */
function parkWhileUnchanged(ctx: AgentContext, tables: readonly TableName[], query: QueryOptions, run: () => { index: number }): Promise<void> {
  const indexes = requireServer(ctx).store.indexes
  const jitter = Math.random() * (query.waitMs / httpDefaults.jitterFraction)
  const deadline = ctx.now() + Math.min(query.waitMs + jitter, httpDefaults.maxQueryTimeMs)
  return new Promise<void>((resolve) => {
    const park = (): void => {
      const left = deadline - ctx.now()
      if (left <= 0) return resolve()
      void indexes.waitChange(tables, Math.ceil(left / timerGrainMs) * timerGrainMs).then(woken)
    }
    const woken = (changed: boolean): void => {
      if (!changed || Math.max(1, run().index) !== query.minIndex) resolve()
      else park()
    }
    park()
  })
}

/** timerGrainMs: parked queries' timeouts are rounded up to this grid (jitter is random anyway). */
const timerGrainMs = 50

/** propose commits a command on the leader and returns what apply returned (errors thrown as 500). */
export async function propose(ctx: AgentContext, type: MessageType, body: unknown): Promise<unknown> {
  const server = requireServer(ctx)
  const started = performance.now()
  const { result } = await settleOrLoseLeadership(ctx, server.raft.propose(encodeCommand(type, body, ctx.now())))
  ctx.metrics.observe('consul.raft.apply', performance.now() - started)
  if (typeof result === 'object' && result !== null && 'error' in result && typeof (result as { error: unknown }).error === 'string') {
    throw new ZxError('ZX_ERR_INTERNAL', (result as { error: string }).error, { status: 500 })
  }
  return result
}

/**
 * settleOrLoseLeadership waits for a proposal, but if this server stops being leader and the
 * proposal is still pending a hold timeout later, answers 500 instead of hanging: `No cluster
 * leader` when no leader is known, else Consul's `leadership lost while committing log`. The
 * write's fate is unknown then, so the error is not one the router retries.
 */
async function settleOrLoseLeadership<T>(ctx: AgentContext, pending: Promise<T>): Promise<T> {
  const raft = requireServer(ctx).raft
  let timer: ReturnType<typeof setInterval> | undefined
  const watch = new Promise<never>((_resolve, reject) => {
    let lostAt: number | undefined
    timer = setInterval(() => {
      const status = raft.status()
      if (status.role === 'leader') { lostAt = undefined; return }
      lostAt ??= ctx.now()
      if (ctx.now() - lostAt < httpDefaults.rpcHoldTimeoutMs) return
      const message = status.leaderId === undefined ? 'No cluster leader' : 'leadership lost while committing log'
      reject(new ZxError('ZX_ERR_TIMEOUT', message, { status: 500 }))
    }, 50)
  })
  try {
    return await Promise.race([pending, watch])
  } finally {
    clearInterval(timer)
    pending.catch(() => undefined)
  }
}
