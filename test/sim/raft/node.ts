/**
 * test/sim/raft/node.ts: one simulated server — a RaftCore plus the driver loop the real
 * agent/raft/node.ts runs: for each Ready, write (and fsync when mustSync) to MemStorage, then
 * send, then restore/apply, then advance. It also serves the simulated clients: proposals
 * complete when their entry applies here, reads when a ReadState's index (or the lease read's
 * commit index) has been applied.
 */
import { RaftCore } from '../../../agent/raft/core/core.js'
import { decodeConfState, emptyConf } from '../../../agent/raft/core/conf.js'
import type { ConfState, Entry, RaftConfig, Ready } from '../../../agent/raft/core/types.js'
import type { Prng } from '../../../agent/util/prng.js'
import type { RegisterOutput } from '../../../src/verify/linearizability.js'
import type { SafetyChecker } from './checkers.js'
import { KvFsm, decodeCommand, foldHash } from './kv.js'
import { MemStorage } from './mem-storage.js'
import type { Envelope } from './network.js'

/** NodeHooks is what a node needs from the cluster around it. */
export interface NodeHooks {
  send(from: SimNode, envelope: Envelope): void
  complete(opId: number, output: RegisterOutput): void
  fail(opId: number): void
  checker: SafetyChecker
  rng: Prng
  /** crashBeforeSyncRate: chance a mustSync Ready crashes the node after writing, before fsync. */
  crashBeforeSyncRate: number
  /** snapshotEntries: compact the log once this many applied entries sit above the last snapshot. */
  snapshotEntries: number
  /** events receives the core's events (elections, votes, roles, configurations). */
  events(node: SimNode, events: Ready['events']): void
  /** crashed learns that a server's process died (its port now refuses connections). */
  crashed?(node: SimNode): void
}

interface WaitingRead {
  index: number
  opId: number
  key: string
}

/** SimNode is one server of the simulated cluster. */
export class SimNode {
  readonly storage = new MemStorage()
  core: RaftCore | undefined
  fsm = new KvFsm()
  appliedConf: ConfState = emptyConf()
  private proposals = new Map<number, { term: number; opId: number }>()
  private reads = new Map<number, { opId: number; key: string }>()
  private waiting: WaitingRead[] = []
  private staged = new Map<string, Uint8Array>()
  crashes = 0

  constructor(readonly id: string, readonly config: RaftConfig, private readonly hooks: NodeHooks) {
    this.start()
  }

  get up(): boolean {
    return this.core !== undefined
  }

  /** start (re)creates the core from what the disk holds, as a restarted process would. */
  start(): void {
    this.fsm = new KvFsm()
    this.appliedConf = emptyConf()
    const snap = this.storage.snapshotMeta()
    const data = this.storage.snapshotData()
    if (snap !== undefined && data !== undefined) {
      this.fsm.restore(data)
      this.appliedConf = snap.conf
    }
    this.core = new RaftCore(this.config, this.storage, this.hooks.rng)
  }

  /** crash kills the process: unsynced writes and all volatile state are lost. */
  crash(): void {
    if (!this.core) return
    this.core = undefined
    this.crashes++
    this.storage.crash()
    this.proposals.clear()
    this.reads.clear()
    this.waiting = []
    this.hooks.crashed?.(this)
    this.staged.clear()
  }

  /** trackProposal remembers which client op waits for (index, term). */
  trackProposal(index: number, term: number, opId: number): void {
    this.proposals.set(index, { term, opId })
  }

  /** trackRead remembers which client op waits for ReadState ctx. */
  trackRead(ctx: number, opId: number, key: string): void {
    this.reads.set(ctx, { opId, key })
  }

  /** waitApplied serves a read once index is applied (lease reads). */
  waitApplied(index: number, opId: number, key: string): void {
    this.waiting.push({ index, opId, key })
    this.serveReads()
  }

