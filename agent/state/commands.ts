/**
 * agent/state/commands.ts: the commands the Raft log carries. A command is one envelope
 * `{ t: MessageType, now: ms, b: body }` encoded with msgpackr (bigints kept exact). `now` is the
 * leader's clock when it proposed the command: apply uses it for lock-delay and never reads the
 * clock itself, so every server applies the same log to the same state.
 */
import { Packr } from 'msgpackr'

/** MessageType numbers every command kind. Append only; never renumber (the log outlives code). */
export enum MessageType {
  Register = 0,
  Deregister = 1,
  Kv = 2,
  Session = 3,
  Txn = 4,
  CheckStatus = 5,
  Autopilot = 6,
}

/** KvOp is one KV write verb (Consul's api.KVOp names). */
export type KvOp = 'set' | 'cas' | 'lock' | 'unlock' | 'delete' | 'delete-cas' | 'delete-tree' | 'reap-tombstones'

/** KvRequest is the body of a MessageType.Kv command. */
export interface KvRequest {
  op: KvOp
  key: string
  value?: Uint8Array
  flags?: bigint
  /** index is the ModifyIndex for cas / delete-cas, and the reap horizon for reap-tombstones. */
  index?: number
  session?: string
}

/** SessionBehavior is what happens to a session's locks when it is invalidated. */
export type SessionBehavior = 'release' | 'delete'

/** SessionSpec is a session as created (the leader fills in the id and defaults). */
export interface SessionSpec {
  id: string
  name: string
  node: string
  lockDelayMs: number
  behavior: SessionBehavior
  /** ttl is Consul's TTL string ("" or "15s"), kept as given. */
  ttl: string
  nodeChecks: string[]
  serviceChecks: { id: string; namespace: string }[]
}

/** SessionRequest is the body of a MessageType.Session command. */
export type SessionRequest =
  | { op: 'create'; session: SessionSpec }
  | { op: 'destroy'; id: string }

/** TxnKvVerb is a KV verb inside /v1/txn. */
export type TxnKvVerb = KvOp | 'get' | 'get-or-empty' | 'get-tree' | 'check-index' | 'check-session' | 'check-not-exists'

/** TxnOp is one operation of a transaction (KV only; catalog ops are reported unsupported). */
export interface TxnOp {
  kv: { verb: TxnKvVerb; key: string; value?: Uint8Array; flags?: bigint; index?: number; session?: string }
}

/** TxnRequest is the body of a MessageType.Txn command. */
export interface TxnRequest {
  ops: TxnOp[]
}

/** Command is a decoded log entry. */
export interface Command {
  type: MessageType
  nowMs: number
  body: unknown
}

const packr = new Packr({ useRecords: false, int64AsType: 'bigint', mapsAsObjects: true })

/** encodeCommand packs a command for RaftApi.propose. */
export function encodeCommand(type: MessageType, body: unknown, nowMs: number): Uint8Array {
  return packr.pack({ t: type, now: nowMs, b: body })
}

/** decodeCommand unpacks a log entry; undefined when it is not a well-formed command. */
export function decodeCommand(bytes: Uint8Array): Command | undefined {
  let raw: unknown
  try {
    raw = packr.unpack(bytes)
  } catch {
    return undefined
  }
  if (typeof raw !== 'object' || raw === null) return undefined
  const { t, now, b } = raw as { t: unknown; now: unknown; b: unknown }
  if (typeof t !== 'number' || !Number.isInteger(t)) return undefined
  const nowMs = typeof now === 'bigint' ? Number(now) : now
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) return undefined
  return { type: t, nowMs, body: b }
}

/** packValue encodes any value with bigints kept exact (snapshots, forwarded RPC payloads). */
export function packValue(value: unknown): Uint8Array {
  return packr.pack(value)
}

/** unpackValue is the inverse of packValue. */
export function unpackValue(bytes: Uint8Array): unknown {
  return packr.unpack(bytes)
}
