/**
 * agent/rpc/frame.ts: the server RPC wire format on port 8300. A frame is
 * [u32 body length][u8 kind][msgpack body], big-endian; the body is at most frameBytesMax.
 * Kinds: a Raft message (one-way), a snapshot chunk (one-way, part of a stream), and a
 * request/response pair for forwarding, matched by a u32 call id inside the body.
 * FrameDecoder turns a byte stream into frames without quadratic copying and reports the first
 * violation (oversized length, unknown kind) so the connection can be closed.
 */
import { Packr } from 'msgpackr'

/** frameBytesMax is the largest body accepted: 16 MiB fits a 1 MiB snapshot chunk or a full append batch with room. */
export const frameBytesMax = 16 * 1024 * 1024

/** frameHeaderBytes is [u32 length][u8 kind]. */
export const frameHeaderBytes = 5

/** FrameKind is the first byte after the length. Append; never renumber. */
export enum FrameKind {
  Raft = 1,
  SnapshotChunk = 2,
  Request = 3,
  Response = 4,
}

const packr = new Packr({ useRecords: false })

/** encodeFrame frames a body of the given kind. Throws if the body is over frameBytesMax. */
export function encodeFrame(kind: FrameKind, body: unknown): Buffer {
  const payload = packr.pack(body)
  if (payload.length > frameBytesMax) throw new RangeError(`frame body ${payload.length} bytes exceeds ${frameBytesMax}`)
  const header = Buffer.allocUnsafe(frameHeaderBytes)
  header.writeUInt32BE(payload.length, 0)
  header.writeUInt8(kind, 4)
  return Buffer.concat([header, payload])
}

/** decodeBody unpacks a frame body; throws on malformed msgpack. */
export function decodeBody(body: Buffer): unknown {
  return packr.unpack(body)
}

/** Frame is one complete frame read from a stream. */
export interface Frame {
  kind: FrameKind
  body: Buffer
}

/** FrameDecoder accumulates stream bytes and yields complete frames. */
export class FrameDecoder {
  private chunks: Buffer[] = []
  private buffered = 0

  /** push adds bytes and returns the frames now complete, or an error string on a violation. */
  push(data: Buffer): Frame[] | string {
    this.chunks.push(data)
    this.buffered += data.length
    const frames: Frame[] = []
    for (;;) {
      if (this.buffered < frameHeaderBytes) return frames
      const header = this.peek(frameHeaderBytes)
      const length = header.readUInt32BE(0)
      const kind = header.readUInt8(4)
      if (length > frameBytesMax) return `frame length ${length} exceeds ${frameBytesMax}`
      if (!(kind in FrameKind)) return `unknown frame kind ${kind}`
      if (this.buffered < frameHeaderBytes + length) return frames
      const whole = this.take(frameHeaderBytes + length)
      frames.push({ kind: kind as FrameKind, body: whole.subarray(frameHeaderBytes) })
    }
  }

  /** pendingBytes is how many bytes of an incomplete frame are buffered. */
  pendingBytes(): number {
    return this.buffered
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!.subarray(0, n)
    const joined = Buffer.concat(this.chunks)
    this.chunks = [joined]
    return joined.subarray(0, n)
  }

  private take(n: number): Buffer {
    let first = this.chunks[0]!
    if (first.length < n) {
      let count = 0
      let bytes = 0
      while (bytes < n) bytes += this.chunks[count++]!.length
      first = Buffer.concat(this.chunks.slice(0, count))
      this.chunks.splice(0, count, first)
    }
    const out = first.subarray(0, n)
    if (first.length === n) this.chunks.shift()
    else this.chunks[0] = first.subarray(n)
    this.buffered -= n
    return out
  }
}
