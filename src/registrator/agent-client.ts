/**
 * src/registrator/agent-client.ts: the four agent calls registrator makes, over undici:
 * `GET /v1/status/leader` (ping), `PUT /v1/agent/service/register`, `PUT
 * /v1/agent/service/deregister/<id>`, `GET /v1/agent/services`, plus `PUT /v1/agent/check/pass`
 * for --ttl refreshes. A connection failure becomes ZX_ERR_AGENT_UNREACHABLE and a non-2xx answer
 * ZX_ERR_API with the agent's text body, so the loop can log one clear line and retry.
 */
import { Agent, request, type Dispatcher } from 'undici'
import { LabError } from '../errors.js'
import { registratorDefaults } from './defaults.js'
import type { ServiceRegistration } from './mapping.js'

/** AgentServices is the map GET /v1/agent/services returns (ServiceID → service). */
export type AgentServices = Record<string, { ID: string; Service: string; Port?: number; Address?: string; Tags?: string[] | null; Meta?: Record<string, string> | null }>

/** RegistryClient is what the registrator needs from the agent; tests substitute a recorder. */
export interface RegistryClient {
  leader(): Promise<string>
  register(service: ServiceRegistration): Promise<void>
  deregister(id: string): Promise<void>
  services(): Promise<AgentServices>
  passTtl(checkId: string): Promise<void>
  close?(): Promise<void>
}

/** parseAgentUri accepts `consul://host:port`, `http://host:port`, `host:port` and returns an http base URL. */
export function parseAgentUri(uri: string | undefined): string {
  if (uri === undefined || uri === '') return registratorDefaults.agentAddress
  const text = uri.replace(/^consul:\/\//, 'http://')
  const withScheme = /^[a-z]+:\/\//.test(text) ? text : `http://${text}`
  let url: URL
  try { url = new URL(withScheme) } catch {
    throw new LabError('ZX_ERR_USAGE', `invalid agent address ${JSON.stringify(uri)}: use consul://host:port`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LabError('ZX_ERR_USAGE', `unsupported backend ${JSON.stringify(uri)}: only consul://host:port (or http[s]://) is supported`)
  }
  return `${url.protocol}//${url.host}`
}

/** HttpRegistryClient talks to a real agent. */
export class HttpRegistryClient implements RegistryClient {
  private readonly dispatcher: Dispatcher
  private readonly ownsDispatcher: boolean
  private readonly token: string | undefined
  private readonly timeoutMs: number

  constructor(readonly baseUrl: string, options: { token?: string; timeoutMs?: number; dispatcher?: Dispatcher } = {}) {
    this.token = options.token ?? process.env.CONSUL_HTTP_TOKEN
    this.timeoutMs = options.timeoutMs ?? registratorDefaults.requestTimeoutMs
    this.ownsDispatcher = options.dispatcher === undefined
    this.dispatcher = options.dispatcher ?? new Agent({ connections: 32, keepAliveTimeout: 10_000 })
  }


  /** leader returns the raft leader's address ('' when none). */
  async leader(): Promise<string> {
    const body = await this.call('GET', '/v1/status/leader')
    try {
      const value: unknown = JSON.parse(body)
      return typeof value === 'string' ? value : ''
    } catch {
      throw new LabError('ZX_ERR_BAD_RESPONSE', `agent at ${this.baseUrl} answered /v1/status/leader with non-JSON`)
    }
  }

  /** register registers (or idempotently re-registers) one service. */
  async register(service: ServiceRegistration): Promise<void> {
    await this.call('PUT', '/v1/agent/service/register', JSON.stringify(service))
  }

  /** deregister removes one service; Consul answers 200 for an unknown ID too. */
  async deregister(id: string): Promise<void> {
    await this.call('PUT', `/v1/agent/service/deregister/${encodeURIComponent(id)}`)
  }

  /** services lists the services the agent owns. */
  async services(): Promise<AgentServices> {
    const body = await this.call('GET', '/v1/agent/services')
    try {
      const value: unknown = JSON.parse(body)
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object')
      return value as AgentServices
    } catch {
      throw new LabError('ZX_ERR_BAD_RESPONSE', `agent at ${this.baseUrl} answered /v1/agent/services with something other than a JSON object`)
    }
  }

  /** passTtl marks a TTL check passing. */
  async passTtl(checkId: string): Promise<void> {
    await this.call('PUT', `/v1/agent/check/pass/${encodeURIComponent(checkId)}`)
  }

  /** close drops the connection pool. */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close()
  }

  private async call(method: 'GET' | 'PUT', path: string, body?: string): Promise<string> {
    const headers: Record<string, string> = {}
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (this.token !== undefined && this.token !== '') headers['x-consul-token'] = this.token
    let response: Awaited<ReturnType<typeof request>>
    try {
      response = await request(`${this.baseUrl}${path}`, {
        method, headers, body, dispatcher: this.dispatcher,
        headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs,
      })
    } catch (error) {
      throw new LabError('ZX_ERR_AGENT_UNREACHABLE', `agent ${this.baseUrl} unreachable: ${describe(error)}`, { cause: error })
    }
    const text = await response.body.text()
    if (response.statusCode < 200 || response.statusCode > 299) {
      throw new LabError('ZX_ERR_API', `agent ${method} ${path}: ${response.statusCode} ${text.trim().slice(0, 300)}`, { details: { status: response.statusCode } })
    }
    return text
  }
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  const message = (error as Error).message ?? String(error)
  return code !== undefined && !message.includes(code) ? `${code} ${message}` : message
}
