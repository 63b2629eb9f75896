/**
 * src/api/session.ts: /v1/session, the liveness half of Consul's lock recipe. A renew of an
 * unknown or expired session answers 404; that is reported as ZX_ERR_SESSION_EXPIRED so the
 * lock code can tell "the session is gone" from "the cluster is busy".
 */
import { type HttpTransport } from './http.js'
import { parseJson } from './json.js'
import { readQuery, readTimeout, type ReadOptions } from './kv.js'
import { LabError } from '../errors.js'
import type { Indexed, SessionCreate, SessionEntry } from './types.js'

/** SessionApi is the typed client of /v1/session. */
export class SessionApi {
  constructor(private readonly http: HttpTransport) {}

  /** create opens a session and returns its ID. */
  async create(body: SessionCreate = {}): Promise<string> {
    const res = await this.http.send({ method: 'PUT', path: '/v1/session/create', body: JSON.stringify(body) })
    const value = parseJson(res.body, 'session create') as { ID?: unknown }
    if (typeof value?.ID !== 'string') throw new LabError('ZX_ERR_BAD_RESPONSE', 'the agent created a session without an ID')
    return value.ID
  }

  /** renew extends a session's TTL; throws ZX_ERR_SESSION_EXPIRED when it is gone. */
  async renew(id: string): Promise<SessionEntry> {
    const res = await this.http.send({ method: 'PUT', path: `/v1/session/renew/${encodeURIComponent(id)}`, okStatuses: [404] })
    const value = res.status === 404 ? null : parseJson(res.body, 'session renew')
    if (!Array.isArray(value) || value.length === 0) {
      throw new LabError('ZX_ERR_SESSION_EXPIRED', `session ${id} expired or was destroyed`)
    }
    return value[0] as SessionEntry
  }

  /** destroy ends a session, releasing (or deleting) the keys it holds; idempotent. */
  async destroy(id: string): Promise<void> {
    await this.http.send({ method: 'PUT', path: `/v1/session/destroy/${encodeURIComponent(id)}` })
  }

  /** info reads one session; `value` is undefined when it does not exist. */
  async info(id: string, options: ReadOptions = {}): Promise<Indexed<SessionEntry | undefined>> {
    const res = await this.http.send({
      method: 'GET', path: `/v1/session/info/${encodeURIComponent(id)}`, query: readQuery(options), timeoutMs: readTimeout(options),
    })
    const value = parseJson(res.body, 'session info')
    const list = Array.isArray(value) ? (value as SessionEntry[]) : []
    return { index: res.index ?? 1n, value: list[0], knownLeader: res.knownLeader }
  }

  /** list reads every session in the datacenter. */
  async list(): Promise<SessionEntry[]> {
    const res = await this.http.send({ method: 'GET', path: '/v1/session/list' })
    const value = parseJson(res.body, 'session list')
    return Array.isArray(value) ? (value as SessionEntry[]) : []
  }
}
