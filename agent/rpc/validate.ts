/**
 * agent/rpc/validate.ts: shape checks for what arrives off the wire, so a malformed or hostile
 * frame is dropped at the transport instead of reaching the Raft core (which trusts its input
 * types). Each RaftMessage variant lists its fields and their kinds; entries and snapshot
 * metas are checked in depth.
 */
import type { Entry, RaftMessage, SnapshotMeta } from '../raft/core/types.js'
import type { RaftFrameBody, SnapshotChunk, RpcRequest, RpcResponse } from './types.js'

type FieldKind = 'count' | 'string' | 'bool' | 'entries' | 'meta'

const common: Record<string, FieldKind> = { term: 'count', from: 'string', to: 'string' }
const shapes: Record<RaftMessage['type'], Record<string, FieldKind>> = {
  'vote': { ...common, lastLogIndex: 'count', lastLogTerm: 'count', preVote: 'bool', transfer: 'bool' },
  'vote-resp': { ...common, granted: 'bool', preVote: 'bool' },
  'append': { ...common, prevIndex: 'count', prevTerm: 'count', entries: 'entries', commit: 'count' },
  'append-resp': { ...common, success: 'bool', matchIndex: 'count', conflictIndex: 'count', conflictTerm: 'count' },
  'heartbeat': { ...common, commit: 'count', ctx: 'count' },
  'heartbeat-resp': { ...common, ctx: 'count' },
  'snapshot': { ...common, meta: 'meta' },
  'snapshot-resp': { ...common, success: 'bool', matchIndex: 'count' },
  'timeout-now': { ...common },
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isEntry(value: unknown): value is Entry {
  if (!isRecord(value)) return false
  return isCount(value.index) && isCount(value.term) && (value.data instanceof Uint8Array)
    && (value.type === 'normal' || value.type === 'config' || value.type === 'noop')
}

/** isSnapshotMeta checks a SnapshotMeta's shape, including its configuration. */
export function isSnapshotMeta(value: unknown): value is SnapshotMeta {
  if (!isRecord(value) || !isCount(value.index) || !isCount(value.term) || !isRecord(value.conf)) return false
  const conf = value.conf
  const ids = (list: unknown): boolean => Array.isArray(list) && list.every((id) => typeof id === 'string')
  return ids(conf.voters) && ids(conf.learners) && isRecord(conf.addresses)
    && Object.values(conf.addresses).every((address) => typeof address === 'string')
}

function fieldOk(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case 'count': return isCount(value)
    case 'string': return typeof value === 'string'
    case 'bool': return typeof value === 'boolean'
    case 'entries': return Array.isArray(value) && value.every(isEntry)
    case 'meta': return isSnapshotMeta(value)
  }
}

/** isRaftMessage tells whether a decoded body is a well-formed RaftMessage. */
export function isRaftMessage(value: unknown): value is RaftMessage {
  if (!isRecord(value) || typeof value.type !== 'string' || !Object.hasOwn(shapes, value.type)) return false
  const shape = shapes[value.type as RaftMessage['type']]
  for (const [field, kind] of Object.entries(shape)) {
    if (!fieldOk(kind, value[field])) return false
  }
  return true
}

/** isRaftFrameBody checks a Raft frame body: {m: RaftMessage, a: address | null}. */
export function isRaftFrameBody(value: unknown): value is RaftFrameBody {
  return isRecord(value) && isRaftMessage(value.m) && (value.a === null || typeof value.a === 'string')
}

/** isSnapshotChunk checks a snapshot chunk's shape. */
export function isSnapshotChunk(value: unknown): value is SnapshotChunk {
  if (!isRecord(value) || !isCount(value.stream) || !isCount(value.offset) || !isCount(value.total)) return false
  return value.data instanceof Uint8Array && isRaftMessage(value.message) && value.message.type === 'snapshot'
}

/** isRpcRequest checks a request body. */
export function isRpcRequest(value: unknown): value is RpcRequest {
  return isRecord(value) && isCount(value.id) && typeof value.method === 'string'
}

/** isRpcResponse checks a response body. */
export function isRpcResponse(value: unknown): value is RpcResponse {
  if (!isRecord(value) || !isCount(value.id) || typeof value.ok !== 'boolean') return false
  if (value.ok) return true
  const error = value.error
  return isRecord(error) && typeof error.code === 'string' && typeof error.message === 'string' && isCount(error.status)
}
