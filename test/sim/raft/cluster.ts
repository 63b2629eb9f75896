/**
 * test/sim/raft/cluster.ts: a deterministic Raft cluster in one thread. One seeded Prng drives
 * everything — election timeouts, network delays and faults, client choices — and time is a tick
 * counter, so a seed replays exactly. Clients issue put/get/cas on a two-key store through
 * propose, ReadIndex and lease reads and record a history for the linearizability checker.
 */
import { isZxError } from '../../../agent/errors.js'
import type { RaftCore } from '../../../agent/raft/core/core.js'
import type { ConfState, CoreEvent, RaftConfig } from '../../../agent/raft/core/types.js'
import { Xoshiro128, type Prng } from '../../../agent/util/prng.js'
import type { Operation, RegisterInput, RegisterOutput } from '../../../src/verify/linearizability.js'
import { SafetyChecker, SafetyViolation, checkLogMatching } from './checkers.js'
import { encodeCommand, type KvCommand } from './kv.js'
import { SimNetwork, noFaults, type Envelope, type Faults } from './network.js'
import { SimNode, type NodeHooks } from './node.js'

/** SimOptions shape a simulated cluster. */
export interface SimOptions {
  seed: number
  /** voters: the ids bootstrapped as voters. */
  voters: number
  /** spares: extra servers started empty, for membership changes. */
  spares: number
  raft?: Partial<Omit<RaftConfig, 'id'>>
  faults?: Faults
  crashBeforeSyncRate?: number
  snapshotEntries?: number
  clients?: number
  /** opTimeoutTicks: a client gives up on an op after this long (outcome unknown). */
  opTimeoutTicks?: number
  /** refusedHints: servers learn of a dead peer from refused connects (default on, as the agent). */
  refusedHints?: boolean
}

/** SimOp is a client operation as recorded. */
export type SimOp = Operation<RegisterInput, RegisterOutput> & { failed: boolean }

interface Client {
  id: number
  seq: number
  busy: SimOp | undefined
  busySince: number
  nextAt: number
  leaderHint: string | undefined
}

/** defaultRaft is the simulator's Raft config: short timeouts keep schedules short. */
export const defaultRaft: Omit<RaftConfig, 'id'> = {
  electionTicks: 10, heartbeatTicks: 2, preVote: true, checkQuorum: true,
  maxInflight: 4, maxBatchBytes: 256, leaseTicks: 7,
}

/** SimCluster is the whole simulated world. */
export class SimCluster {
  readonly rng: Prng
  readonly net: SimNetwork
  readonly checker = new SafetyChecker()
  readonly nodes = new Map<string, SimNode>()
  readonly ids: string[] = []
  now = 0
  /** clock orders client events finer than ticks (invocation/completion times). */
  private clock = 0
  readonly history: SimOp[] = []
  private readonly clients: Client[] = []
  clientsEnabled = true
  private readCtx = 0
  readonly trace: string[] = []
  private readonly opTimeoutTicks: number
  /** hooks are shared by all nodes; the schedule turns crash-before-sync off to converge. */
  readonly hooks: NodeHooks

  constructor(readonly options: SimOptions) {
    this.rng = new Xoshiro128(options.seed)
    this.net = new SimNetwork(this.rng, options.faults ?? noFaults)
    this.opTimeoutTicks = options.opTimeoutTicks ?? 40
    const voters: string[] = []
    for (let k = 1; k <= options.voters + options.spares; k++) {
      const id = `n${k}`
      this.ids.push(id)
      if (k <= options.voters) voters.push(id)
    }
    const hooks = this.hooks = {
      send: (from: SimNode, e: Envelope) => this.send(from, e),
      complete: (opId: number, output: RegisterOutput) => this.complete(opId, output),
      fail: (opId: number) => this.fail(opId),
      checker: this.checker,
      rng: this.rng,
      crashBeforeSyncRate: options.crashBeforeSyncRate ?? 0,
      snapshotEntries: options.snapshotEntries ?? 1_000_000,
      events: (node: SimNode, events: CoreEvent[]) => this.recordEvents(node, events),
      crashed: (node: SimNode) => this.refuseConnections(node.id),
    }
    const conf: ConfState = { voters, learners: [], addresses: Object.fromEntries(voters.map((v) => [v, `${v}:8300`])) }
    for (const id of this.ids) {
      const node = new SimNode(id, { id, ...defaultRaft, ...options.raft }, hooks)
      this.nodes.set(id, node)
      if (voters.includes(id)) node.core!.bootstrap(conf)
      node.drain()
    }
    for (let c = 0; c < (options.clients ?? 0); c++) this.clients.push({ id: c, seq: 0, busy: undefined, busySince: 0, nextAt: 0, leaderHint: undefined })
  }

