/**
 * agent/gossip/pool.ts: the gossip driver. It owns the UDP socket (probes and gossip), the TCP
 * listener (push-pull and fallback pings) on the same port, one timer, the keyring and the
 * rejoin snapshot, and feeds the pure SwimCore: packets in → receive, timer → tick, then it
 * carries out what the core drained (send packets, dial TCP, notify listeners). Packets that
 * are too big, fail to open, replay a nonce or do not decode are dropped and counted by reason.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { createServer, type Server, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import type { GossipPool as GossipPoolContract, Member, MemberEvent, UserEvent } from './api.js'
import { CodecError, decodeMessage, decodePacket, decodePushPull, encodeMessage, encodePacket, encodePushPull } from './codec.js'
import { nonceOf, ReplayWindow, sealOverheadBytes, type Keyring } from './crypto.js'
import { gossipLimits, timingsFor, type GossipProfile, type GossipTimings } from './defaults.js'
import { SwimCore } from './core/swim.js'
import type { CoreOutput } from './core/state.js'
import type { Endpoint, PushPullState } from './core/messages.js'
import { openBody, parseAddress, readFrame, request, sealBody, StreamKind, writeFrame } from './transport.js'
import { readSnapshot, snapshotPath, writeSnapshot, type GossipSnapshot } from './snapshot.js'
import { Xoshiro128, randomSeed } from '../util/prng.js'
import { ZxError } from '../errors.js'
import { dialSource } from '../util/dial-source.js'

/** GossipLog is the logger a pool writes to. */
export interface GossipLog {
  info(message: string): void
  warn(message: string): void
  debug?(message: string): void
}

/** GossipPoolOptions start a pool. */
export interface GossipPoolOptions {
  name: string
  bindAddr: string
  bindPort: number
  advertiseAddr?: string
  advertisePort?: number
  tags: Record<string, string>
  keyring?: Keyring
  profile: GossipProfile
  /** timings override single profile values (tests). */
  timings?: Partial<GossipTimings>
  dataDir?: string
  /** poolName picks the snapshot file: 'lan' (local.snapshot) or 'wan' (remote.snapshot). */
  poolName?: 'lan' | 'wan'
  log: GossipLog
}

/** GossipPool is a running SWIM pool over UDP + TCP. */
export class GossipPool implements GossipPoolContract {
  private readonly core: SwimCore
  private timer: NodeJS.Timeout | undefined
  private closed = false
  private readonly memberListeners = new Set<(event: MemberEvent) => void>()
  private readonly userListeners = new Set<(event: UserEvent) => void>()
  private readonly counters: Record<string, number> = {}
  private readonly replay = new ReplayWindow()
  private readonly sockets = new Set<Socket>()
  private snapshotDirty = false
  private snapshotWriting: Promise<void> = Promise.resolve()
  private readonly timings: GossipTimings

  private constructor(
    private readonly options: GossipPoolOptions,
    private readonly udp: UdpSocket,
    private readonly tcp: Server,
    private readonly endpoint: Endpoint,
    private readonly snapshotFile: string | undefined,
    restored: GossipSnapshot | undefined,
  ) {
    this.timings = { ...timingsFor(options.profile), ...options.timings }
    this.core = new SwimCore({
      name: options.name, endpoint, tags: options.tags, timings: this.timings,
      packetBytesMax: gossipLimits.udpPacketBytesMax - (options.keyring === undefined ? 0 : sealOverheadBytes),
      sizeOf: (m) => encodeMessage(m).length,
    }, new Xoshiro128(randomSeed()), this.now(), { incarnation: restored?.incarnation, eventClock: restored?.eventClock })
  }

