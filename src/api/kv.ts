/**
 * src/api/kv.ts: /v1/kv, as Consul documents it. Reads return `{ index, value }` so callers
 * can block on the X-Consul-Index; a miss is `undefined` with the index still set (Consul
 * answers 404 with headers, so a watcher can block on a missing key).
 */
import { encodeKeyPath, type HttpTransport, type QueryValue } from './http.js'
import { parseJson, parseKvPairs } from './json.js'
import { apiDefaults } from './defaults.js'
import { LabError } from '../errors.js'
import type { Indexed, KvPair } from './types.js'

/** ReadOptions are the blocking and consistency parameters of a read. */
export interface ReadOptions {
  index?: bigint
  waitMs?: number
  consistent?: boolean
  stale?: boolean
}

/** KvWriteOptions select the PUT variant: plain, check-and-set, acquire or release. */
export interface KvWriteOptions {
  flags?: bigint
  cas?: bigint | number
  acquire?: string
  release?: string
}

/** KvApi is the typed client of /v1/kv. */
export class KvApi {
  constructor(private readonly http: HttpTransport) {}

  /** get reads one key; `value` is undefined when the key does not exist. */
  async get(key: string, options: ReadOptions = {}): Promise<Indexed<KvPair | undefined>> {
    const pairs = await this.read(key, {}, options)
    return { ...pairs, value: pairs.value.find((p) => p.Key === key) ?? pairs.value[0] }
  }

  /** list reads every key under a prefix (string prefix, like Consul's ?recurse). */
  async list(prefix: string, options: ReadOptions = {}): Promise<Indexed<KvPair[]>> {
    return this.read(prefix, { recurse: true }, options)
  }

  /** keys lists key names under a prefix, folded at `separator` when given. */
  async keys(prefix: string, separator?: string, options: ReadOptions = {}): Promise<Indexed<string[]>> {
    const res = await this.http.send({
      method: 'GET', path: `/v1/kv/${encodeKeyPath(prefix)}`, okStatuses: [404],
      query: { keys: true, separator, ...readQuery(options) }, timeoutMs: readTimeout(options),
    })
    const value = res.status === 404 ? [] : parseJson(res.body, 'a KV key listing')
    if (!Array.isArray(value) || !value.every((k) => typeof k === 'string')) {
      throw new LabError('ZX_ERR_BAD_RESPONSE', 'the agent sent a key listing that is not an array of strings')
    }
    return { index: res.index ?? 1n, value, knownLeader: res.knownLeader }
  }

  /** put writes a value; returns false when a cas/acquire/release condition did not hold. */
  async put(key: string, value: string | Uint8Array, options: KvWriteOptions = {}): Promise<boolean> {
    const res = await this.http.send({
      method: 'PUT', path: `/v1/kv/${encodeKeyPath(key)}`, body: value,
      query: { flags: options.flags, cas: options.cas, acquire: options.acquire, release: options.release },
    })
    return parseBoolean(res.body)
  }

  /** delete removes a key (or a prefix with recurse); false when a cas did not hold. */
  async delete(key: string, options: { recurse?: boolean; cas?: bigint | number } = {}): Promise<boolean> {
    const res = await this.http.send({
      method: 'DELETE', path: `/v1/kv/${encodeKeyPath(key)}`, query: { recurse: options.recurse, cas: options.cas },
    })
    return parseBoolean(res.body)
  }

  private async read(key: string, extra: Record<string, QueryValue>, options: ReadOptions): Promise<Indexed<KvPair[]>> {
    const res = await this.http.send({
      method: 'GET', path: `/v1/kv/${encodeKeyPath(key)}`, okStatuses: [404],
      query: { ...extra, ...readQuery(options) }, timeoutMs: readTimeout(options),
    })
    const value = res.status === 404 ? [] : parseKvPairs(res.body)
    return { index: res.index ?? 1n, value, knownLeader: res.knownLeader }
  }
}

/** readQuery renders blocking and consistency options as Consul query parameters. */
export function readQuery(options: ReadOptions): Record<string, QueryValue> {
  return {
    index: options.index !== undefined && options.index > 0n ? options.index : undefined,
    wait: options.index !== undefined && options.waitMs !== undefined ? `${Math.ceil(options.waitMs / 1000)}s` : undefined,
    consistent: options.consistent,
    stale: options.stale,
  }
}

/** readTimeout bounds a read: a blocking query may legitimately take wait + wait/16. */
export function readTimeout(options: ReadOptions): number | undefined {
  if (options.index === undefined || options.waitMs === undefined) return undefined
  return options.waitMs + Math.ceil(options.waitMs / 16) + apiDefaults.blockingMarginMs
}

/** parseBoolean reads Consul's bare `true` / `false` write answers. */
export function parseBoolean(body: Buffer): boolean {
  const text = body.toString('utf8').trim()
  if (text === 'true') return true
  if (text === 'false') return false
  throw new LabError('ZX_ERR_BAD_RESPONSE', `the agent answered a write with ${JSON.stringify(text.slice(0, 60))} instead of true/false`)
}
