/**
 * agent/raft/node-snapshots.ts: the driver's snapshot work.
 *  - take: once snapshotThresholdEntries entries (or snapshotThresholdBytes of data) were
 *    applied since the last snapshot, serialise the FSM (synchronously, between two applies,
 *    so it is exactly the state at `applied`), save it atomically and compact the log up to
 *    `applied - trailingLogs`, so a slightly lagging follower is still served from the log.
 *  - send: when the core asks for a snapshot to a follower, stream the newest snapshot file in
 *    chunks (snapshot-stream.ts), one stream per follower at a time, and report the outcome.
 *  - receive: reassemble a stream, save it to disk, then step the 'snapshot' message; when the
 *    core returns it in Ready.snapshot, restore the FSM from it.
 *  - at open: restore the FSM from the log's snapshot before the core replays committed entries.
 */
import { ZxError } from '../errors.js'
import type { SnapshotChunk } from '../rpc/types.js'
import type { Entry, RaftMessage, SnapshotMeta } from './core/types.js'
import type { RaftNode } from './node.js'
import { SnapshotReceiver, sendSnapshot } from './snapshot-stream.js'

type SnapshotMessage = Extract<RaftMessage, { type: 'snapshot' }>

/** NodeSnapshots takes, streams, receives and installs snapshots for one RaftNode. */
export class NodeSnapshots {
  private entriesSince = 0
  private bytesSince = 0
  private taking: Promise<void> | undefined
  private saving: Promise<void> = Promise.resolve()
  private readonly streaming = new Set<string>()
  private nextStream = 1
  private cached: { meta: SnapshotMeta; data: Uint8Array } | undefined
  private readonly receiver: SnapshotReceiver

  constructor(private readonly node: RaftNode) {
    this.receiver = new SnapshotReceiver(node.tunables.snapshotStreamIdleMs)
  }

  /** restoreAtOpen loads the log's snapshot into the FSM (the core replays entries after it). */
  async restoreAtOpen(): Promise<void> {
    const meta = this.node.storage.snapshotMeta()
    if (meta === undefined) return
    const file = await this.node.storage.loadSnapshot()
    if (file === undefined || file.meta.index !== meta.index || file.meta.term !== meta.term) {
      throw new ZxError('ZX_ERR_CORRUPT', `snapshot ${meta.term}-${meta.index} named by the log cannot be read`)
    }
    this.restore(meta, file.data)
    this.node.log.info('restored state machine from snapshot', { index: meta.index, bytes: file.data.length })
  }

  /** noteApplied counts an applied entry toward the snapshot threshold. */
  noteApplied(entry: Entry): void {
    this.entriesSince++
    this.bytesSince += entry.data.length
  }

  /** maybeTake starts a snapshot in the background once the threshold is passed. */
  maybeTake(): void {
    const t = this.node.tunables
    if (this.taking !== undefined || this.node.isClosed()) return
    if (this.entriesSince < t.snapshotThresholdEntries && this.bytesSince < t.snapshotThresholdBytes) return
    const index = this.node.applied
    const term = this.node.storage.term(index)
    if (term === undefined) return
    const { data } = this.node.options.fsm.snapshot()
    const meta: SnapshotMeta = { index, term, conf: this.node.appliedConf }
    this.entriesSince = 0
    this.bytesSince = 0
    this.taking = this.persistTaken(meta, data)
      .catch((error: unknown) => this.node.log.error('taking snapshot failed', { index, error: String(error) }))
      .finally(() => { this.taking = undefined })
  }

  private async persistTaken(meta: SnapshotMeta, data: Uint8Array): Promise<void> {
    const started = Date.now()
    await this.node.storage.saveSnapshot(meta, data)
    this.cached = { meta, data }
    const compactTo = meta.index - this.node.tunables.trailingLogs
    if (compactTo >= this.node.storage.firstIndex() && this.node.storage.snapshotMeta()?.index === meta.index) {
      await this.node.storage.compact(compactTo)
    }
    this.node.log.info('snapshot complete', { index: meta.index, bytes: data.length, ms: Date.now() - started })
    this.node.events.snapshot(meta.index, data.length, Date.now())
  }

  /** send streams the snapshot the core asked for to a follower (one stream per follower). */
  send(address: string, message: SnapshotMessage): void {
    if (this.streaming.has(message.to)) return
    this.streaming.add(message.to)
    const stream = this.nextStream++
    void (async () => {
      let ok = false
      try {
        const data = await this.dataFor(message.meta)
        await sendSnapshot(this.node.options.pool, address, stream, message, data, this.node.tunables.snapshotChunkBytes)
        ok = true
        this.node.log.info('sent snapshot', { to: message.to, index: message.meta.index, bytes: data.length })
      } catch (error) {
        this.node.log.warn('sending snapshot failed', { to: message.to, index: message.meta.index, error: String(error) })
      } finally {
        this.streaming.delete(message.to)
        if (!this.node.isClosed()) {
          this.node.core.reportSnapshot(message.to, ok)
          this.node.kick()
        }
      }
    })()
  }

  private async dataFor(meta: SnapshotMeta): Promise<Uint8Array> {
    if (this.cached !== undefined && this.cached.meta.index === meta.index && this.cached.meta.term === meta.term) return this.cached.data
    const file = await this.node.storage.loadSnapshot()
    if (file === undefined || file.meta.index !== meta.index || file.meta.term !== meta.term) {
      throw new ZxError('ZX_ERR_INTERNAL', `snapshot ${meta.term}-${meta.index} is no longer on disk`)
    }
    this.cached = { meta: file.meta, data: file.data }
    return file.data
  }

  /** receiveChunk takes one incoming chunk; a complete snapshot is saved, then stepped. */
  receiveChunk(chunk: SnapshotChunk): void {
    if (this.node.isClosed() || chunk.message.to !== this.node.id) return
    const complete = this.receiver.accept(chunk, Date.now())
    if (complete === undefined) return
    const { message, data } = complete
    this.saving = this.saving.then(async () => {
      if (this.node.isClosed()) return
      if (message.meta.index > this.node.applied) {
        await this.node.storage.saveSnapshot(message.meta, data)
        this.cached = { meta: message.meta, data }
      }
      this.node.log.info('received snapshot', { from: message.from, index: message.meta.index, bytes: data.length })
      this.node.core.step(message)
      this.node.kick()
    }).catch((error: unknown) => this.node.log.error('saving received snapshot failed', { error: String(error) }))
  }

  /** install restores the FSM from a snapshot the core accepted (Ready.snapshot). */
  async install(meta: SnapshotMeta): Promise<void> {
    const data = await this.dataFor(meta)
    this.restore(meta, data)
    this.node.proposals.skippedTo(meta.index)
    this.node.appliedWaiters.advance(meta.index)
    this.node.events.snapshot(meta.index, data.length, Date.now())
  }

  private restore(meta: SnapshotMeta, data: Uint8Array): void {
    this.node.options.fsm.restore(meta.index, data)
    this.node.applied = meta.index
    this.node.appliedConf = meta.conf
    this.node.learnAddresses(meta.conf)
    this.entriesSince = 0
    this.bytesSince = 0
  }

  /** expire drops partial incoming streams that went quiet. */
  expire(): void {
    this.receiver.expire(Date.now())
  }

  /** idle resolves once no snapshot is being taken or saved (close). */
  async idle(): Promise<void> {
    await this.taking
    await this.saving
  }
}
