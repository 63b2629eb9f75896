/**
 * agent/raft/node.ts: RaftNode, the driver that turns the pure RaftCore into a running Raft
 * server (RaftApi). It owns the only timer (a tick every tickMs), the durable log
 * (WalStorage), and the server RPC transport, and handles each Ready from the core strictly
 * in order: persist snapshot/entries/hard state → fdatasync when mustSync (group-committed
 * with everything else queued) → send messages → restore a received snapshot and apply
 * committed entries to the StateMachine (settling proposals by index + term) → advance.
 * Ticks and incoming messages keep stepping the core while a Ready waits for the disk; the
 * next Ready is only taken after the previous one was advanced, so nothing is acknowledged
 * before it is durable. Reads, membership and snapshots live in node-reads.ts,
 * node-membership.ts and node-snapshots.ts.
 */
import { ZxError, isZxError } from '../errors.js'
import { randomSeed, Xoshiro128 } from '../util/prng.js'
import type { RpcClientPool } from '../rpc/client-pool.js'
import type { RpcServer } from '../rpc/server.js'
import type {
  ProposeResult, RaftApi, RaftEvent, RaftStatus, ReadGuarantee, ReadMode, ServerId, ServerInfo, StateMachine,
} from './api.js'
import { RaftCore } from './core/core.js'
import { decodeConfState } from './core/conf.js'
import type { ConfState, Entry, RaftMessage, Ready } from './core/types.js'
import { withDefaults, type RaftTunables } from './node-defaults.js'
import { RaftEvents, confToServers } from './node-events.js'
import { notLeader, readIndexMethod } from './node-errors.js'
import { silentLogger, type Logger } from './node-log.js'
import { addServer, removeServer, transferLeadership } from './node-membership.js'
import { readBarrier, serveForwardedRead, type ForwardedRead } from './node-reads.js'
import { NodeSnapshots } from './node-snapshots.js'
import { AppliedWaiters, Proposals, ReadIndexWaiters } from './node-waits.js'
import { WalStorage, type WalOptions } from './storage/wal.js'

export { notLeader, readIndexMethod } from './node-errors.js'

/** RaftNodeOptions are what the agent passes to RaftNode.open (tunables default from node-defaults.ts). */
export interface RaftNodeOptions extends Partial<RaftTunables> {
  id: ServerId
  /** dataDir holds this server's Raft state (wal/ and snapshots/); the agent passes <data-dir>/raft. */
  dataDir: string
  /** bindAddress is where rpc listens (informational: the RpcServer is already bound). */
  bindAddress?: string
  /** advertiseAddress is host:port other servers reach this server's rpc at. */
  advertiseAddress: string
  fsm: StateMachine
  rpc: RpcServer
  pool: RpcClientPool
  log?: Logger
  /** seed fixes the election-timeout randomness (tests); random otherwise. */
  seed?: number
  /** wal passes options to the storage (segment size, fault injection). */
  wal?: Omit<WalOptions, 'log'>
}

/** leaderGoneJitterMs: random extra delay of an early campaign, against lockstep timers. */
const leaderGoneJitterMs = 10

/** RaftNode is a running Raft server: RaftCore + WAL + RPC transport + timer. */
export class RaftNode implements RaftApi {
  readonly id: ServerId
  /** internals shared with the node-*.ts helpers; not part of RaftApi. */
  readonly core: RaftCore
  readonly tunables: RaftTunables
  readonly proposals = new Proposals()
  readonly appliedWaiters = new AppliedWaiters()
  readonly reads = new ReadIndexWaiters()
  readonly events: RaftEvents
  readonly snapshots: NodeSnapshots
  /** applied is the last index applied (commands, config and no-op entries alike). */
  applied = 0
  /** appliedConf is the configuration as of `applied` (what a snapshot records). */
  appliedConf: ConfState
  /** addresses remembers every server address ever seen, so messages to just-removed servers still go out. */
  readonly addresses = new Map<ServerId, string>()
  /**
   * liveAddresses are where servers are reachable now, as the agent's LAN gossip shows them
   * (Consul's raft ServerAddressProvider). They win over the configuration's stored address,
   * which goes stale when a server comes back with a new IP (a restarted container); without
   * this, servers whose IPs swapped dial each other's old addresses and never elect a leader.
   */
  private readonly liveAddresses = new Map<ServerId, string>()
  private closed = false
  /** diskFailure is set while the log cannot be written; new proposals fail fast with it. */
  private diskFailure: ZxError | undefined
  private looping: Promise<void> | undefined
  private timer: NodeJS.Timeout | undefined
  private readonly existing: boolean
  private readonly unsubscribeDrop: () => void
  private readonly unsubscribeRefused: () => void
  /** jitter spreads the early campaigns of followers that saw the same leader die. */
  private readonly jitter: Xoshiro128

