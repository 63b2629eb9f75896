/**
 * src/verify/etcd-clients.ts: the `zx verify --target etcd` workload — the same random
 * reads, writes and compare-and-sets as clients.ts, sent to etcd's v3 JSON gateway
 * (`/v3/kv/range`, `/v3/kv/put`, `/v3/kv/txn` comparing `mod_revision`). Keys and values
 * travel base64-encoded; the gateway leaves out false booleans and zero numbers, so a txn
 * answer without `succeeded` means the compare failed. Outcomes are recorded exactly like the
 * Consul clients: refused connection or 4xx = definitely failed, timeout or 5xx = unknown.
 */
import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'
import type { ClientOptions } from './clients.js'
import type { HistoryRecorder, RegisterOp } from './history.js'

/** EtcdRead is a range answer reduced to what the workload needs. */
export interface EtcdRead {
  value: string | null
  /** modRevision is 0 when the key does not exist (etcd compares absent keys as revision 0). */
  modRevision: number
}

/** etcdKey base64-encodes a key or value for the JSON gateway. */
export function etcdKey(text: string): string {
  return Buffer.from(text).toString('base64')
}

/** etcdRangeRequest is the body of a single-key range, linearizable unless serializable. */
export function etcdRangeRequest(key: string, serializable: boolean): Record<string, unknown> {
  return serializable ? { key: etcdKey(key), serializable: true } : { key: etcdKey(key) }
}

/** etcdCasRequest is the txn body: put value if key's mod_revision still equals modRevision. */
export function etcdCasRequest(key: string, modRevision: number, value: string): Record<string, unknown> {
  return {
    compare: [{ key: etcdKey(key), target: 'MOD', result: 'EQUAL', mod_revision: String(modRevision) }],
    success: [{ request_put: { key: etcdKey(key), value: etcdKey(value) } }],
  }
}

/** parseEtcdRange maps a range answer to a value (null when absent); throws on a malformed body. */
export function parseEtcdRange(text: string): EtcdRead {
  const body = JSON.parse(text) as { kvs?: Array<{ value?: string; mod_revision?: string }> }
  if (typeof body !== 'object' || body === null) throw new Error('etcd range: answer is not an object')
  const kv = body.kvs?.[0]
  if (kv === undefined) return { value: null, modRevision: 0 }
  const modRevision = Number(kv.mod_revision ?? 0)
  if (!Number.isSafeInteger(modRevision) || modRevision <= 0) throw new Error(`etcd range: bad mod_revision ${String(kv.mod_revision)}`)
  return { value: Buffer.from(kv.value ?? '', 'base64').toString(), modRevision }
}

/** parseEtcdTxn tells whether a txn's compare held (the gateway omits `succeeded: false`). */
export function parseEtcdTxn(text: string): boolean {
  const body = JSON.parse(text) as { succeeded?: boolean; header?: unknown }
  if (typeof body !== 'object' || body === null || body.header === undefined) throw new Error('etcd txn: answer has no header')
  return body.succeeded === true
}

interface Answer { status: number; text: string }

class NotSent extends Error {}

/** runEtcdClients runs the register/CAS workload against etcd endpoints and records history. */
export async function runEtcdClients(options: ClientOptions, history: HistoryRecorder, now: () => number = () => performance.now()): Promise<void> {
  const pools = new Map(options.endpoints.map((ep) => [ep, new Pool(ep, { connections: options.processes, connectTimeout: 1_000 })]))
  const deadline = now() + options.durationMs
  const post = async (endpoint: string, path: string, body: unknown): Promise<Answer> => {
    try {
      const res = await pools.get(endpoint)!.request({
        method: 'POST', path, body: JSON.stringify(body), headers: { 'content-type': 'application/json' },
        signal: AbortSignal.timeout(options.timeoutMs),
      })
      return { status: res.statusCode, text: await res.body.text() }
    } catch (error) {
      const code = (error as { code?: string }).code
      if (code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT') throw new NotSent(code)
      throw error
    }
  }
  const serializable = options.readMode === 'stale'

  const process = async (id: number): Promise<void> => {
    let endpoint = options.endpoints[id % options.endpoints.length]!
    let counter = 0
    while (now() < deadline) {
      const key = `${options.prefix}k${Math.floor(Math.random() * options.keys)}`
      const dice = Math.random()
      try {
        if (dice < 0.5) await read(key)
        else if (dice < 0.75) await write(key, `${id}-${counter++}`)
        else await cas(key, `${id}-${counter++}`)
      } catch {
        endpoint = options.endpoints[Math.floor(Math.random() * options.endpoints.length)]!
      }
      if (options.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, options.pauseMs))
    }

    async function read(key: string): Promise<EtcdRead> {
      const h = history.invoke(id, { f: 'read', key, output: null }, now())
      try {
        const answer = await post(endpoint, '/v3/kv/range', etcdRangeRequest(key, serializable))
        if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`)
        const seen = parseEtcdRange(answer.text)
        history.complete(h, { f: 'read', key, output: seen.value }, now())
        return seen
      } catch (error) {
        history.fail(h, now()) // a read that did not answer changed nothing
        throw error
      }
    }

    async function write(key: string, value: string): Promise<void> {
      const op: RegisterOp = { f: 'write', key, value }
      const h = history.invoke(id, op, now())
      await settle(h, op, () => post(endpoint, '/v3/kv/put', { key: etcdKey(key), value: etcdKey(value) }), () => true)
    }

    async function cas(key: string, value: string): Promise<void> {
      const seen = await read(key)
      const pending: RegisterOp = { f: 'cas', key, expected: seen.value, value, ok: true }
      const h = history.invoke(id, pending, now())
      await settle(h, pending, () => post(endpoint, '/v3/kv/txn', etcdCasRequest(key, seen.modRevision, value)), (answer) => {
        const ok = parseEtcdTxn(answer.text)
        if (!ok) history.complete(h, { ...pending, ok: false }, now())
        return ok
      })
    }
  }

  /** settle records a write-like request's outcome: ok, definitely failed, or unknown. */
  async function settle(h: number, op: RegisterOp, send: () => Promise<Answer>, accepted: (answer: Answer) => boolean): Promise<void> {
    let answer: Answer
    try {
      answer = await send()
    } catch (error) {
      if (error instanceof NotSent) history.fail(h, now())
      throw error // unknown otherwise: leave the entry open
    }
    if (answer.status >= 400 && answer.status < 500) { history.fail(h, now()); return }
    if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`) // 5xx: outcome unknown
    if (accepted(answer)) history.complete(h, op, now())
  }

  try {
    await Promise.all(Array.from({ length: options.processes }, (_, i) => process(i)))
  } finally {
    await Promise.all([...pools.values()].map((p) => p.close()))
  }
}