  /** node returns a server by id. */
  node(id: string): SimNode {
    const n = this.nodes.get(id)
    if (!n) throw new Error(`no node ${id}`)
    return n
  }

  /** core returns a running server's core. */
  core(id: string): RaftCore {
    const c = this.node(id).core
    if (!c) throw new Error(`${id} is down`)
    return c
  }

  /** transcript collects readable core events when recording is on (scenario tests). */
  readonly transcript: string[] = []
  recording = false
  /** snapshotsDelivered counts snapshot messages delivered. */
  snapshotsDelivered = 0

  private recordEvents(node: SimNode, events: CoreEvent[]): void {
    if (!this.recording) return
    for (const e of events) {
      switch (e.type) {
        case 'election-start': this.transcript.push(`${this.now} ${node.id} ${e.preVote ? 'pre-vote' : 'election'} for term ${e.term}`); break
        case 'vote': this.transcript.push(`${this.now} ${node.id} ${e.granted ? 'got' : 'denied'} vote from ${e.from} (term ${e.term})`); break
        case 'became': this.transcript.push(`${this.now} ${node.id} became ${e.role} in term ${e.term}`); break
        case 'conf': this.transcript.push(`${this.now} ${node.id} conf@${e.index} voters=${e.conf.voters.join(',')} learners=${e.conf.learners.join(',')}`); break
      }
    }
  }

  private send(from: SimNode, e: Envelope): void {
    const ok = this.net.send(this.now, e)
    if (!ok) this.snapshotLost(from, e)
  }

  private snapshotLost(_from: SimNode, e: Envelope): void {
    if (e.message.type !== 'snapshot') return
    this.nodes.get(e.message.from)?.core?.reportSnapshot(e.message.to, false)
  }

  /** hints are the drivers' delayed reactions to a refused connect (see refuseConnections). */
  private hints: Array<{ at: number; node: string; target: string; kind: 'refused' | 'campaign' }> = []
  /** earlyCampaigns counts campaigns started by a refused-connect hint. */
  earlyCampaigns = 0

  /**
   * refuseConnections models the agent's transport after `id`'s process died: each server that
   * had a connection to it (here: most of them) sees a refused reconnect a tick or two later and
   * tells its core; one whose leader that was campaigns after 3 ticks × its rank (hints.ts).
   * A partition never does this: only a dead process refuses connections.
   */
  private refuseConnections(id: string): void {
    if (this.options.refusedHints === false) return
    for (const other of this.ids) {
      if (other === id || this.rng.next() < 0.1) continue
      this.hints.push({ at: this.now + 1 + this.rng.int(2), node: other, target: id, kind: 'refused' })
    }
  }

  private runHints(): void {
    const due = this.hints.filter((h) => h.at <= this.now)
    if (due.length === 0) return
    this.hints = this.hints.filter((h) => h.at > this.now)
    for (const h of due) {
      const node = this.nodes.get(h.node)
      if (!node?.core) continue
      if (h.kind === 'refused') {
        // A restarted target listens again: the reconnect succeeds and nothing is learned.
        if (this.nodes.get(h.target)?.up) continue
        for (const e of this.net.takeFrom(h.target, h.node)) if (!this.net.isBlocked(e)) this.deliver(e)
        if (!node.core) continue
        const rank = node.core.leaderUnreachable(h.target)
        if (rank >= 0) this.hints.push({ at: this.now + 3 * rank, node: h.node, target: h.target, kind: 'campaign' })
      } else {
        if (node.core.role === 'follower' && node.core.leaderId === undefined) this.earlyCampaigns++
        node.core.campaignNow()
      }
      node.drain()
    }
  }

