/**
 * src/api/http.ts: the one place the lab kit talks HTTP to an agent. Every request is bounded
 * in time (a dead or partitioned agent never hangs a command), and every failure becomes a
 * LabError: refused connections say which address did not answer, Consul's 500
 * "No cluster leader" becomes ZX_ERR_NO_QUORUM, other statuses keep the agent's plain-text
 * message. With a dispatcher given, or undici's global dispatcher installed (tests' MockAgent),
 * requests go through undici; otherwise through node:http, which costs no start-up time —
 * loading undici alone is ~150 ms of CPU, half of `zx kv get`'s budget.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import type { Dispatcher } from 'undici'
import { LabError } from '../errors.js'
import { apiDefaults } from './defaults.js'

/** QueryValue is one query parameter: `true` is Consul's presence-only flag (`?recurse`). */
export type QueryValue = string | number | bigint | boolean | undefined

/** HttpRequest is one call to the agent. */
export interface HttpRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE'
  path: string
  query?: Record<string, QueryValue>
  body?: string | Uint8Array
  timeoutMs?: number
  /** okStatuses are non-2xx statuses the caller handles itself (404 for a KV miss). */
  okStatuses?: number[]
}

/** HttpResponse is a decoded answer: status, the X-Consul-* headers we use, the raw body. */
export interface HttpResponse {
  status: number
  body: Buffer
  index: bigint | undefined
  knownLeader: boolean | undefined
  lastContactMs: number | undefined
}

/** HttpTransport sends requests to one agent address (`http://127.0.0.1:8500`). */
export class HttpTransport {
  readonly address: string
  private readonly token: string | undefined
  private readonly dispatcher: Dispatcher | undefined
  private readonly timeoutMs: number

  constructor(options: { address: string; token?: string; dispatcher?: Dispatcher; timeoutMs?: number }) {
    this.address = normalizeAddress(options.address)
    this.token = options.token
    this.dispatcher = options.dispatcher
    this.timeoutMs = options.timeoutMs ?? apiDefaults.requestTimeoutMs
  }

  /** send performs one request and maps transport and HTTP failures to LabErrors. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const url = this.address + req.path + encodeQuery(req.query ?? {})
    const timeoutMs = req.timeoutMs ?? this.timeoutMs
    const headers: Record<string, string> = {}
    if (this.token !== undefined) headers['x-consul-token'] = this.token
    let res: RawResponse
    try {
      res = this.dispatcher !== undefined || undiciGlobalInstalled()
        ? await sendUndici(url, req, headers, timeoutMs, this.dispatcher)
        : await sendNodeHttp(url, req, headers, timeoutMs)
    } catch (error) {
      throw transportError(error, this.address, req, timeoutMs)
    }
    const body = res.body
    const ok = (res.statusCode >= 200 && res.statusCode < 300) || (req.okStatuses ?? []).includes(res.statusCode)
    if (!ok) throw statusError(res.statusCode, body.toString('utf8'), req)
    return {
      status: res.statusCode,
      body,
      index: parseIndex(header(res.headers, 'x-consul-index')),
      knownLeader: parseBool(header(res.headers, 'x-consul-knownleader')),
      lastContactMs: parseNumber(header(res.headers, 'x-consul-lastcontact')),
    }
  }
}

interface RawResponse {
  statusCode: number
  headers: IncomingHttpHeaders
  body: Buffer
}

/** undiciGlobalInstalled tells whether someone (a test's MockAgent, or fetch) set undici's global dispatcher. */
function undiciGlobalInstalled(): boolean {
  return (globalThis as Record<symbol, unknown>)[Symbol.for('undici.globalDispatcher.1')] !== undefined
}

async function sendUndici(url: string, req: HttpRequest, headers: Record<string, string>, timeoutMs: number, dispatcher: Dispatcher | undefined): Promise<RawResponse> {
  const { request } = await import('undici')
  const res = await request(url, {
    method: req.method, body: req.body, headers, signal: AbortSignal.timeout(timeoutMs),
    ...(dispatcher === undefined ? {} : { dispatcher }),
  })
  return { statusCode: res.statusCode, headers: res.headers as IncomingHttpHeaders, body: Buffer.from(await res.body.arrayBuffer()) }
}

function sendNodeHttp(url: string, req: HttpRequest, headers: Record<string, string>, timeoutMs: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.from(req.body)
    if (body !== undefined) headers['content-length'] = String(body.length)
    const outgoing = httpRequest(url, { method: req.method, headers, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

/** normalizeAddress turns `127.0.0.1:8500` or `http://host:port/` into `http://host:port`. */
export function normalizeAddress(address: string): string {
  let value = address.trim()
  if (!/^https?:\/\//.test(value)) value = `http://${value}`
  return value.replace(/\/+$/, '')
}

/** encodeQuery renders Consul-style query parameters; `true` renders the bare name. */
export function encodeQuery(query: Record<string, QueryValue>): string {
  const parts: string[] = []
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === false) continue
    parts.push(value === true ? encodeURIComponent(name) : `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`
}

/** encodeKeyPath encodes a KV key for a URL path, keeping its `/` separators. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/')
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

function parseIndex(value: string | undefined): bigint | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined
  return BigInt(value)
}

function parseBool(value: string | undefined): boolean | undefined {
  return value === undefined ? undefined : value === 'true'
}

function parseNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  return Number.isFinite(n) ? n : undefined
}

function statusError(status: number, text: string, req: HttpRequest): LabError {
  const message = text.trim() === '' ? `HTTP ${status}` : text.trim()
  const details = { status, method: req.method, path: req.path }
  if (status === 500 && /no cluster leader|no leader/i.test(message)) {
    return new LabError('ZX_ERR_NO_QUORUM', `no quorum: the cluster has no leader, so it cannot serve ${req.method} ${req.path} (agent said: ${message})`, { details })
  }
  return new LabError('ZX_ERR_API', `Unexpected response code: ${status} (${message})`, { details })
}

function transportError(error: unknown, address: string, req: HttpRequest, timeoutMs: number): LabError {
  const name = (error as { name?: string }).name
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new LabError('ZX_ERR_TIMEOUT', `no answer from ${address} within ${timeoutMs} ms (${req.method} ${req.path}); the agent may be paused, partitioned or without quorum`, { cause: error })
  }
  const reason = code ?? (error instanceof Error ? error.message : String(error))
  return new LabError('ZX_ERR_AGENT_UNREACHABLE', `cannot reach the agent at ${address} (${reason}); is the node running? (zx cluster status)`, { cause: error })
}
