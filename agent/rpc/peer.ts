/**
 * agent/rpc/peer.ts: PeerConn, one persistent outgoing connection to one server's RPC port.
 * It connects lazily on the first send, keeps a bounded queue while connecting or while the
 * socket is backed up, and after a failure waits an exponentially growing backoff before the
 * next attempt. Raft messages are best-effort (Raft retries on its own): when the queue is
 * full the oldest ones are dropped, and while the peer is down they are dropped at once, each
 * drop reported so the driver can tell the core the peer is unreachable. Calls and snapshot
 * chunks are never dropped silently: they fail with ZX_ERR_RPC (or ZX_ERR_TIMEOUT).
 */
import net from 'node:net'
import { ZxError } from '../errors.js'
import type { RaftMessage } from '../raft/core/types.js'
import type { Logger } from '../raft/node-log.js'
import { FrameDecoder, FrameKind, decodeBody } from './frame.js'
import type { RpcPoolStats } from './types.js'
import { isRpcResponse } from './validate.js'
import { dialSource } from '../util/dial-source.js'

/** PeerLimits bound a connection's queue and retry pace. */
export interface PeerLimits {
  /** raftQueueMax: queued Raft messages per peer before the oldest is dropped. */
  raftQueueMax: number
  /** socketBytesHigh: stop handing bytes to the socket past this many unsent bytes. */
  socketBytesHigh: number
  backoffMinMs: number
  backoffMaxMs: number
  connectTimeoutMs: number
}

type Outgoing =
  | { kind: 'raft'; buf: Buffer; message: RaftMessage }
  | { kind: 'chunk'; buf: Buffer; resolve: () => void; reject: (error: Error) => void }
  | { kind: 'call'; buf: Buffer; id: number }

interface PendingCall { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout; written: boolean }

/** reconnectAfterMs: a connection that lived at least this long is retried at once when it closes. */
const reconnectAfterMs = 1_000

/** PeerConn is one persistent connection to a peer address with its queue and backoff. */
export class PeerConn {
  private state: 'idle' | 'connecting' | 'open' | 'backoff' | 'closed' = 'idle'
  private socket: net.Socket | undefined
  private queue: Outgoing[] = []
  private raftQueued = 0
  private backoffMs: number
  private backoffUntil = 0
  private openedAt = 0
  private readonly calls = new Map<number, PendingCall>()

  constructor(
    readonly address: string,
    private readonly limits: PeerLimits,
    private readonly stats: RpcPoolStats,
    private readonly onDrop: (message: RaftMessage) => void,
    private readonly log: Logger,
    private readonly onRefused: (address: string) => void = () => {},
    private readonly bindAddr?: string,
  ) {
    this.backoffMs = limits.backoffMinMs
  }

  /** sendRaft queues one Raft message (dropping and reporting if the peer is down or backed up). */
  sendRaft(buf: Buffer, message: RaftMessage): void {
    if (!this.ready()) return this.drop(message)
    this.queue.push({ kind: 'raft', buf, message })
    this.raftQueued++
    while (this.raftQueued > this.limits.raftQueueMax) {
      const oldest = this.queue.findIndex((item) => item.kind === 'raft')
      const [item] = this.queue.splice(oldest, 1)
      this.raftQueued--
      this.drop((item as Extract<Outgoing, { kind: 'raft' }>).message)
    }
    this.pump()
  }