  /** tick advances the world by one tick: timers, then deliveries, then clients. */
  tick(): void {
    this.now++
    this.runHints()
    for (const node of this.nodes.values()) {
      if (!node.core) continue
      node.core.tick()
      node.drain()
    }
    for (const e of this.net.due(this.now, (blocked) => this.snapshotLost(this.node(blocked.message.from), blocked))) this.deliver(e)
    this.checkLeases()
    if (this.clientsEnabled) this.tickClients()
  }

  /** checkLeases: while a leader's lease holds, no server may lead a newer term (lease reads would be stale). */
  private checkLeases(): void {
    const leaders = this.leaders()
    if (leaders.length < 2) return
    for (const old of leaders) {
      if (!old.leaseValid()) continue
      const newer = leaders.find((l) => l.term > old.term)
      if (newer) throw new SafetyViolation(`lease safety: ${old.id} holds a lease in term ${old.term} while ${newer.id} leads term ${newer.term}`)
    }
  }

  private deliver(e: Envelope): void {
    const to = this.nodes.get(e.message.to)
    const sender = this.nodes.get(e.message.from)
    if (!to?.core) {
      if (e.message.type === 'snapshot') sender?.core?.reportSnapshot(e.message.to, false)
      return
    }
    to.stage(e)
    if (e.message.type === 'snapshot') this.snapshotsDelivered++
    to.core.step(e.message)
    to.drain()
    if (e.message.type === 'snapshot' && sender?.core) {
      sender.core.reportSnapshot(e.message.to, true)
      sender.drain()
    }
  }

  /** run ticks n times. */
  run(ticks: number): void {
    for (let k = 0; k < ticks; k++) this.tick()
  }

  /** leaders lists the running servers that believe they lead, newest term first. */
  leaders(): RaftCore[] {
    const out: RaftCore[] = []
    for (const n of this.nodes.values()) if (n.core?.role === 'leader') out.push(n.core)
    return out.sort((a, b) => b.term - a.term)
  }

  /** leader returns the leader of the highest term among running servers, if any. */
  leader(): RaftCore | undefined {
    return this.leaders()[0]
  }

  /** runUntilLeader ticks until some server leads (and committed in its term), at most maxTicks. */
  runUntilLeader(maxTicks = 200): RaftCore {
    for (let k = 0; k < maxTicks; k++) {
      const l = this.leader()
      if (l && l.committedInTerm()) return l
      this.tick()
    }
    throw new Error(`no leader after ${maxTicks} ticks`)
  }

  /** crash kills a server. */
  crash(id: string): void {
    this.node(id).crash()
    this.trace.push(`${this.now}: crash ${id}`)
  }

  /** restart starts a crashed server from its disk. */
  restart(id: string): void {
    const n = this.node(id)
    if (n.core) return
    n.start()
    n.drain()
    this.trace.push(`${this.now}: restart ${id}`)
  }

  /** put writes key=value through the current leader and ticks until it applies there. */
  put(key: string, value: string, maxTicks = 200): { index: number } {
    const leader = this.runUntilLeader(maxTicks)
    const command: KvCommand = { op: 'put', key, value, client: -1, seq: ++this.readCtx }
    const at = leader.propose(encodeCommand(command))
    this.node(leader.id).drain()
    for (let k = 0; k < maxTicks; k++) {
      const n = this.node(leader.id)
      if (n.fsm.appliedIndex >= at.index) return at
      this.tick()
    }
    throw new Error(`put ${key} did not apply within ${maxTicks} ticks`)
  }

