/**
 * src/api/client.ts: ApiClient, the typed client of one agent's HTTP API, grouped by area
 * like Consul's own Go client (`client.kv.get`, `client.session.create`, …).
 */
import type { Dispatcher } from 'undici'
import { HttpTransport } from './http.js'
import { KvApi } from './kv.js'
import { SessionApi } from './session.js'
import { AgentApi, OperatorApi, StatusApi } from './agent.js'

/** ApiClientOptions say which agent to talk to and how long to wait. */
export interface ApiClientOptions {
  address: string
  token?: string
  timeoutMs?: number
  dispatcher?: Dispatcher
}

/** ApiClient is the typed client of one agent's HTTP API. */
export class ApiClient {
  readonly address: string
  readonly kv: KvApi
  readonly session: SessionApi
  readonly agent: AgentApi
  readonly status: StatusApi
  readonly operator: OperatorApi

  constructor(options: ApiClientOptions) {
    const http = new HttpTransport(options)
    this.address = http.address
    this.kv = new KvApi(http)
    this.session = new SessionApi(http)
    this.agent = new AgentApi(http)
    this.status = new StatusApi(http)
    this.operator = new OperatorApi(http)
  }
}