  /** sendChunk queues a snapshot chunk; resolves once handed to the kernel. */
  sendChunk(buf: Buffer): Promise<void> {
    if (!this.ready()) return Promise.reject(this.downError())
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'chunk', buf, resolve, reject })
      this.pump()
    })
  }

  /** call sends a request and resolves with its response's result. */
  call(id: number, buf: Buffer, timeoutMs: number): Promise<unknown> {
    if (!this.ready()) return Promise.reject(this.downError())
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.calls.delete(id)
        this.queue = this.queue.filter((item) => !(item.kind === 'call' && item.id === id))
        reject(new ZxError('ZX_ERR_TIMEOUT', `rpc call to ${this.address} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      this.calls.set(id, { resolve, reject, timer, written: false })
      this.queue.push({ kind: 'call', buf, id })
      this.pump()
    })
  }

  /** close ends the connection and fails whatever is pending with ZX_ERR_STOPPED. */
  close(): void {
    this.state = 'closed'
    this.failAll(new ZxError('ZX_ERR_STOPPED', 'rpc client pool closed'))
    this.socket?.destroy()
  }

  /** ready tells whether sends may be queued now, starting a connection when idle or backed off. */
  private ready(): boolean {
    if (this.state === 'closed') return false
    if (this.state === 'backoff' && Date.now() < this.backoffUntil) return false
    if (this.state === 'idle' || this.state === 'backoff') this.connect()
    return true
  }

  private connect(): void {
    this.state = 'connecting'
    const split = this.address.lastIndexOf(':')
    const host = this.address.slice(0, split).replace(/^\[|\]$/g, '')
    const port = Number(this.address.slice(split + 1))
    const socket = net.connect({ host, port, localAddress: dialSource(this.bindAddr, host) })
    this.socket = socket
    socket.setNoDelay(true)
    socket.setTimeout(this.limits.connectTimeoutMs, () => socket.destroy(new Error('connect timeout')))
    const decoder = new FrameDecoder()
    socket.on('connect', () => {
      this.stats.connects++
      socket.setTimeout(0)
      this.state = 'open'
      this.openedAt = Date.now()
      this.backoffMs = this.limits.backoffMinMs
      this.pump()
    })
    socket.on('drain', () => this.pump())
    socket.on('data', (data: Buffer) => this.onData(socket, decoder, data))
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.log.debug('rpc peer connection error', { peer: this.address, error: error.message })
      if (error.code === 'ECONNREFUSED') this.onRefused(this.address)
    })
    socket.on('close', () => this.onClose(socket))
  }

  private onData(socket: net.Socket, decoder: FrameDecoder, data: Buffer): void {
    const frames = decoder.push(data)
    if (typeof frames === 'string') {
      this.log.warn('bad frame from rpc peer', { peer: this.address, reason: frames })
      socket.destroy()
      return
    }
    for (const frame of frames) {
      let body: unknown
      try {
        body = decodeBody(frame.body)
      } catch {
        body = undefined
      }
      if (frame.kind !== FrameKind.Response || !isRpcResponse(body)) {
        this.log.warn('unexpected frame from rpc peer', { peer: this.address, kind: frame.kind })
        socket.destroy()
        return
      }
      const pending = this.calls.get(body.id)
      if (pending === undefined) continue // timed out already
      this.calls.delete(body.id)
      clearTimeout(pending.timer)
      if (body.ok) pending.resolve(body.result)
      else pending.reject(new ZxError(body.error.code, body.error.message, { status: body.error.status, details: body.error.details }))
    }
  }

  private onClose(socket: net.Socket): void {
    if (socket !== this.socket) return
    this.socket = undefined
    if (this.state === 'closed') return
    const wasOpen = this.state === 'open'
    if (!wasOpen) this.stats.connectFailures++
    this.state = 'backoff'
    this.backoffUntil = Date.now() + this.backoffMs
    this.backoffMs = Math.min(this.backoffMs * 2, this.limits.backoffMaxMs)
    this.failAll(this.downError())
    // An established connection that closes is either a restart or a death: reconnect once at
    // once, so that a refused connect (the peer's process is gone) is known within a round trip.
    // Only after a connection that lived a while: a peer that drops us at once gets the backoff.
    if (wasOpen && Date.now() - this.openedAt >= reconnectAfterMs) this.connect()
  }

  private failAll(error: ZxError): void {
    const queued = this.queue
    this.queue = []
    this.raftQueued = 0
    for (const item of queued) {
      if (item.kind === 'raft') this.drop(item.message)
      else if (item.kind === 'chunk') item.reject(error)
    }
    for (const [id, pending] of this.calls) {
      clearTimeout(pending.timer)
      this.calls.delete(id)
      this.stats.callFailures++
      // A call already handed to the socket may have been carried out by the peer before the
      // connection died: its outcome is unknown, and retrying it elsewhere could apply a write
      // twice. Only calls that never left this process fail with the retryable ZX_ERR_RPC.
      pending.reject(pending.written && error.code === 'ZX_ERR_RPC' ? lostAnswer(this.address) : error)
    }
  }

  private pump(): void {
    const socket = this.socket
    if (this.state !== 'open' || socket === undefined) return
    corkUntilNextTick(socket)
    while (this.queue.length > 0 && socket.writableLength < this.limits.socketBytesHigh) {
      const item = this.queue.shift()!
      if (item.kind === 'raft') {
        this.raftQueued--
        this.stats.raftSent++
        socket.write(item.buf)
      } else if (item.kind === 'chunk') {
        socket.write(item.buf, (error) => (error ? item.reject(this.downError()) : item.resolve()))
      } else {
        const pending = this.calls.get(item.id)
        if (pending !== undefined) pending.written = true
        socket.write(item.buf)
      }
    }
  }

  private drop(message: RaftMessage): void {
    this.stats.raftDropped++
    this.onDrop(message)
  }

  private downError(): ZxError {
    const wait = Math.max(0, this.backoffUntil - Date.now())
    return new ZxError('ZX_ERR_RPC', `rpc peer ${this.address} is unreachable (next attempt in ${wait} ms)`, { details: { address: this.address } })
  }
}

/** lostAnswer is the error of a call whose connection closed after it was sent: outcome unknown. */
function lostAnswer(address: string): ZxError {
  return new ZxError('ZX_ERR_TIMEOUT', `rpc connection to ${address} lost before the answer; the outcome is unknown`, { status: 500, details: { address } })
}

/**
 * corkUntilNextTick batches every frame written to the socket during this tick into one
 * syscall: a leader sends one message per follower per proposal batch and answers many calls
 * at once, and a write() per frame was the largest single cost in its CPU profile.
 */
export function corkUntilNextTick(socket: net.Socket): void {
  if (socket.writableCorked > 0) return
  socket.cork()
  process.nextTick(() => socket.uncork())
}
