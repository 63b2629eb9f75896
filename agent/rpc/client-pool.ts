/**
 * agent/rpc/client-pool.ts: RpcClientPool, the client side of server RPC. One persistent
 * PeerConn per peer address carries that peer's Raft messages, snapshot chunks and forwarded
 * calls; see peer.ts for queueing, dropping and backoff.
 */
import { ZxError } from '../errors.js'
import type { RaftMessage } from '../raft/core/types.js'
import { silentLogger, type Logger } from '../raft/node-log.js'
import { FrameKind, encodeFrame } from './frame.js'
import { PeerConn, type PeerLimits } from './peer.js'
import type { RaftFrameBody, RpcPoolStats, SnapshotChunk } from './types.js'

/** rpcPoolDefaults are the pool's limits, each with its reason. */
export const rpcPoolDefaults: PeerLimits = {
  raftQueueMax: 4096,            // ~a few seconds of a busy leader's appends; older ones are stale anyway
  socketBytesHigh: 8 * 1024 * 1024, // keep at most 8 MiB in Node's socket buffer per peer
  backoffMinMs: 50,              // first retry soon: a restarting peer is usually back quickly
  backoffMaxMs: 2_000,           // but never hammer a dead peer more than twice a second
  connectTimeoutMs: 2_000,       // a LAN connect that takes longer is as good as failed
}

/** RpcClientPoolOptions tune the pool. */
export interface RpcClientPoolOptions {
  limits?: Partial<PeerLimits>
  log?: Logger
  /** bindAddr, when a specific address, is the source of every outbound connection. */
  bindAddr?: string
}

/** RpcClientPool sends Raft messages, snapshot chunks and calls to peers by address. */
export class RpcClientPool {
  private readonly peers = new Map<string, PeerConn>()
  private readonly limits: PeerLimits
  private readonly log: Logger
  private readonly bindAddr: string | undefined
  private readonly counters: RpcPoolStats = { raftSent: 0, raftDropped: 0, connects: 0, connectFailures: 0, calls: 0, callFailures: 0 }
  private dropListeners: Array<(message: RaftMessage) => void> = []
  private refusedListeners: Array<(address: string) => void> = []
  private nextCallId = 1
  private closed = false

  constructor(options: RpcClientPoolOptions = {}) {
    this.limits = { ...rpcPoolDefaults, ...options.limits }
    this.log = options.log ?? silentLogger
    this.bindAddr = options.bindAddr
  }

  /** onRaftDrop subscribes to Raft messages the pool dropped (peer down or queue full). */
  onRaftDrop(listener: (message: RaftMessage) => void): () => void {
    this.dropListeners.push(listener)
    return () => { this.dropListeners = this.dropListeners.filter((l) => l !== listener) }
  }

  /**
   * onRefused subscribes to refused connects: the address's port is closed, so the server
   * process behind it is gone (or restarting). A connection that closes is retried at once,
   * which makes a dead peer known within a round trip.
   */
  onRefused(listener: (address: string) => void): () => void {
    this.refusedListeners.push(listener)
    return () => { this.refusedListeners = this.refusedListeners.filter((l) => l !== listener) }
  }

  /**
   * sendRaft sends one Raft message to address, best-effort. `senderAddress` (the sender's
   * advertised rpc address) travels along so a server that is not yet in any configuration
   * (a joiner) can answer the leader.
   */
  sendRaft(address: string, message: RaftMessage, senderAddress?: string): void {
    let buf: Buffer
    try {
      buf = encodeFrame(FrameKind.Raft, { m: message, a: senderAddress ?? null } satisfies RaftFrameBody)
    } catch (error) {
      this.log.error('raft message too large to send', { to: message.to, type: message.type, error: String(error) })
      this.counters.raftDropped++
      this.notifyDrop(message)
      return
    }
    const peer = this.peer(address)
    if (peer === undefined) return this.notifyDrop(message)
    peer.sendRaft(buf, message)
  }

  /** sendSnapshotChunk sends one chunk; resolves once written, rejects ZX_ERR_RPC if the peer is down. */
  sendSnapshotChunk(address: string, chunk: SnapshotChunk): Promise<void> {
    const peer = this.peer(address)
    if (peer === undefined) return Promise.reject(new ZxError('ZX_ERR_STOPPED', 'rpc client pool closed'))
    return peer.sendChunk(encodeFrame(FrameKind.SnapshotChunk, chunk))
  }

  /** call invokes `method` on the server at address; rejects with the handler's ZxError, ZX_ERR_RPC or ZX_ERR_TIMEOUT. */
  async call(address: string, method: string, args: unknown, timeoutMs: number): Promise<unknown> {
    const peer = this.peer(address)
    if (peer === undefined) throw new ZxError('ZX_ERR_STOPPED', 'rpc client pool closed')
    const id = this.nextCallId
    this.nextCallId = this.nextCallId >= 0xffff_ffff ? 1 : this.nextCallId + 1
    this.counters.calls++
    let buf: Buffer
    try {
      buf = encodeFrame(FrameKind.Request, { id, method, args })
    } catch (error) {
      throw new ZxError('ZX_ERR_TOO_LARGE', `rpc call ${method} is too large: ${String(error)}`)
    }
    return peer.call(id, buf, timeoutMs)
  }

  /** stats returns the pool's counters. */
  stats(): RpcPoolStats {
    return { ...this.counters }
  }

  /** close ends every connection and fails whatever is pending. */
  close(): void {
    this.closed = true
    for (const peer of this.peers.values()) peer.close()
    this.peers.clear()
  }

  private peer(address: string): PeerConn | undefined {
    if (this.closed) return undefined
    let peer = this.peers.get(address)
    if (peer === undefined) {
      peer = new PeerConn(address, this.limits, this.counters, (message) => this.notifyDrop(message), this.log,
        (refused) => { for (const listener of this.refusedListeners) listener(refused) }, this.bindAddr)
      this.peers.set(address, peer)
    }
    return peer
  }

  private notifyDrop(message: RaftMessage): void {
    for (const listener of this.dropListeners) listener(message)
  }
}
