/**
 * src/verify/clients.ts: the clients of `zx verify`. Each process loops over random reads,
 * writes and compare-and-sets on a small key set through the HTTP API and records every
 * operation in the history. Written values are unique (`<process>-<n>`), so a successful
 * `?cas=<ModifyIndex>` proves the key still held the value that read returned, which lets the
 * checker model CAS on values. An answer that was lost (timeout, connection reset after the
 * request went out, 5xx) is recorded as unknown; a refused connection is a definite failure.
 */
import { performance } from 'node:perf_hooks'
import { Pool } from 'undici'
import type { HistoryRecorder, RegisterOp } from './history.js'

/** ClientOptions shape the client load. */
export interface ClientOptions {
  endpoints: string[]
  processes: number
  keys: number
  durationMs: number
  timeoutMs: number
  readMode: 'consistent' | 'default' | 'stale'
  /** pauseMs between a process's operations, to keep the history small enough to check. */
  pauseMs: number
  prefix: string
}

interface Answer { status: number; index: number; text: string }

class NotSent extends Error {}

/** runClients runs the processes until durationMs passes and records into history. */
export async function runClients(options: ClientOptions, history: HistoryRecorder, now: () => number = () => performance.now()): Promise<void> {
  const pools = new Map(options.endpoints.map((ep) => [ep, new Pool(ep, { connections: options.processes, connectTimeout: 1_000 })]))
  const deadline = now() + options.durationMs
  const request = async (endpoint: string, method: string, path: string, body?: string): Promise<Answer> => {
    try {
      const res = await pools.get(endpoint)!.request({ method: method as 'GET', path, body, signal: AbortSignal.timeout(options.timeoutMs) })
      const text = await res.body.text()
      return { status: res.statusCode, index: Number(res.headers['x-consul-index'] ?? 0), text }
    } catch (error) {
      const code = (error as { code?: string }).code
      if (code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT') throw new NotSent(code)
      throw error
    }
  }
  const path = (key: string): string => `/v1/kv/${options.prefix}${key}`
  const readQuery = options.readMode === 'default' ? '' : `?${options.readMode}`

  const process = async (id: number): Promise<void> => {
    let endpoint = options.endpoints[id % options.endpoints.length]!
    let counter = 0
    while (now() < deadline) {
      const key = `k${Math.floor(Math.random() * options.keys)}`
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

    async function read(key: string): Promise<{ value: string | null; index: number } | undefined> {
      const h = history.invoke(id, { f: 'read', key, output: null }, now())
      try {
        const answer = await request(endpoint, 'GET', path(key) + readQuery)
        if (answer.status === 404) {
          history.complete(h, { f: 'read', key, output: null }, now())
          return { value: null, index: 0 }
        }
        if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`)
        const [pair] = JSON.parse(answer.text) as Array<{ Value: string | null; ModifyIndex: number }>
        const value = pair?.Value == null ? '' : Buffer.from(pair.Value, 'base64').toString()
        history.complete(h, { f: 'read', key, output: value }, now())
        return { value, index: pair!.ModifyIndex }
      } catch (error) {
        history.fail(h, now()) // a read that did not answer changed nothing
        throw error
      }
    }

    async function write(key: string, value: string): Promise<void> {
      const op: RegisterOp = { f: 'write', key, value }
      const h = history.invoke(id, op, now())
      await settle(h, op, () => request(endpoint, 'PUT', path(key), value), (answer) => answer.text.trim() === 'true')
    }

    async function cas(key: string, value: string): Promise<void> {
      const seen = await read(key)
      if (seen === undefined) return
      const pending: RegisterOp = { f: 'cas', key, expected: seen.value, value, ok: true }
      const h = history.invoke(id, pending, now())
      await settle(h, pending, () => request(endpoint, 'PUT', `${path(key)}?cas=${seen.index}`, value), (answer) => {
        const ok = answer.text.trim() === 'true'
        if (!ok) history.complete(h, { ...pending, ok: false }, now())
        return ok
      })
    }
  }

  /** settle records the outcome of a write-like request: ok, definitely failed, or unknown. */
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
    else if (op.f === 'write') history.fail(h, now())
  }

  try {
    await Promise.all(Array.from({ length: options.processes }, (_, i) => process(i)))
  } finally {
    await Promise.all([...pools.values()].map((p) => p.close()))
  }
}