  /** start binds the sockets, starts the protocol and rejoins peers from the snapshot. */
  static async start(options: GossipPoolOptions): Promise<GossipPool> {
    const udp = createSocket({ type: 'udp4', reuseAddr: false })
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject)
      udp.bind(options.bindPort, options.bindAddr, () => { udp.off('error', reject); resolve() })
    })
    const port = udp.address().port
    const tcp = createServer()
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject)
        tcp.listen(port, options.bindAddr, () => { tcp.off('error', reject); resolve() })
      })
    } catch (error) {
      udp.close()
      throw new ZxError('ZX_ERR_CONFIG', `gossip TCP port ${port} unavailable`, { cause: error })
    }
    const endpoint = { addr: options.advertiseAddr ?? options.bindAddr, port: options.advertisePort ?? port }
    const file = options.dataDir === undefined ? undefined : snapshotPath(options.dataDir, options.poolName ?? 'lan')
    const restored = file === undefined ? undefined : await readSnapshot(file)
    const pool = new GossipPool(options, udp, tcp, endpoint, file, restored)
    udp.on('message', (packet, rinfo) => pool.onPacket(packet, rinfo.address))
    udp.on('error', (error) => pool.options.log.warn(`gossip udp: ${error.message}`))
    tcp.on('connection', (socket) => pool.onConnection(socket))
    pool.schedule()
    options.log.info(`gossip: ${options.name} listening on ${options.bindAddr}:${port} (${options.profile}${options.keyring ? ', encrypted' : ''})`)
    if (restored !== undefined && !restored.left && restored.peers.length > 0) {
      void pool.join(restored.peers).then((n) => options.log.info(`gossip: rejoined ${n} of ${restored.peers.length} snapshot peers`))
    }
    return pool
  }

  private now(): number {
    return performance.now()
  }

  private count(name: string, by = 1): void {
    this.counters[name] = (this.counters[name] ?? 0) + by
  }

  /** port is the gossip port actually bound (useful with bindPort 0). */
  get port(): number {
    return this.endpoint.port
  }

  private schedule(): void {
    if (this.closed) return
    if (this.timer !== undefined) clearTimeout(this.timer)
    const delay = Math.min(1_000, Math.max(1, this.core.nextDeadlineMs() - this.now()))
    this.timer = setTimeout(() => {
      this.timer = undefined
      if (this.closed) return
      this.core.tick(this.now())
      this.flush()
    }, delay)
  }

  private flush(): void {
    for (const out of this.core.drain()) this.perform(out)
    this.schedule()
  }

  private perform(out: CoreOutput): void {
    switch (out.type) {
      case 'packet': return this.sendPacket(out.to, out.messages.map(encodeMessage))
      case 'tcp-ping': void this.tcpPing(out.to, out.seq, out.target); return
      case 'push-pull': void this.pushPull(out.to.addr, out.to.port, false).catch(() => this.count('pushPullFailures')); return
      case 'member':
        this.snapshotDirty = true
        this.saveSnapshot()
        for (const listener of this.memberListeners) safeCall(() => listener(out.event), this.options.log)
        return
      case 'user':
        for (const listener of this.userListeners) safeCall(() => listener(out.event), this.options.log)
        return
    }
  }

  private sendPacket(to: Endpoint, bodies: Uint8Array[]): void {
    if (this.closed) return
    const plain = encodePacket(bodies)
    const packet = this.options.keyring === undefined ? plain : this.options.keyring.seal(plain)
    this.count('packetsSent')
    this.count('bytesSent', packet.length)
    this.udp.send(packet, to.port, to.addr, (error) => { if (error) this.count('sendErrors') })
  }

  private onPacket(packet: Buffer, from: string): void {
    if (this.closed) return
    this.count('packetsReceived')
    const messages = this.openPacket(packet)
    if (messages === undefined) return
    this.options.log.debug?.(`gossip: ${messages.length} messages from ${from}`)
    this.core.receive(messages, this.now())
    this.flush()
  }

  private openPacket(packet: Uint8Array): ReturnType<typeof decodePacket> | undefined {
    if (packet.length > gossipLimits.udpReceiveBytesMax) { this.count('dropped.oversized'); return undefined }
    let plain: Uint8Array | undefined = packet
    const keyring = this.options.keyring
    if (keyring !== undefined) {
      plain = keyring.open(packet)
      if (plain === undefined) { this.count('dropped.decrypt'); return undefined }
      if (this.replay.seen(nonceOf(packet))) { this.count('dropped.replay'); return undefined }
    }
    try {
      return decodePacket(plain)
    } catch (error) {
      this.count(`dropped.${error instanceof CodecError ? error.reason : 'garbage'}`)
      return undefined
    }
  }

  private async tcpPing(to: Endpoint, seq: number, target: string): Promise<void> {
    const ping = encodeMessage({ type: 'ping', seq, target, from: this.options.name, source: this.endpoint })
    try {
      const reply = await request(to.addr, to.port, sealBody(StreamKind.ping, ping, this.options.keyring), this.timings.probeIntervalMs,
        dialSource(this.options.bindAddr, to.addr))
      const opened = openBody(reply, this.options.keyring)
      if (opened === undefined || opened.kind !== StreamKind.ack || this.closed) return
      const ack = decodeMessage(opened.payload)
      if (ack.type !== 'ack' || ack.seq !== seq) return
      this.count('tcpPingSuccesses')
      this.core.receive([ack], this.now())
      this.flush()
    } catch {
      this.count('tcpPingFailures')
    }
  }

  private async pushPull(host: string, port: number, join: boolean): Promise<void> {
    const body = sealBody(StreamKind.pushPull, encodePushPull(this.core.localState(join)), this.options.keyring)
    const reply = await request(host, port, body, this.timings.tcpTimeoutMs, dialSource(this.options.bindAddr, host))
    const opened = openBody(reply, this.options.keyring)
    if (opened === undefined || opened.kind !== StreamKind.pushPull) {
      this.count('dropped.decrypt')
      throw new ZxError('ZX_ERR_MEMBERSHIP', `push-pull with ${host}:${port}: reply could not be opened (wrong encryption key?)`)
    }
    const remote = decodePushPull(opened.payload)
    if (this.closed) return
    this.count('pushPulls')
    this.core.mergeState(remote, this.now())
    this.flush()
  }

  private onConnection(socket: Socket): void {
    if (this.closed || this.sockets.size >= 128) { socket.destroy(); this.count('dropped.connections'); return }
    this.sockets.add(socket)
    socket.setNoDelay(true)
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    readFrame(socket, this.timings.tcpTimeoutMs).then((frame) => this.answer(socket, frame)).catch((error: unknown) => {
      this.count(`dropped.stream`)
      this.options.log.debug?.(`gossip stream: ${(error as Error).message}`)
      socket.destroy()
    })
  }

  private answer(socket: Socket, frame: Uint8Array): void {
    const opened = openBody(frame, this.options.keyring)
    if (opened === undefined) { this.count('dropped.decrypt'); socket.destroy(); return }
    try {
      if (opened.kind === StreamKind.pushPull) {
        const remote: PushPullState = decodePushPull(opened.payload)
        writeFrame(socket, sealBody(StreamKind.pushPull, encodePushPull(this.core.localState(false)), this.options.keyring))
        this.core.mergeState(remote, this.now())
        this.flush()
      } else if (opened.kind === StreamKind.ping) {
        const ping = decodeMessage(opened.payload)
        if (ping.type === 'ping' && ping.target === this.options.name) {
          writeFrame(socket, sealBody(StreamKind.ack, encodeMessage({ type: 'ack', seq: ping.seq, from: this.options.name }), this.options.keyring))
        }
      } else {
        this.count('dropped.garbage')
      }
    } catch (error) {
      this.count(`dropped.${error instanceof CodecError ? error.reason : 'garbage'}`)
    }
    socket.end()
  }

  /** join push-pulls with each address (host:port) and returns how many answered. */
  async join(addresses: string[]): Promise<number> {
    const results = await Promise.allSettled(addresses.map(async (address) => {
      const { host, port } = parseAddress(address, 8301)
      await this.pushPull(host, port, true)
    }))
    let answered = 0
    for (const [i, result] of results.entries()) {
      if (result.status === 'fulfilled') answered++
      else this.options.log.warn(`gossip: join ${addresses[i]} failed: ${(result.reason as Error).message}`)
    }
    return answered
  }

  /** leave broadcasts our leave and waits (up to timeoutMs) for it to be sent its full count. */
  async leave(timeoutMs = 5_000): Promise<void> {
    this.core.leave()
    this.flush()
    const deadline = this.now() + timeoutMs
    while (!this.core.leaveSpread() && this.now() < deadline && !this.closed) await sleep(10)
    // A short grace so the last packets leave the socket and peers re-gossip them.
    await sleep(Math.min(this.timings.gossipIntervalMs * 2, Math.max(0, deadline - this.now())))
    await this.persist(true)
  }

  /** forceLeave marks a failed member left (prune: forget it entirely). */
  forceLeave(name: string, prune = false): boolean {
    const done = this.core.forceLeave(name, prune, this.now())
    this.flush()
    return done
  }

  members(): Member[] { return this.core.members() }
  localMember(): Member { return this.core.localMember() }

  /** setTags replaces our metadata and gossips it. */
  setTags(tags: Record<string, string>): void {
    this.core.setTags(tags)
    this.flush()
  }

  onMemberEvent(listener: (event: MemberEvent) => void): () => void {
    this.memberListeners.add(listener)
    return () => this.memberListeners.delete(listener)
  }

  fireUserEvent(event: Omit<UserEvent, 'id' | 'ltime' | 'version'>): UserEvent {
    const fired = this.core.fireUserEvent(event)
    this.flush()
    return fired
  }

  userEvents(): UserEvent[] { return [...this.core.events.recent] }

  onUserEvent(listener: (event: UserEvent) => void): () => void {
    this.userListeners.add(listener)
    return () => this.userListeners.delete(listener)
  }

  /** stats merges the driver's packet counters with the core's. */
  stats(): Record<string, number> {
    return { ...this.core.stats(), ...this.counters }
  }

  private saveSnapshot(): void {
    if (this.snapshotFile === undefined) return
    this.snapshotWriting = this.snapshotWriting.then(async () => {
      if (!this.snapshotDirty || this.closed) return
      this.snapshotDirty = false
      await this.persist(false)
    })
  }

  private async persist(left: boolean): Promise<void> {
    if (this.snapshotFile === undefined) return
    const peers = left ? [] : this.core.members()
      .filter((m) => m.name !== this.options.name && (m.status === 'alive' || m.status === 'suspect'))
      .map((m) => `${m.addr}:${m.port}`)
    const stats = this.core.stats()
    try {
      await writeSnapshot(this.snapshotFile, { incarnation: stats.incarnation ?? 0, eventClock: stats.eventClock ?? 0, left, peers })
    } catch (error) {
      this.options.log.warn(`gossip: snapshot write failed: ${(error as Error).message}`)
    }
  }

  /** close stops timers and sockets; the snapshot keeps our peers for a rejoin. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    await this.snapshotWriting.catch(() => undefined)
    if (!this.core.s.leaving) await this.persist(false)
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()))
    await new Promise<void>((resolve) => this.udp.close(() => resolve()))
  }
}

/** retryJoin calls join until at least one address answers, every intervalMs, at most maxAttempts times. */
export async function retryJoin(pool: GossipPoolContract, addresses: string[], options: { intervalMs: number; maxAttempts: number; log?: GossipLog }): Promise<number> {
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    const joined = await pool.join(addresses)
    if (joined > 0) return joined
    options.log?.warn(`gossip: retry-join attempt ${attempt}/${options.maxAttempts} reached nobody`)
    if (attempt < options.maxAttempts) await sleep(options.intervalMs)
  }
  throw new ZxError('ZX_ERR_MEMBERSHIP', `could not join any of ${addresses.join(', ')} after ${options.maxAttempts} attempts`)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function safeCall(fn: () => void, log: GossipLog): void {
  try { fn() } catch (error) { log.warn(`gossip listener threw: ${(error as Error).message}`) }
}