  private constructor(
    readonly options: RaftNodeOptions,
    readonly storage: WalStorage,
    readonly log: Logger,
  ) {
    this.id = options.id
    this.tunables = withDefaults(options)
    this.existing = storage.hasState()
    const t = this.tunables
    this.core = new RaftCore({
      id: options.id, electionTicks: t.electionTicks, heartbeatTicks: t.heartbeatTicks, preVote: t.preVote,
      checkQuorum: t.checkQuorum, maxInflight: t.maxInflight, maxBatchBytes: t.maxBatchBytes, leaseTicks: t.leaseTicks,
    }, storage, new Xoshiro128(options.seed ?? randomSeed()))
    this.jitter = new Xoshiro128((options.seed ?? randomSeed()) ^ 0x5bd1e995)
    this.events = new RaftEvents(options.id, log)
    this.snapshots = new NodeSnapshots(this)
    this.appliedConf = storage.snapshotMeta()?.conf ?? { voters: [], learners: [], addresses: {} }
    this.learnAddresses(this.core.status().conf)
    this.learnAddresses(this.appliedConf)
    this.unsubscribeDrop = options.pool.onRaftDrop((message) => {
      if (message.from === this.id && !this.closed) this.core.reportUnreachable(message.to)
    })
    this.unsubscribeRefused = options.pool.onRefused((address) => this.peerRefused(address))
  }

  /**
   * peerRefused: `address` refuses connections. If it is our leader's, its process is gone:
   * the core forgets it (so we grant votes at once) and we campaign after rank ×
   * leaderGoneStaggerMs (plus a little jitter), so the followers that saw the death ask one
   * after another instead of splitting the vote.
   */
  private peerRefused(address: string): void {
    const leader = this.core.status().leaderId
    if (this.closed || leader === undefined || this.addresses.get(leader) !== address) return
    const rank = this.core.leaderUnreachable(leader)
    if (rank < 0) return
    const delay = rank * this.tunables.leaderGoneStaggerMs + this.jitter.int(leaderGoneJitterMs + 1)
    this.log.info('leader refuses connections; campaigning early', { leader, address, delayMs: delay })
    setTimeout(() => {
      if (this.closed) return
      this.core.campaignNow()
      this.kick()
    }, delay).unref()
    this.kick()
  }

  /** open replays the data dir (snapshot into the FSM, then committed entries), wires rpc and starts ticking. */
  static async open(options: RaftNodeOptions): Promise<RaftNode> {
    const log = options.log ?? silentLogger
    const storage = await WalStorage.open(options.dataDir, { ...options.wal, log })
    let node: RaftNode
    try {
      node = new RaftNode(options, storage, log)
      await node.snapshots.restoreAtOpen()
    } catch (error) {
      await storage.close().catch(() => {})
      throw error
    }
    node.wire()
    node.start()
    return node
  }

  private wire(): void {
    const { rpc } = this.options
    rpc.onRaft((message, senderAddress) => this.receive(message, senderAddress))
    rpc.onSnapshotChunk((chunk) => this.snapshots.receiveChunk(chunk))
    rpc.handle(readIndexMethod, (args) => serveForwardedRead(this, args as ForwardedRead))
  }

