/**
 * agent/ui/api.ts: the lab APIs under /v1/zx that feed the UI's Raft and Gossip views
 * (documented in agent/ui/API.md). A LabApi subscribes to this agent's RaftApi and LAN
 * GossipPool, keeps their recent events in bounded rings, and answers:
 *   GET /v1/zx/raft            this server's RaftStatus + event timeline (blocking ?index=&wait=)
 *   GET /v1/zx/raft/stream     the same as Server-Sent Events
 *   GET /v1/zx/gossip          members as this agent sees them + membership events (blocking)
 *   GET /v1/zx/gossip/stream   the same as Server-Sent Events
 *   GET /v1/zx/cluster/raft    /v1/zx/raft of every server, fanned out
 *   GET /v1/zx/cluster/gossip  /v1/zx/gossip of every member, fanned out
 * The agent mounts it with one line: either `labApi.handle(req, res)` before its own routes,
 * or the entries of `uiRoutes(view)` in its route table.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RaftApi } from '../raft/api.js'
import type { GossipPool, Member, MemberEvent } from '../gossip/api.js'
import type { SeqRaftEvent, ZxClusterEntry, ZxClusterResponse, ZxGossipEvent, ZxGossipMember, ZxGossipResponse, ZxRaftResponse } from './lab/wire.js'
import { spreadRows, type SpreadRow } from './lab/spread.js'
import { EventRing, parseIndex, parseWaitMs } from './recorder.js'
import { defaultHttpAddressOf, fanOut, type FetchJson, type HttpAddressOf } from './fanout.js'
import { uiDefaults } from './defaults.js'

/** LabView is what the lab APIs need from the agent. */
export interface LabView {
  raft?: RaftApi
  /** lan is the LAN pool; without one (gossip not started) membership is empty. */
  lan?: GossipPool
  /** nodeName defaults to lan.localMember().name. */
  nodeName?: string
  /** gossipIntervalMs is the LAN pool's gossip round, for the "rounds to reach everyone" figure. */
  gossipIntervalMs?: number
  /** httpAddressOf finds a member's HTTP API for fan-outs; default reads the `http` gossip tag. */
  httpAddressOf?: HttpAddressOf
  now?: () => number
  /** fetchJson reads another member's lab API (default: HTTP with a deadline); a test seam. */
  fetchJson?: FetchJson
}

/** UiRoute is one route entry for the agent's table; the handler writes the response itself. */
export interface UiRoute {
  path: string
  methods: string[]
  /** prefix routes match every path starting with path. */
  prefix: boolean
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>

/** LabApi records this agent's Raft and gossip events and serves /v1/zx/*. */
export class LabApi {
  readonly raftEvents = new EventRing<SeqRaftEventInput>(uiDefaults.eventRingSize)
  readonly gossipEvents = new EventRing<Omit<ZxGossipEvent, 'seq'>>(uiDefaults.eventRingSize)
  private readonly unsubscribe: (() => void)[] = []
  private readonly streams = new Set<ServerResponse>()
  private readonly now: () => number
  private readonly routes: Record<string, Handler>

  constructor(private readonly view: LabView) {
    this.now = view.now ?? Date.now
    if (view.raft) this.unsubscribe.push(view.raft.onEvent((event) => this.raftEvents.push(event)))
    if (view.lan) this.unsubscribe.push(view.lan.onMemberEvent((event) => this.gossipEvents.push(this.toGossipEvent(event))))
    this.routes = {
      '/v1/zx/raft': (req, res, url) => this.blocking(req, res, url, this.raftEvents, () => this.raftSnapshot()),
      '/v1/zx/gossip': (req, res, url) => this.blocking(req, res, url, this.gossipEvents, () => this.gossipSnapshot()),
      '/v1/zx/raft/stream': (req, res) => this.stream(req, res, this.raftEvents, () => this.raftSnapshot(), (e) => ({ event: e, status: this.view.raft?.status() ?? null })),
      '/v1/zx/gossip/stream': (req, res) => this.stream(req, res, this.gossipEvents, () => this.gossipSnapshot(), (e) => ({ event: e, members: this.members() })),
      '/v1/zx/cluster/raft': (_req, res) => this.cluster(res, '/v1/zx/raft', () => this.raftSnapshot(), (m) => m.tags.role === 'consul', this.view.raft !== undefined),
      '/v1/zx/cluster/gossip': (_req, res) => this.cluster(res, '/v1/zx/gossip', () => this.gossipSnapshot(), () => true, true, gossipSpread),
    }
  }

