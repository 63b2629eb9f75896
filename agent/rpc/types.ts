/**
 * agent/rpc/types.ts: the bodies carried by server RPC frames (see frame.ts) and the
 * transport's counters.
 */
import type { ErrorCode } from '../errors.js'
import type { RaftMessage } from '../raft/core/types.js'

/** RaftFrameBody is a Raft frame's body: the message and the sender's advertised rpc address. */
export interface RaftFrameBody {
  m: RaftMessage
  a: string | null
}

/**
 * SnapshotChunk is one piece of a snapshot stream. `stream` identifies the transfer (per
 * sender), `offset`/`total` place the data, and `message` is the 'snapshot' RaftMessage the
 * receiver steps into its core once all `total` bytes are on disk.
 */
export interface SnapshotChunk {
  stream: number
  offset: number
  total: number
  data: Uint8Array
  message: Extract<RaftMessage, { type: 'snapshot' }>
}

/** RpcRequest is a forwarded call: method name and arguments, matched to its response by id. */
export interface RpcRequest {
  id: number
  method: string
  args: unknown
}

/** RpcErrorBody is a handler's error as it travels back: re-thrown as ZxError by the caller. */
export interface RpcErrorBody {
  code: ErrorCode
  message: string
  status: number
  details?: Record<string, unknown>
}

/** RpcResponse answers one RpcRequest. */
export type RpcResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: RpcErrorBody }

/** RpcServerStats counts what the server saw, including input it rejected. */
export interface RpcServerStats {
  connections: number
  framesIn: number
  badFrames: number
  requests: number
}

/** RpcPoolStats counts the client side's sends, drops and reconnects. */
export interface RpcPoolStats {
  raftSent: number
  raftDropped: number
  connects: number
  connectFailures: number
  calls: number
  callFailures: number
}
