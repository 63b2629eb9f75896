/**
 * agent/raft/core/validate.ts: shape checks for messages arriving from the network. The
 * transport decodes frames into objects; anything that is not a well-formed RaftMessage (bad
 * numbers, non-contiguous entries, undecodable config entries) is dropped and counted by the
 * core instead of breaking an invariant or crashing the server.
 */
import { decodeConfState } from './conf.js'
import type { Entry, RaftMessage, SnapshotMeta } from './types.js'

const entryTypes = new Set(['normal', 'config', 'noop'])

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}

function validEntries(entries: unknown, prevIndex: number, maxTerm: number): entries is Entry[] {
  if (!Array.isArray(entries)) return false
  let lastTerm = 0
  for (let k = 0; k < entries.length; k++) {
    const e = entries[k] as Partial<Entry> | null
    if (typeof e !== 'object' || e === null) return false
    if (e.index !== prevIndex + 1 + k || !isIndex(e.term) || e.term > maxTerm || e.term < lastTerm) return false
    if (!entryTypes.has(e.type as string) || !(e.data instanceof Uint8Array)) return false
    if (e.type === 'config' && !decodes(e.data)) return false
    lastTerm = e.term
  }
  return true
}

function decodes(data: Uint8Array): boolean {
  try {
    decodeConfState(data)
    return true
  } catch {
    return false
  }
}

function validMeta(meta: unknown): meta is SnapshotMeta {
  if (typeof meta !== 'object' || meta === null) return false
  const m = meta as Partial<SnapshotMeta>
  if (!isIndex(m.index) || !isIndex(m.term) || m.index === 0) return false
  const conf = m.conf as unknown
  if (typeof conf !== 'object' || conf === null) return false
  const c = conf as Record<string, unknown>
  return Array.isArray(c.voters) && c.voters.every(isId) && Array.isArray(c.learners) && c.learners.every(isId) &&
    typeof c.addresses === 'object' && c.addresses !== null
}

/** isValidMessage tells whether a decoded value is a well-formed RaftMessage. */
export function isValidMessage(value: unknown): value is RaftMessage {
  if (typeof value !== 'object' || value === null) return false
  const m = value as Record<string, unknown>
  if (!isIndex(m.term) || !isId(m.from) || !isId(m.to)) return false
  switch (m.type) {
    case 'vote':
      return isIndex(m.lastLogIndex) && isIndex(m.lastLogTerm) && typeof m.preVote === 'boolean' && typeof m.transfer === 'boolean'
    case 'vote-resp':
      return typeof m.granted === 'boolean' && typeof m.preVote === 'boolean'
    case 'append':
      return isIndex(m.prevIndex) && isIndex(m.prevTerm) && isIndex(m.commit) && m.prevTerm <= m.term &&
        validEntries(m.entries, m.prevIndex, m.term)
    case 'append-resp':
      return typeof m.success === 'boolean' && isIndex(m.matchIndex) && isIndex(m.conflictIndex) && isIndex(m.conflictTerm)
    case 'heartbeat':
      return isIndex(m.commit) && isIndex(m.ctx)
    case 'heartbeat-resp':
      return isIndex(m.ctx)
    case 'snapshot':
      return validMeta(m.meta)
    case 'snapshot-resp':
      return typeof m.success === 'boolean' && isIndex(m.matchIndex)
    case 'timeout-now':
      return true
    default:
      return false
  }
}
