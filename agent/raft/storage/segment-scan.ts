/**
 * agent/raft/storage/segment-scan.ts: reads one WAL segment's bytes into records and tells a
 * torn tail from corruption. A crash while appending can leave the last record of the last
 * segment partial (length past the end, CRC mismatch, zeros): that tail was never
 * acknowledged, so it is cut off. Anything else — a bad record in a segment that is not the
 * last one, or a bad record followed by a valid one — means acknowledged data was damaged, and
 * opening fails with ZX_ERR_CORRUPT naming the file and byte offset.
 */
import { ZxError } from '../../errors.js'
import { checkFrame, decodePayload, recordHeaderBytes, type WalRecord } from './record.js'

/** SegmentScan is what a segment held: its records and the byte length that is valid. */
export interface SegmentScan {
  records: WalRecord[]
  validBytes: number
  /** tornReason is set when a tail was found invalid (and must be truncated to validBytes). */
  tornReason: string | undefined
}

/** resyncBudgetBytes caps the work spent looking for a valid record after an invalid one. */
const resyncBudgetBytes = 512 * 1024 * 1024

/** scanSegment parses a segment; `isLast` allows a torn tail. Throws ZX_ERR_CORRUPT otherwise. */
export function scanSegment(buf: Buffer, file: string, isLast: boolean): SegmentScan {
  const records: WalRecord[] = []
  let offset = 0
  while (offset < buf.length) {
    const frame = checkFrame(buf, offset)
    if (!frame.ok) {
      if (!isLast) throw corrupt(file, offset, `${frame.reason} in a segment that is not the last`)
      if (validRecordAfter(buf, offset)) throw corrupt(file, offset, `${frame.reason} followed by valid records`)
      return { records, validBytes: offset, tornReason: frame.reason }
    }
    const record = decodePayload(frame.payload)
    if (record === undefined) throw corrupt(file, offset, 'record with a valid checksum but an unknown shape')
    records.push(record)
    offset = frame.next
  }
  return { records, validBytes: offset, tornReason: undefined }
}

/**
 * validRecordAfter looks for any CRC-valid, decodable record starting after `offset`. A CRC
 * collision on garbage is a 1 in 2^32 event per position, so finding one means real data
 * follows the damage. The search is bounded; past the budget the tail counts as corrupt.
 */
function validRecordAfter(buf: Buffer, offset: number): boolean {
  let budget = resyncBudgetBytes
  for (let at = offset + 1; at + recordHeaderBytes <= buf.length; at++) {
    const length = buf.readUInt32BE(at)
    if (length === 0 || at + recordHeaderBytes + length > buf.length) continue
    budget -= length
    if (budget < 0) return true
    const frame = checkFrame(buf, at)
    if (frame.ok && decodePayload(frame.payload) !== undefined) return true
  }
  return false
}

function corrupt(file: string, offset: number, what: string): ZxError {
  return new ZxError('ZX_ERR_CORRUPT', `corrupt WAL record in ${file} at byte offset ${offset}: ${what}`, {
    details: { file, offset },
  })
}