  /** nodeName is this agent's node name. */
  nodeName(): string {
    return this.view.nodeName ?? this.view.lan?.localMember().name ?? 'unknown'
  }

  /** paths lists the routes this API answers (all GET-only). */
  paths(): string[] {
    return Object.keys(this.routes)
  }

  /** handle answers a /v1/zx/* request it knows and returns true; false for any other path. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://zx.invalid')
    } catch {
      return false
    }
    const handler = this.routes[url.pathname]
    if (handler === undefined) return false
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' })
      res.end(`method ${req.method} not allowed\n`)
      return true
    }
    try {
      await handler(req, res, url)
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end(`${error instanceof Error ? error.message : String(error)}\n`)
    }
    return true
  }

  /** raftSnapshot is the body of GET /v1/zx/raft. */
  raftSnapshot(): ZxRaftResponse {
    return {
      node: this.nodeName(),
      server: this.view.raft !== undefined,
      status: this.view.raft?.status() ?? null,
      events: this.raftEvents.items() as SeqRaftEvent[],
      index: this.raftEvents.lastSeq(),
      nowMs: this.now(),
    }
  }

  /** gossipSnapshot is the body of GET /v1/zx/gossip. */
  gossipSnapshot(): ZxGossipResponse {
    const stats = this.view.lan?.stats() ?? {}
    const interval = this.view.gossipIntervalMs ?? stats.gossipIntervalMs ?? stats.probeIntervalMs
    return {
      node: this.nodeName(),
      members: this.members(),
      events: this.gossipEvents.items(),
      stats,
      gossipIntervalMs: interval === undefined ? null : interval,
      index: this.gossipEvents.lastSeq(),
      nowMs: this.now(),
    }
  }

  /** close unsubscribes from Raft and gossip and ends every open stream and blocked query. */
  close(): void {
    for (const off of this.unsubscribe.splice(0)) off()
    this.raftEvents.close()
    this.gossipEvents.close()
    for (const res of this.streams) res.end()
    this.streams.clear()
  }

  private members(): ZxGossipMember[] {
    return (this.view.lan?.members() ?? []).map(toWireMember).sort((a, b) => a.name.localeCompare(b.name))
  }

  private toGossipEvent(event: MemberEvent): Omit<ZxGossipEvent, 'seq'> {
    const base = { atMs: this.now(), type: event.type, member: event.member.name, status: event.member.status, incarnation: event.member.incarnation }
    return event.type === 'suspect' ? { ...base, from: event.from } : base
  }

  private async blocking<T extends object>(req: IncomingMessage, res: ServerResponse, url: URL, ring: EventRing<T>, body: () => object): Promise<void> {
    const index = parseIndex(url.searchParams.get('index'))
    if (index === undefined) return badRequest(res, 'Invalid index')
    const waitMs = parseWaitMs(url.searchParams.get('wait'), uiDefaults.blockingWaitMsDefault, uiDefaults.blockingWaitMsMax)
    if (waitMs === undefined) return badRequest(res, 'Invalid wait time')
    const aborted = new AbortController()
    const onClose = () => aborted.abort()
    res.on('close', onClose)
    await ring.waitBeyond(index, waitMs, aborted.signal)
    res.off('close', onClose)
    if (aborted.signal.aborted || res.destroyed) return
    writeJson(req, res, body(), ring.lastSeq())
  }

