/**
 * agent/raft/snapshot-stream.ts: moving a state machine snapshot from a leader to a follower
 * over the server RPC transport. The core only says "send snapshot meta M to F"; the sender
 * cuts the snapshot data into chunks (SnapshotChunk frames, one-way, in order on the single
 * connection to F) and the receiver reassembles them per (sender, stream). Only when every
 * byte arrived, in order, does the receiver hand the data and the 'snapshot' message to the
 * driver, which saves the file and then steps the message into its core. A gap, a new
 * stream from the same sender or an idle timeout discards a partial stream; the leader
 * retries after the core hears nothing back.
 */
import type { RaftMessage } from './core/types.js'
import type { RpcClientPool } from '../rpc/client-pool.js'
import type { SnapshotChunk } from '../rpc/types.js'

/** snapshotBytesMax caps what a receiver will buffer for one snapshot (1 GiB). */
export const snapshotBytesMax = 1024 * 1024 * 1024

type SnapshotMessage = Extract<RaftMessage, { type: 'snapshot' }>

/** sendSnapshot streams `data` to address in chunks; resolves once all are written to the socket. */
export async function sendSnapshot(pool: RpcClientPool, address: string, stream: number, message: SnapshotMessage,
  data: Uint8Array, chunkBytes: number): Promise<void> {
  let offset = 0
  do {
    const end = Math.min(data.length, offset + chunkBytes)
    await pool.sendSnapshotChunk(address, { stream, offset, total: data.length, data: data.subarray(offset, end), message })
    offset = end
  } while (offset < data.length)
}

/** ReceivedSnapshot is a complete snapshot ready to be saved and stepped. */
export interface ReceivedSnapshot {
  message: SnapshotMessage
  data: Buffer
}

interface Partial { stream: number; total: number; received: number; parts: Uint8Array[]; lastMs: number }

/** SnapshotReceiver reassembles incoming snapshot streams, one per sender. */
export class SnapshotReceiver {
  private readonly partials = new Map<string, Partial>()
  private dropped = 0

  constructor(private readonly idleMs: number) {}

  /** accept takes one chunk; returns the snapshot when its last byte arrived, else undefined. */
  accept(chunk: SnapshotChunk, nowMs: number): ReceivedSnapshot | undefined {
    const from = chunk.message.from
    let partial = this.partials.get(from)
    if (chunk.offset === 0) {
      if (chunk.total > snapshotBytesMax) {
        this.dropped++
        return undefined
      }
      partial = { stream: chunk.stream, total: chunk.total, received: 0, parts: [], lastMs: nowMs }
      this.partials.set(from, partial)
    }
    if (partial === undefined || partial.stream !== chunk.stream || partial.received !== chunk.offset || partial.total !== chunk.total
      || partial.received + chunk.data.length > partial.total) {
      if (partial !== undefined) this.partials.delete(from)
      this.dropped++
      return undefined
    }
    partial.parts.push(chunk.data)
    partial.received += chunk.data.length
    partial.lastMs = nowMs
    if (partial.received < partial.total) return undefined
    this.partials.delete(from)
    return { message: chunk.message, data: Buffer.concat(partial.parts) }
  }

  /** expire drops partial streams idle for longer than idleMs. */
  expire(nowMs: number): void {
    for (const [from, partial] of this.partials) {
      if (nowMs - partial.lastMs > this.idleMs) {
        this.partials.delete(from)
        this.dropped++
      }
    }
  }

  /** droppedStreams counts streams discarded (gaps, oversize, idle). */
  droppedStreams(): number {
    return this.dropped
  }
}
