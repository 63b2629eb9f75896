/**
 * agent/rpc/server.ts: RpcServer, the listener on port 8300 shared by Raft and request
 * forwarding. Each connection is read as a stream of frames (frame.ts). Raft messages and
 * snapshot chunks go to the one registered handler each; requests go to the handler
 * registered for their method and the result (or the thrown error as {code, message,
 * status}) is written back on the same connection with the same call id. A frame that is
 * oversized, of an unknown kind, undecodable or of the wrong shape is logged and counted and
 * its connection closed; the server itself keeps serving.
 */
import net from 'node:net'
import { ZxError, isZxError } from '../errors.js'
import type { RaftMessage } from '../raft/core/types.js'
import { silentLogger, type Logger } from '../raft/node-log.js'
import { FrameDecoder, FrameKind, decodeBody, encodeFrame, type Frame } from './frame.js'
import type { RpcErrorBody, RpcResponse, RpcServerStats, SnapshotChunk } from './types.js'
import { isRaftFrameBody, isRpcRequest, isSnapshotChunk } from './validate.js'
import { corkUntilNextTick } from './peer.js'

/** rejected marks connections closed for a bad frame, so their close is not counted twice. */
const rejected = new WeakSet<net.Socket>()

/** RpcHandler answers one forwarded call. */
export type RpcHandler = (args: unknown) => Promise<unknown>

/** RpcServerOptions say where to listen. */
export interface RpcServerOptions {
  host: string
  port: number
  log?: Logger
}

/** RpcServer listens for server RPC connections and dispatches their frames. */
export class RpcServer {
  private readonly sockets = new Set<net.Socket>()
  private readonly handlers = new Map<string, RpcHandler>()
  private raftHandler: ((message: RaftMessage, senderAddress: string | undefined) => void) | undefined
  private chunkHandler: ((chunk: SnapshotChunk) => void) | undefined
  private readonly counters: RpcServerStats = { connections: 0, framesIn: 0, badFrames: 0, requests: 0 }

  private constructor(private readonly server: net.Server, private readonly log: Logger) {}

  /** listen binds host:port (port 0 picks a free one) and starts accepting connections. */
  static async listen(options: RpcServerOptions): Promise<RpcServer> {
    const log = options.log ?? silentLogger
    const server = net.createServer()
    const rpc = new RpcServer(server, log)
    server.on('connection', (socket) => rpc.accept(socket))
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(new ZxError('ZX_ERR_RPC', `cannot listen on ${options.host}:${options.port}: ${error.message}`, { cause: error })))
      server.listen(options.port, options.host, () => resolve())
    })
    server.on('error', (error) => log.error('rpc server error', { error: error.message }))
    return rpc
  }

  /** address is the bound host:port. */
  address(): string {
    const bound = this.server.address() as net.AddressInfo
    return `${bound.address}:${bound.port}`
  }

  /** port is the bound port. */
  port(): number {
    return (this.server.address() as net.AddressInfo).port
  }

  /** onRaft sets the handler for incoming Raft messages (one per server); senderAddress is the sender's advertised rpc address. */
  onRaft(handler: (message: RaftMessage, senderAddress: string | undefined) => void): void {
    this.raftHandler = handler
  }

  /** onSnapshotChunk sets the handler for incoming snapshot chunks. */
  onSnapshotChunk(handler: (chunk: SnapshotChunk) => void): void {
    this.chunkHandler = handler
  }

  /** handle registers the handler for a forwarded method. */
  handle(method: string, handler: RpcHandler): void {
    this.handlers.set(method, handler)
  }

  /** stats returns the server's counters. */
  stats(): RpcServerStats {
    return { ...this.counters }
  }

  /** close stops listening and drops every connection. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private accept(socket: net.Socket): void {
    this.counters.connections++
    this.sockets.add(socket)
    socket.setNoDelay(true)
    const decoder = new FrameDecoder()
    const peer = `${socket.remoteAddress}:${socket.remotePort}`
    socket.on('data', (data: Buffer) => {
      const frames = decoder.push(data)
      if (typeof frames === 'string') return this.reject(socket, peer, frames)
      for (const frame of frames) {
        if (socket.destroyed) return
        this.counters.framesIn++
        this.dispatch(socket, peer, frame)
      }
    })
    socket.on('error', (error) => this.log.debug('rpc connection error', { peer, error: error.message }))
    socket.on('close', () => {
      this.sockets.delete(socket)
      // A connection closed for a bad frame was counted then; a frame cut off by the peer is counted here.
      if (decoder.pendingBytes() === 0 || rejected.has(socket)) return
      this.counters.badFrames++
      this.log.warn('rpc connection closed in the middle of a frame', { peer, bytes: decoder.pendingBytes() })
    })
  }

  private reject(socket: net.Socket, peer: string, reason: string): void {
    rejected.add(socket)
    this.counters.badFrames++
    this.log.warn('closing rpc connection after a bad frame', { peer, reason })
    socket.destroy()
  }

  private dispatch(socket: net.Socket, peer: string, frame: Frame): void {
    let body: unknown
    try {
      body = decodeBody(frame.body)
    } catch (error) {
      return this.reject(socket, peer, `undecodable ${FrameKind[frame.kind]} body: ${(error as Error).message}`)
    }
    switch (frame.kind) {
      case FrameKind.Raft:
        if (!isRaftFrameBody(body)) return this.reject(socket, peer, 'malformed raft message')
        this.safely(() => this.raftHandler?.(body.m, body.a ?? undefined))
        return
      case FrameKind.SnapshotChunk:
        if (!isSnapshotChunk(body)) return this.reject(socket, peer, 'malformed snapshot chunk')
        this.safely(() => this.chunkHandler?.(body))
        return
      case FrameKind.Request:
        if (!isRpcRequest(body)) return this.reject(socket, peer, 'malformed request')
        this.counters.requests++
        void this.answer(socket, body.id, body.method, body.args)
        return
      case FrameKind.Response:
        return this.reject(socket, peer, 'response frame sent to a server')
    }
  }

  private safely(run: () => void): void {
    try {
      run()
    } catch (error) {
      this.log.error('rpc handler threw', { error: error instanceof Error ? error.stack : String(error) })
    }
  }

  private async answer(socket: net.Socket, id: number, method: string, args: unknown): Promise<void> {
    const handler = this.handlers.get(method)
    let response: RpcResponse
    if (handler === undefined) {
      response = { id, ok: false, error: { code: 'ZX_ERR_RPC', message: `unknown rpc method ${method}`, status: 500 } }
    } else {
      try {
        response = { id, ok: true, result: await handler(args) }
      } catch (error) {
        response = { id, ok: false, error: errorBody(error) }
      }
    }
    if (socket.destroyed) return
    let frame: Buffer
    try {
      frame = encodeFrame(FrameKind.Response, response)
    } catch (error) {
      frame = encodeFrame(FrameKind.Response, { id, ok: false, error: errorBody(error) })
    }
    corkUntilNextTick(socket)
    socket.write(frame)
  }
}

/** errorBody turns a thrown value into the {code, message, status} that travels back. */
export function errorBody(error: unknown): RpcErrorBody {
  if (isZxError(error)) {
    return { code: error.code, message: error.message, status: error.status, ...(error.details === undefined ? {} : { details: error.details }) }
  }
  return { code: 'ZX_ERR_INTERNAL', message: error instanceof Error ? error.message : String(error), status: 500 }
}