  /** stage keeps streamed snapshot data until the core decides to install it. */
  stage(envelope: Envelope): void {
    if (envelope.message.type === 'snapshot' && envelope.snapData !== undefined) {
      this.staged.set(`${envelope.message.meta.index}:${envelope.message.meta.term}`, envelope.snapData)
    }
  }

  /** drain handles Readies until the core has nothing more; returns false if the node crashed. */
  drain(): boolean {
    for (let rounds = 0; this.core?.hasReady(); rounds++) {
      if (rounds > 1000) throw new Error(`${this.id}: ready loop did not settle`)
      if (!this.handle(this.core, this.core.ready())) return false
    }
    if (this.core) this.hooks.checker.observe(this.core)
    return this.core !== undefined
  }

  private handle(core: RaftCore, rd: Ready): boolean {
    let snapData: Uint8Array | undefined
    if (rd.snapshot !== undefined) {
      snapData = this.staged.get(`${rd.snapshot.index}:${rd.snapshot.term}`)
      if (snapData === undefined) throw new Error(`${this.id}: core installed a snapshot that was never received`)
    }
    this.storage.write(rd, snapData)
    if (rd.mustSync) {
      if (this.hooks.rng.next() < this.hooks.crashBeforeSyncRate) {
        this.crash()
        return false
      }
      this.storage.sync()
    }
    for (const message of rd.messages) {
      const data = message.type === 'snapshot' ? this.storage.snapshotData() : undefined
      this.hooks.send(this, { message, snapData: data })
    }
    if (rd.snapshot !== undefined && snapData !== undefined) {
      this.fsm.restore(snapData)
      this.appliedConf = rd.snapshot.conf
      this.hooks.checker.restored(this.id, rd.snapshot.index, this.fsm.hash)
      this.staged.clear()
    }
    if (rd.events.length > 0) this.hooks.events(this, rd.events)
    for (const entry of rd.committed) this.apply(entry)
    for (const rs of rd.readStates) {
      const read = this.reads.get(rs.ctx)
      if (read === undefined) continue
      this.reads.delete(rs.ctx)
      this.waiting.push({ index: rs.index, opId: read.opId, key: read.key })
    }
    this.serveReads()
    core.advance(rd)
    this.maybeCompact()
    this.hooks.checker.observe(core)
    return true
  }

  private apply(entry: Entry): void {
    if (entry.index !== this.fsm.appliedIndex + 1) {
      throw new Error(`${this.id}: applied ${entry.index} after ${this.fsm.appliedIndex} (gap)`)
    }
    this.fsm.hash = foldHash(this.fsm.hash, entry.index, entry.term, entry.data)
    this.fsm.appliedIndex = entry.index
    let output: RegisterOutput = true
    if (entry.type === 'normal') output = this.fsm.apply(entry.index, decodeCommand(entry.data))
    else if (entry.type === 'config') this.appliedConf = decodeConfState(entry.data)
    this.hooks.checker.applied(this.id, entry.index, entry.term, this.fsm.hash)
    const waiter = this.proposals.get(entry.index)
    if (waiter === undefined) return
    this.proposals.delete(entry.index)
    // Another entry at that index committed: ours (same index, older term) never will.
    if (waiter.term === entry.term) this.hooks.complete(waiter.opId, output)
    else this.hooks.fail(waiter.opId)
  }

  private serveReads(): void {
    if (this.waiting.length === 0) return
    const still: WaitingRead[] = []
    for (const w of this.waiting) {
      if (w.index <= this.fsm.appliedIndex) this.hooks.complete(w.opId, this.fsm.get(w.key))
      else still.push(w)
    }
    this.waiting = still
  }

  private maybeCompact(): void {
    const applied = this.fsm.appliedIndex
    if (applied - this.storage.firstIndex() + 1 < this.hooks.snapshotEntries) return
    if (applied > this.storage.lastIndex()) return
    this.storage.compact(applied, this.appliedConf, this.fsm.snapshot())
  }
}