  private start(): void {
    this.timer = setInterval(() => {
      if (this.closed) return
      this.core.tick()
      this.snapshots.expire()
      this.kick()
    }, this.tunables.tickMs)
    this.kick()
  }

  private receive(message: RaftMessage, senderAddress: string | undefined): void {
    if (this.closed || message.to !== this.id) return
    // A joiner has no configuration yet: it learns where to answer from the sender.
    if (senderAddress !== undefined && !this.addresses.has(message.from)) this.addresses.set(message.from, senderAddress)
    this.core.step(message)
    this.kick()
  }

  /** kick runs the Ready loop unless it is already running. */
  kick(): void {
    if (this.looping !== undefined || this.closed) return
    this.looping = this.loop().finally(() => {
      this.looping = undefined
      // Work can arrive after the loop saw no Ready but before this callback ran (a message
      // or proposal in between): its kick() found the loop still marked running and returned.
      // Without this re-check that work waited for the next tick, a 50–100 ms tail on writes.
      if (!this.closed && this.core.hasReady()) this.kick()
    })
  }

  private async loop(): Promise<void> {
    try {
      while (!this.closed && this.core.hasReady()) {
        await this.handleReady(this.core.ready())
      }
    } catch (error) {
      // A Ready that could not be handled cannot be retried (the core already handed it out):
      // stop this server rather than run on with a log the core no longer agrees with.
      if (this.closed) return
      this.log.error('raft ready loop failed; stopping this raft server', { error: error instanceof Error ? error.stack : String(error) })
      this.looping = undefined
      void this.close()
    }
  }

  private async handleReady(rd: Ready): Promise<void> {
    const now = Date.now()
    if (rd.softState !== undefined) this.onSoftState(rd.softState, now)
    for (const event of rd.events) {
      if (event.type === 'conf') this.learnAddresses(event.conf)
      this.events.core(event, now)
    }
    const [early, late] = this.splitEarly(rd)
    if (rd.snapshot !== undefined) this.storage.applySnapshot(rd.snapshot)
    if (rd.entries.length > 0) this.storage.append(rd.entries)
    if (rd.hardState !== undefined) this.storage.setHardState(rd.hardState)
    this.send(early)
    if (rd.mustSync) await this.syncUntilDurable()
    if (this.closed) return
    this.send(late)
    if (rd.snapshot !== undefined) await this.snapshots.install(rd.snapshot)
    this.applyEntries(rd.committed)
    for (const state of rd.readStates) this.reads.answered(state.ctx, state.index)
    this.core.advance(rd)
    this.snapshots.maybeTake()
  }

  /**
   * splitEarly picks the leader's appends and heartbeats, which may go out before its own
   * fdatasync (Raft dissertation §10.2.1: the leader writes its log in parallel with
   * replicating it). This is safe here because the term they carry is already durable (we
   * only do it when this Ready changes neither term nor vote), and because Readys are handled
   * one at a time: a commit index covering these entries can only leave this server, or be
   * applied here, in a later Ready — after this one's fdatasync. Everything else (votes,
   * responses, timeout-now, snapshots) waits for the disk.
   */
  private splitEarly(rd: Ready): [RaftMessage[], RaftMessage[]] {
    const hs = this.storage.hardState()
    const termStable = rd.hardState === undefined || (rd.hardState.term === hs.term && rd.hardState.vote === hs.vote)
    if (!termStable || rd.snapshot !== undefined || rd.messages.length === 0) return [[], rd.messages]
    const early: RaftMessage[] = []
    const late: RaftMessage[] = []
    for (const m of rd.messages) (m.type === 'append' || m.type === 'heartbeat' ? early : late).push(m)
    return [early, late]
  }