  /** checkLogs runs the pairwise log matching check over running servers. */
  checkLogs(): void {
    const cores = [...this.nodes.values()].flatMap((n) => (n.core ? [n.core] : []))
    for (let a = 0; a < cores.length; a++) for (let b = a + 1; b < cores.length; b++) checkLogMatching(cores[a]!, cores[b]!)
  }

  // ---- clients ----

  private tickClients(): void {
    for (const c of this.clients) {
      if (c.busy !== undefined && this.now - c.busySince > this.opTimeoutTicks) {
        c.busy = undefined           // outcome unknown: ret stays +Infinity
        c.nextAt = this.now + 1
        c.leaderHint = undefined     // that server may be cut off: try another
      }
      if (c.busy === undefined && this.now >= c.nextAt) this.startOp(c)
    }
  }

  private stamp(): number {
    // Ticks in the millions place, a sequence below: ordered, and readable as tick.seq.
    return this.now * 1e6 + ++this.clock
  }

  private startOp(c: Client): void {
    const up = this.ids.filter((id) => this.nodes.get(id)!.core !== undefined)
    if (up.length === 0) return
    const target = c.leaderHint !== undefined && up.includes(c.leaderHint) ? c.leaderHint : up[this.rng.int(up.length)]!
    const node = this.node(target)
    const core = node.core!
    const key = this.rng.next() < 0.5 ? 'a' : 'b'
    const seq = ++c.seq
    const value = `c${c.id}.${seq}`
    const roll = this.rng.next()
    const input: RegisterInput = roll < 0.35 ? { f: 'write', key, value }
      : roll < 0.8 ? { f: 'read', key }
        : { f: 'cas', key, expected: this.rng.next() < 0.2 ? null : `c${this.rng.int(this.clients.length)}.${this.rng.int(seq) + 1}`, value }
    const op: SimOp = { id: this.history.length, process: c.id, input, output: undefined, call: this.stamp(), ret: Infinity, failed: false }
    try {
      if (input.f === 'read' && this.rng.next() < 0.7) {
        if (this.rng.next() < 0.4 && core.leaseValid()) {
          this.history.push(op)
          node.waitApplied(core.log.committed, op.id, key)
        } else {
          const ctx = ++this.readCtx
          core.readIndex(ctx)
          this.history.push(op)
          node.trackRead(ctx, op.id, key)
        }
      } else {
        const command: KvCommand = input.f === 'write' ? { op: 'put', key, value, client: c.id, seq }
          : input.f === 'read' ? { op: 'get', key, client: c.id, seq }
            : { op: 'cas', key, expected: input.expected, value, client: c.id, seq }
        const at = core.propose(encodeCommand(command))
        this.history.push(op)
        node.trackProposal(at.index, at.term, op.id)
      }
    } catch (error) {
      if (!isZxError(error, 'ZX_ERR_NOT_LEADER')) throw error
      const hint = error.details?.leaderId
      c.leaderHint = typeof hint === 'string' ? hint : undefined
      c.nextAt = this.now + 1 + this.rng.int(3)
      return
    }
    c.busy = op
    c.busySince = this.now
    c.leaderHint = target
    node.drain()
  }

  private complete(opId: number, output: RegisterOutput): void {
    const op = this.history[opId]!
    if (op.ret !== Infinity || op.failed) return
    const c = this.clients[op.process]
    if (c?.busy !== op) return   // the client already gave up: outcome stays unknown
    op.output = output
    op.ret = this.stamp()
    c.busy = undefined
    c.nextAt = this.now + this.rng.int(3)
  }

  private fail(opId: number): void {
    const op = this.history[opId]!
    const c = this.clients[op.process]
    if (c?.busy !== op) return
    op.failed = true
    op.ret = this.stamp()
    c.busy = undefined
    c.nextAt = this.now + 1
  }

  /** completedHistory returns the ops for the checker: failed ones dropped, unknown ones open-ended. */
  completedHistory(): SimOp[] {
    return this.history.filter((op) => !op.failed)
  }
}