  private stream<T extends object>(req: IncomingMessage, res: ServerResponse, ring: EventRing<T>, snapshot: () => object, message: (event: T & { seq: number }) => object): Promise<void> {
    if (this.streams.size >= uiDefaults.streamsMax) {
      res.writeHead(429, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '5' })
      res.end('too many lab streams open on this agent\n')
      return Promise.resolve()
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' })
    if (req.method === 'HEAD') {
      res.end()
      return Promise.resolve()
    }
    this.streams.add(res)
    res.write(`retry: 2000\n\nevent: snapshot\nid: ${ring.lastSeq()}\ndata: ${JSON.stringify(snapshot())}\n\n`)
    const off = ring.subscribe((event) => res.write(`event: change\nid: ${event.seq}\ndata: ${JSON.stringify(message(event))}\n\n`))
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), uiDefaults.streamHeartbeatMs)
    heartbeat.unref()
    return new Promise((resolve) => {
      res.on('close', () => {
        off()
        clearInterval(heartbeat)
        this.streams.delete(res)
        resolve()
      })
    })
  }

  private async cluster<T>(res: ServerResponse, path: string, local: () => T, include: (m: Member) => boolean, includeSelf: boolean, extra?: (entries: ZxClusterEntry<T>[]) => object): Promise<void> {
    const self = this.nodeName()
    const members = (this.view.lan?.members() ?? []).filter((m) => m.status !== 'left' && (m.name === self ? includeSelf : include(m)))
    // Without a gossip pool (or before it knows itself) this agent still answers for itself.
    if (includeSelf && !members.some((m) => m.name === self)) members.push({ name: self, addr: '', port: 0, tags: {}, status: 'alive', incarnation: 0 })
    const entries = await fanOut(members, self, path, local, this.view.httpAddressOf ?? defaultHttpAddressOf, this.now, this.view.fetchJson)
    const body: ZxClusterResponse<T> = { node: self, entries, nowMs: this.now(), ...extra?.(entries) }
    if (res.destroyed) return
    writeJson(undefined, res, body, undefined)
  }
}

type SeqRaftEventInput = Omit<SeqRaftEvent, 'seq'>

// The gossip fan-out also says how far each change spread among the members that answered.
function gossipSpread(entries: ZxClusterEntry<ZxGossipResponse>[]): { spread: SpreadRow[] } {
  const answered = entries.filter((e) => e.ok && e.data !== null)
  const observations = answered.flatMap((e) => e.data!.events.map((event) => ({ observer: e.node, event })))
  const interval = answered.map((e) => e.data!.gossipIntervalMs).find((v) => v !== null) ?? undefined
  return { spread: spreadRows(observations, answered.map((e) => e.node), interval) }
}

function toWireMember(member: Member): ZxGossipMember {
  return {
    name: member.name,
    addr: member.addr,
    port: member.port,
    status: member.status,
    incarnation: member.incarnation,
    role: member.tags.role === 'consul' ? 'server' : 'client',
    tags: member.tags,
  }
}

function writeJson(req: IncomingMessage | undefined, res: ServerResponse, body: object, index: number | undefined): void {
  const text = JSON.stringify(body)
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': String(Buffer.byteLength(text)) }
  if (index !== undefined) headers['X-Consul-Index'] = String(Math.max(1, index))
  res.writeHead(200, headers)
  res.end(req?.method === 'HEAD' ? undefined : text)
}

function badRequest(res: ServerResponse, message: string): void {
  res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' })
  res.end(`${message}\n`)
}

/** createLabApi starts recording this agent's Raft and gossip events for /v1/zx/*. */
export function createLabApi(view: LabView): LabApi {
  return new LabApi(view)
}

/**
 * uiRoutes wires the lab APIs into the agent: it returns one GET route entry per /v1/zx path,
 * each writing its own response (blocking queries and SSE need the raw response), plus the
 * LabApi itself so the agent can close() it on shutdown.
 */
export function uiRoutes(view: LabView): { routes: UiRoute[]; lab: LabApi } {
  const lab = createLabApi(view)
  const routes = lab.paths().map((path): UiRoute => ({
    path,
    methods: ['GET', 'HEAD'],
    prefix: false,
    handler: async (req, res) => { await lab.handle(req, res) },
  }))
  return { routes, lab }
}
