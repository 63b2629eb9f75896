/**
 * agent/raft/storage/record.ts: the WAL's on-disk record format. Every record is
 * [u32 length][u32 CRC32 of payload][payload], big-endian, and the payload is a msgpack array
 * whose first element says what it is:
 *
 *   [0, prevIndex, prevTerm]          segment header: the log entry just before this segment
 *   [1, firstIndex, [[term, type, data], ...]]  entries; firstIndex <= lastIndex replaces the suffix
 *   [2, term, vote | null, commit]    hard state
 *   [3, index, term]                  reset: the log now starts after a received snapshot
 *
 * The CRC covers the payload only; a length that runs past the end of the file or a CRC that
 * does not match marks the record invalid, and the scanner decides whether that is a torn
 * tail (truncate) or corruption (refuse to start).
 */
import { crc32 } from 'node:zlib'
import { Packr } from 'msgpackr'
import type { Entry, EntryType, HardState } from '../core/types.js'

/** recordHeaderBytes is the size of [u32 length][u32 crc]. */
export const recordHeaderBytes = 8

/** recordPayloadBytesMax bounds one record's payload; a larger length is garbage. */
export const recordPayloadBytesMax = 256 * 1024 * 1024

const packr = new Packr({ useRecords: false, moreTypes: false })

/** WalRecord is one decoded WAL record. */
export type WalRecord =
  | { kind: 'header'; prevIndex: number; prevTerm: number }
  | { kind: 'entries'; firstIndex: number; entries: Entry[] }
  | { kind: 'hard-state'; hardState: HardState }
  | { kind: 'reset'; index: number; term: number }

const typeCodes: Record<EntryType, number> = { normal: 0, config: 1, noop: 2 }
const codeTypes: EntryType[] = ['normal', 'config', 'noop']

/** encodeRecord frames one record: header plus msgpack payload. */
export function encodeRecord(record: WalRecord): Buffer {
  const payload = packr.pack(toArray(record))
  const out = Buffer.allocUnsafe(recordHeaderBytes + payload.length)
  out.writeUInt32BE(payload.length, 0)
  out.writeUInt32BE(crc32(payload), 4)
  payload.copy(out, recordHeaderBytes)
  return out
}

function toArray(record: WalRecord): unknown[] {
  switch (record.kind) {
    case 'header': return [0, record.prevIndex, record.prevTerm]
    case 'entries': return [1, record.firstIndex, record.entries.map((e) => [e.term, typeCodes[e.type], e.data])]
    case 'hard-state': return [2, record.hardState.term, record.hardState.vote ?? null, record.hardState.commit]
    case 'reset': return [3, record.index, record.term]
  }
}

/** FrameCheck is the result of looking at the bytes at one offset. */
export type FrameCheck =
  | { ok: true; payload: Buffer; next: number }
  | { ok: false; reason: 'short-header' | 'past-eof' | 'bad-length' | 'bad-crc' }

/** checkFrame reads the record framed at `offset` of `buf` and verifies its CRC. */
export function checkFrame(buf: Buffer, offset: number): FrameCheck {
  if (offset + recordHeaderBytes > buf.length) return { ok: false, reason: 'short-header' }
  const length = buf.readUInt32BE(offset)
  if (length === 0 || length > recordPayloadBytesMax) return { ok: false, reason: 'bad-length' }
  const end = offset + recordHeaderBytes + length
  if (end > buf.length) return { ok: false, reason: 'past-eof' }
  const payload = buf.subarray(offset + recordHeaderBytes, end)
  if (crc32(payload) !== buf.readUInt32BE(offset + 4)) return { ok: false, reason: 'bad-crc' }
  return { ok: true, payload, next: end }
}

/** decodePayload turns a CRC-checked payload into a record, or undefined if its shape is wrong. */
export function decodePayload(payload: Buffer): WalRecord | undefined {
  let value: unknown
  try {
    value = packr.unpack(payload)
  } catch {
    return undefined
  }
  if (!Array.isArray(value) || value.length < 3) return undefined
  const [tag, a, b, c] = value as unknown[]
  if (!isCount(a)) return undefined
  switch (tag) {
    case 0: return isCount(b) ? { kind: 'header', prevIndex: a, prevTerm: b } : undefined
    case 1: return decodeEntries(a, b)
    case 2: return isCount(c) && (b === null || typeof b === 'string')
      ? { kind: 'hard-state', hardState: { term: a, vote: b ?? undefined, commit: c } }
      : undefined
    case 3: return isCount(b) ? { kind: 'reset', index: a, term: b } : undefined
    default: return undefined
  }
}

function decodeEntries(firstIndex: number, raw: unknown): WalRecord | undefined {
  if (!Array.isArray(raw) || firstIndex < 1) return undefined
  const entries: Entry[] = []
  for (let i = 0; i < raw.length; i++) {
    const item = raw[i] as unknown
    if (!Array.isArray(item) || item.length !== 3) return undefined
    const [term, code, data] = item as unknown[]
    const type = codeTypes[code as number]
    if (!isCount(term) || type === undefined || !(data instanceof Uint8Array)) return undefined
    entries.push({ index: firstIndex + i, term, type, data })
  }
  return { kind: 'entries', firstIndex, entries }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}
