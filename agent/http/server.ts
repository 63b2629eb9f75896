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
import { IncomingRequest, splitTarget } from './request.js'
import { Reply, type Route, type RouteTable } from './route.js'

const settled = Promise.resolve()

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

  /**
   * handle serves one request (exposed for tests). It keeps little per request, because a
   * blocking query stays parked here for minutes and 10,000 of them are normal: no URL object
   * (path and query are split from req.url), no AbortController unless a handler asks for
   * request.signal, no closures (IncomingRequest is a class), and the handler's promise is
   * settled by callbacks (finish) rather than a suspended async frame.
   */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    let request: IncomingRequest
    let route: Route
    try {
      const target = splitTarget(req.url ?? '/')
      const match = this.table.match(req.method ?? 'GET', target.path)
      if (match.kind === 'missing') { sendText(res, 404, `Invalid URL path: not a recognized HTTP API endpoint`); this.done(req, res, started); return settled }
      if (match.kind === 'method') {
        res.setHeader('Allow', match.allow.join(','))
        sendText(res, 405, `method ${req.method ?? ''} not allowed`)
        this.done(req, res, started)
        return settled
      }
      route = match.route
      if (route.raw !== undefined) return this.finish(req, res, started, route.raw(req, res), undefined)
      const dc = target.query.get('dc')
      if (dc !== null && dc !== '' && dc.toLowerCase() !== this.ctx.config.datacenter) throw new ZxError('ZX_ERR_INTERNAL', 'No path to datacenter', { status: 500 })
      request = new IncomingRequest(req, res, target.path, match.rest, target.query)
    } catch (error) {
      this.writeError(res, error)
      this.done(req, res, started)
      return settled
    }
    let pending: Promise<unknown>
    try {
      pending = route.handler!(request, this.ctx)
    } catch (error) {
      pending = Promise.reject(error)
    }
    return this.finish(req, res, started, pending, request.query.has('pretty'))
  }

  /**
   * finish writes a handler's result or error once its promise settles and records the request.
   * It chains callbacks instead of awaiting, so a parked request holds no suspended frame here.
   */
  private finish(req: IncomingMessage, res: ServerResponse, started: number, pending: Promise<unknown>, pretty: boolean | undefined): Promise<void> {
    return pending.then((result) => {
      try {
        // pretty is undefined for a raw route, which wrote its response itself.
        if (pretty !== undefined && !res.headersSent && !res.writableEnded) writeResult(res, result, pretty)
      } catch (error) {
        this.writeError(res, error)
      }
      this.done(req, res, started)
    }, (error: unknown) => {
      this.writeError(res, error)
      this.done(req, res, started)
    })
  }

  private done(req: IncomingMessage, res: ServerResponse, started: number): void {
    const latencyMs = performance.now() - started
    this.ctx.metrics.observe('consul.http.request', latencyMs)
    this.ctx.log.debug('Request finished', { method: req.method, url: req.url, from: req.socket.remoteAddress, status: res.statusCode, latency: `${latencyMs.toFixed(1)}ms` })
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
