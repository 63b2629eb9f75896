/**
 * agent/http/server.ts: the HTTP listener and the shared wrapper around every handler. The
 * wrapper matches the route (405 with Allow, 404), checks ?dc, runs the handler and writes its
 * data: JSON (bigints exact, ?pretty indents), plain-text errors with Consul's status codes, and
 * the X-Consul-Index / KnownLeader / LastContact / Effective-Consistency headers for reads. No
 * input can crash the process: every failure becomes a response.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { httpDefaults } from '../config/defaults.js'
import { isZxError, ZxError } from '../errors.js'
import type { AgentContext } from '../endpoints/context.js'
import { toJson } from './json.js'
import { Reply, type HttpRequest, type RouteTable } from './route.js'

/** HttpApi serves the route table on one or more addresses. */
export class HttpApi {
  private readonly servers: Server[] = []

  constructor(private readonly ctx: AgentContext, private readonly table: RouteTable) {}

  /** listen binds every address on port (0 = any free port); returns the bound ports. */
  async listen(addresses: readonly string[], port: number): Promise<number[]> {
    const ports: number[] = []
    for (const host of addresses) {
      const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => { void this.handle(req, res) })
      server.headersTimeout = 60_000
      server.requestTimeout = 0
      server.on('connection', (socket) => this.admit(socket))
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => { server.off('error', reject); resolve() })
      })
      server.on('error', (error) => this.ctx.log.error('http server error', { error: error.message }))
      this.servers.push(server)
      ports.push((server.address() as AddressInfo).port)
    }
    return ports
  }

  private readonly connsPerClient = new Map<string, number>()
  /** rejectedConnections counts connections refused by the per-client cap. */
  rejectedConnections = 0

  private admit(socket: Socket): void {
    const client = socket.remoteAddress ?? '?'
    const open = (this.connsPerClient.get(client) ?? 0) + 1
    if (open > this.ctx.config.httpMaxConnsPerClient) {
      this.rejectedConnections++
      const body = 'Your IP is issuing too many concurrent connections, please rate limit your calls\n'
      socket.end(`HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
      socket.once('error', () => undefined)
      return
    }
    this.connsPerClient.set(client, open)
    socket.once('close', () => {
      const left = (this.connsPerClient.get(client) ?? 1) - 1
      if (left <= 0) this.connsPerClient.delete(client)
      else this.connsPerClient.set(client, left)
    })
  }

  /** close stops listening and drops open connections. */
  async close(): Promise<void> {
    await Promise.all(this.servers.map((server) => new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })))
    this.servers.length = 0
  }

  /** handle serves one request (exposed for tests). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    const abort = new AbortController()
    // Abort only a request whose client went away: aborting every finished one builds a
    // DOMException per request for nothing.
    res.on('close', () => { if (!res.writableFinished) abort.abort() })
    try {
      const url = new URL(req.url ?? '/', 'http://agent')
      let path: string
      try { path = decodeURIComponent(url.pathname) } catch { throw new ZxError('ZX_ERR_BAD_REQUEST', 'Invalid URL path encoding') }
      const match = this.table.match(req.method ?? 'GET', path)
      if (match.kind === 'missing') return sendText(res, 404, `Invalid URL path: not a recognized HTTP API endpoint`)
      if (match.kind === 'method') {
        res.setHeader('Allow', match.allow.join(','))
        return sendText(res, 405, `method ${req.method ?? ''} not allowed`)
      }
      const route = match.route
      if (route.raw !== undefined) return await route.raw(req, res)
      const dc = url.searchParams.get('dc')
      if (dc !== null && dc !== '' && dc.toLowerCase() !== this.ctx.config.datacenter) throw new ZxError('ZX_ERR_INTERNAL', 'No path to datacenter', { status: 500 })
      const request: HttpRequest = {
        method: req.method ?? 'GET', path, rest: match.rest, query: url.searchParams, headers: req.headers, raw: req,
        body: (limit, tooLarge) => readBody(req, limit ?? httpDefaults.bodyBytesMax, tooLarge),
        signal: abort.signal,
      }
      const result = await route.handler!(request, this.ctx)
      if (!res.headersSent && !res.writableEnded) writeResult(res, result, url.searchParams.has('pretty'))
    } catch (error) {
      this.writeError(res, error)
    } finally {
      const latencyMs = performance.now() - started
      this.ctx.metrics.observe('consul.http.request', latencyMs)
      this.ctx.log.debug('Request finished', { method: req.method, url: req.url, from: req.socket.remoteAddress, status: res.statusCode, latency: `${latencyMs.toFixed(1)}ms` })
    }
  }

  private writeError(res: ServerResponse, error: unknown): void {
    if (res.headersSent || res.writableEnded) { res.destroy(); return }
    if (isZxError(error)) {
      if (error.status >= 500) this.ctx.log.debug('request failed', { code: error.code, error: error.message })
      return sendText(res, error.status, error.message)
    }
    this.ctx.log.error('unexpected error serving request', { error: (error as Error)?.stack ?? String(error) })
    sendText(res, 500, `Internal error: ${(error as Error)?.message ?? String(error)}`)
  }
}

function writeResult(res: ServerResponse, result: unknown, pretty: boolean): void {
  const reply = result instanceof Reply ? result : new Reply(result)
  const { status = 200, headers = {}, meta, raw, contentType } = reply.options
  if (meta !== undefined) {
    res.setHeader('X-Consul-Index', String(Math.max(1, meta.index)))
    res.setHeader('X-Consul-KnownLeader', meta.knownLeader ? 'true' : 'false')
    res.setHeader('X-Consul-LastContact', String(Math.round(meta.lastContactMs)))
    res.setHeader('X-Consul-Effective-Consistency', meta.consistency)
  }
  res.setHeader('X-Consul-Default-ACL-Policy', 'allow')
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value)
  if (raw) {
    const body = reply.body === undefined ? '' : reply.body as Buffer | string
    res.writeHead(status, { 'Content-Type': contentType ?? 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) })
    res.end(body)
    return
  }
  const text = reply.body === undefined ? '' : toJson(reply.body, pretty ? '    ' : '')
  res.writeHead(status, { 'Content-Type': contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

/** sendText writes a plain-text response (Consul's error format). */
export function sendText(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.writableEnded) return
  const body = text.endsWith('\n') || text === '' ? text : `${text}\n`
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
}

function readBody(req: IncomingMessage, limit: number, tooLarge?: (bytes: number, limit: number) => string): Promise<Buffer> {
  const message = tooLarge ?? ((bytes: number, max: number) => `Request body(${bytes} bytes) too large, max size: ${max} bytes`)
  const declared = Number(req.headers['content-length'] ?? NaN)
  if (Number.isFinite(declared) && declared > limit) {
    req.resume()
    return Promise.reject(new ZxError('ZX_ERR_TOO_LARGE', message(declared, limit), { status: 413 }))
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let failed = false
    req.on('data', (chunk: Buffer) => {
      if (failed) return
      size += chunk.length
      if (size > limit) {
        failed = true
        reject(new ZxError('ZX_ERR_TOO_LARGE', message(size, limit), { status: 413 }))
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => { if (!failed) resolve(Buffer.concat(chunks)) })
    req.on('error', (error) => { if (!failed) { failed = true; reject(new ZxError('ZX_ERR_BAD_REQUEST', `error reading body: ${error.message}`)) } })
  })
}
