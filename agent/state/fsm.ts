/**
 * agent/state/fsm.ts: the Raft state machine over the StateStore. apply decodes one command and
 * calls one store method; a malformed command is answered with an error result and counted, never
 * thrown, so a bad entry cannot wedge every server's apply loop. Snapshots hold every table and
 * index, encoded with msgpackr in a deterministic order.
 */
import type { StateMachine } from '../raft/api.js'
import { decodeCommand, MessageType, packValue, unpackValue, type KvRequest, type SessionRequest, type TxnRequest } from './commands.js'
import type { KvEntry } from './kv.js'
import type { SessionEntry } from './sessions.js'
import { StateStore, type StoreOptions } from './store.js'

/** ApplyError is what apply returns for a command it could not apply. */
export interface ApplyError {
  error: string
}

/** SnapshotData is the decoded form of a snapshot. */
interface SnapshotData {
  v: 1
  clockMs: number
  indexes: [string, number][]
  kv: KvEntry[]
  tombstones: [string, number][]
  lockDelays: [string, number][]
  sessions: SessionEntry[]
  catalog: unknown
}

/** Fsm implements StateMachine for the agent's StateStore. */
export class Fsm implements StateMachine {
  private lastApplied = 0
  /** badCommands counts entries that could not be decoded or applied. */
  badCommands = 0
  private readonly listeners = new Set<(index: number, type: MessageType, result: unknown) => void>()

  constructor(readonly store: StateStore = new StateStore()) {}

  /** create builds an Fsm over a fresh store with the given options. */
  static create(options: StoreOptions = {}): Fsm {
    return new Fsm(new StateStore(options))
  }

  /** apply applies one committed command. */
  apply(index: number, command: Uint8Array): unknown {
    this.lastApplied = Math.max(this.lastApplied, index)
    const decoded = decodeCommand(command)
    if (decoded === undefined) {
      this.badCommands++
      return { error: 'malformed command' } satisfies ApplyError
    }
    let result: unknown
    try {
      result = this.dispatch(index, decoded.type, decoded.nowMs, decoded.body)
    } catch (error) {
      this.badCommands++
      result = { error: `apply failed: ${(error as Error).message}` } satisfies ApplyError
    }
    for (const listener of this.listeners) listener(index, decoded.type, result)
    return result
  }

  /** onApply subscribes to applied commands (leader loops use it); returns an unsubscribe. */
  onApply(listener: (index: number, type: MessageType, result: unknown) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private dispatch(index: number, type: MessageType, nowMs: number, body: unknown): unknown {
    const store = this.store
    switch (type) {
      case MessageType.Kv: return store.kvApply(index, nowMs, body as KvRequest)
      case MessageType.Session: {
        const request = body as SessionRequest
        if (request.op === 'create') return store.sessionCreate(index, nowMs, request.session)
        if (request.op === 'destroy') return store.sessionDestroy(index, nowMs, request.id)
        return { error: 'unknown session operation' }
      }
      case MessageType.Txn: return store.txnApply(index, nowMs, (body as TxnRequest).ops)
      case MessageType.Register: return this.catalogApply(index, nowMs, (c) => c.applyRegister(index, body))
      case MessageType.Deregister: return this.catalogApply(index, nowMs, (c) => c.applyDeregister(index, body))
      case MessageType.CheckStatus: return this.catalogApply(index, nowMs, (c) => c.applyCheckStatus(index, body))
      case MessageType.Autopilot: return true
      default: return { error: `unknown command type ${String(type)}` }
    }
  }

  private catalogApply(index: number, nowMs: number, run: (catalog: NonNullable<StateStore['catalog']>) => unknown): unknown {
    const catalog = this.store.catalog
    if (catalog === undefined) return { error: 'catalog not available' }
    const result = run(catalog)
    this.store.invalidateSessions(index, nowMs)
    return result
  }

  /** snapshot serialises the whole store as of the last applied index. */
  snapshot(): { index: number; data: Uint8Array } {
    const store = this.store
    const data: SnapshotData = {
      v: 1,
      clockMs: store.clockMs,
      indexes: store.indexes.entries(),
      kv: store.kv.list(''),
      tombstones: sorted([...store.kv.tombstones.entries()]),
      lockDelays: sorted([...store.kv.lockDelays.entries()]),
      sessions: store.sessions.list(),
      catalog: store.catalog?.snapshot(),
    }
    return { index: this.lastApplied, data: packValue(data) }
  }

  /** restore replaces the whole store with a snapshot taken at `index`. */
  restore(index: number, bytes: Uint8Array): void {
    const data = unpackValue(bytes) as SnapshotData
    if (data?.v !== 1) throw new Error('unsupported snapshot format')
    const store = this.store
    store.kv.clear()
    store.sessions.clear()
    for (const entry of data.kv) store.kv.load({ ...entry, session: entry.session ?? undefined, flags: BigInt(entry.flags), value: new Uint8Array(entry.value) })
    for (const [key, at] of data.tombstones) store.kv.tombstones.set(key, at)
    for (const [key, until] of data.lockDelays) store.kv.lockDelays.set(key, until)
    for (const session of data.sessions) store.sessions.entries.set(session.id, session)
    if (data.catalog !== undefined) store.catalog?.restore(data.catalog)
    store.clockMs = data.clockMs
    store.indexes.reset(data.indexes)
    this.lastApplied = index
    store.indexes.wakeAll()
  }

  /** appliedIndex is the index of the last command applied or restored. */
  appliedIndex(): number {
    return this.lastApplied
  }
}

function sorted(pairs: [string, number][]): [string, number][] {
  return pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}