  /** syncUntilDurable fdatasyncs, retrying on ZX_ERR_DISK (full disk) until it works or the node closes. */
  private async syncUntilDurable(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.storage.sync()
        if (attempt > 0) this.log.info('raft log writes resumed', { attempts: attempt + 1 })
        this.diskFailure = undefined
        return
      } catch (error) {
        if (this.closed || !isZxError(error, 'ZX_ERR_DISK')) throw error
        this.diskFailure = error
        if (attempt === 0) this.log.error('raft log write failed; retrying', { error: error.message })
        await new Promise((resolve) => setTimeout(resolve, this.tunables.diskRetryMs))
      }
    }
  }

  private send(messages: RaftMessage[]): void {
    for (const message of messages) {
      const address = this.addresses.get(message.to)
      if (address === undefined) {
        this.log.debug('no address for raft peer; dropping message', { to: message.to, type: message.type })
        this.core.reportUnreachable(message.to)
        continue
      }
      if (message.type === 'snapshot') this.snapshots.send(address, message)
      else this.options.pool.sendRaft(address, message, this.options.advertiseAddress)
    }
  }

  private applyEntries(entries: Entry[]): void {
    for (const entry of entries) {
      if (entry.index <= this.applied) continue
      let result: unknown
      let failure: Error | undefined
      if (entry.type === 'normal') {
        try {
          result = this.options.fsm.apply(entry.index, entry.data)
        } catch (error) {
          this.log.error('state machine apply failed', { index: entry.index, error: String(error) })
          failure = new ZxError('ZX_ERR_INTERNAL', `apply failed at index ${entry.index}: ${String(error)}`)
        }
      } else if (entry.type === 'config') {
        try {
          this.appliedConf = decodeConfState(entry.data)
          this.learnAddresses(this.appliedConf)
        } catch (error) {
          this.log.error('undecodable configuration entry', { index: entry.index, error: String(error) })
        }
      }
      this.applied = entry.index
      this.snapshots.noteApplied(entry)
      this.proposals.applied(entry.index, entry.term, result, failure)
    }
    this.appliedWaiters.advance(this.applied)
  }

  private onSoftState(soft: Ready['softState'] & object, now: number): void {
    if (soft.role !== 'leader') this.reads.failAll(notLeader(soft.leaderId, this.addresses.get(soft.leaderId ?? '')))
    this.events.soft(soft, now)
  }

  /** learnAddresses records the rpc address of every server in conf (a live address wins). */
  learnAddresses(conf: ConfState): void {
    for (const [id, address] of Object.entries(conf.addresses)) this.addresses.set(id, this.liveAddresses.get(id) ?? address)
  }

  /** currentAddress is where server id is now: our own advertised address, a live one, else the stored one. */
  private currentAddress(id: ServerId, stored: string): string {
    return id === this.id ? this.options.advertiseAddress : this.liveAddresses.get(id) ?? stored
  }

  /** setLiveAddress records where server `id` is reachable now (from gossip); see liveAddresses. */
  setLiveAddress(id: ServerId, address: string): void {
    if (id === this.id || this.liveAddresses.get(id) === address) return
    const stored = this.addresses.get(id)
    this.liveAddresses.set(id, address)
    this.addresses.set(id, address)
    if (stored !== undefined && stored !== address) this.log.info('raft peer address changed', { id, from: stored, to: address })
  }

  /** isClosed tells whether close() was called. */
  isClosed(): boolean {
    return this.closed
  }

  // RaftApi ----------------------------------------------------------------------------------

  hasState(): boolean {
    return this.existing
  }

  async bootstrap(servers: ServerInfo[]): Promise<void> {
    this.assertOpen()
    if (this.existing || this.storage.lastIndex() > 0) throw new ZxError('ZX_ERR_CONFIG', 'bootstrap refused: this server already has Raft state')
    const conf: ConfState = {
      voters: servers.filter((s) => s.voter).map((s) => s.id),
      learners: servers.filter((s) => !s.voter).map((s) => s.id),
      addresses: Object.fromEntries(servers.map((s) => [s.id, s.address])),
    }
    this.learnAddresses(conf)
    this.core.bootstrap(conf)
    this.kick()
    // The configuration entry is durable once the Ready loop that carried it went idle.
    while (this.looping !== undefined) await this.looping
    await this.storage.sync()
  }

  async propose(command: Uint8Array): Promise<ProposeResult> {
    this.assertOpen()
    if (this.diskFailure !== undefined) throw this.diskFailure
    let at: { index: number; term: number }
    try {
      at = this.core.propose(command)
    } catch (error) {
      throw this.decorate(error)
    }
    const pending = this.proposals.wait(at.index, at.term, this.tunables.proposeTimeoutMs)
    this.kick()
    return { index: at.index, result: await pending }
  }

  readBarrier(mode: ReadMode, options: { maxStaleMs?: number } = {}): Promise<ReadGuarantee> {
    this.assertOpen()
    return readBarrier(this, mode, options)
  }

  status(): RaftStatus {
    const s = this.core.status()
    const leaderId = s.leaderId
    const matchIndex: Record<ServerId, number> = {}
    if (s.role === 'leader') for (const [id, p] of Object.entries(s.progress)) matchIndex[id] = p.match
    return {
      id: this.id, role: s.role, term: s.term, leaderId,
      leaderAddress: leaderId === undefined ? undefined : this.addresses.get(leaderId),
      commitIndex: s.commit, appliedIndex: this.applied, lastLogIndex: s.lastIndex, lastLogTerm: s.lastTerm,
      snapshotIndex: this.storage.snapshotMeta()?.index ?? 0,
      lastContactMs: this.lastContactMs(), configuration: confToServers(s.conf).map((server) => ({ ...server, address: this.currentAddress(server.id, server.address) })), matchIndex,
    }
  }

  /** lastContactMs is 0 on the leader, else ms since the leader was last heard (tick resolution). */
  lastContactMs(): number {
    const s = this.core.status()
    if (s.role === 'leader') return 0
    return s.ticksSinceLeaderContact * this.tunables.tickMs
  }

  addVoter(server: { id: ServerId; address: string }): Promise<void> {
    this.assertOpen()
    return addServer(this, server, true)
  }

  addNonVoter(server: { id: ServerId; address: string }): Promise<void> {
    this.assertOpen()
    return addServer(this, server, false)
  }

  removeServer(id: ServerId): Promise<void> {
    this.assertOpen()
    return removeServer(this, id)
  }

  transferLeadership(to?: ServerId): Promise<ServerId> {
    this.assertOpen()
    return transferLeadership(this, to)
  }

  onEvent(listener: (event: RaftEvent) => void): () => void {
    return this.events.subscribe(listener)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.timer !== undefined) clearInterval(this.timer)
    this.unsubscribeDrop()
    this.unsubscribeRefused()
    this.options.rpc.onRaft(() => {})
    this.options.rpc.onSnapshotChunk(() => {})
    await this.looping?.catch(() => {})
    const stopped = new ZxError('ZX_ERR_STOPPED', 'raft server is shutting down')
    this.proposals.failAll(stopped)
    this.appliedWaiters.failAll(stopped)
    this.reads.failAll(stopped)
    await this.snapshots.idle()
    await this.storage.close().catch((error: unknown) => this.log.error('closing raft log failed', { error: String(error) }))
  }

  /** decorate adds leaderAddress to ZX_ERR_NOT_LEADER and turns "no leader known" into ZX_ERR_NO_LEADER. */
  decorate(error: unknown): unknown {
    if (!isZxError(error, 'ZX_ERR_NOT_LEADER')) return error
    const leaderId = error.details?.leaderId as string | undefined
    if (leaderId === undefined) return new ZxError('ZX_ERR_NO_LEADER', 'No cluster leader', { cause: error })
    return notLeader(leaderId, this.addresses.get(leaderId))
  }

  /** assertOpen throws ZX_ERR_STOPPED once closed. */
  assertOpen(): void {
    if (this.closed) throw new ZxError('ZX_ERR_STOPPED', 'raft server is shut down')
  }
}
