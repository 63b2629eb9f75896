/**
 * agent/endpoints/router.ts: how a request reaches the server that must answer it. Every
 * operation that needs the servers is one named RPC method ('KVS.Apply', 'KVS.Get', …). On a
 * client the router sends the call to a server found through gossip, trying another on a
 * connection failure. On a server, writes and non-stale reads run on the leader: a follower
 * forwards them (at most two hops), and while no leader is known the call waits up to
 * rpcHoldTimeoutMs before failing with `No cluster leader`. Arguments and results travel
 * msgpackr-packed so bigint flags stay exact.
 */
import { httpDefaults } from '../config/defaults.js'
import { isZxError, ZxError } from '../errors.js'
import { packValue, unpackValue } from '../state/commands.js'
import type { AgentContext } from './context.js'

/** MethodKind says where a method may run: on the leader, on the leader unless stale, anywhere. */
export type MethodKind = 'write' | 'read' | 'local'

/** ServerMethod is one RPC operation served by servers. */
export interface ServerMethod {
  kind: MethodKind
  run(ctx: AgentContext, args: any): Promise<unknown>
}

/** RpcTransport is the part of RpcClientPool the router uses. */
export interface RpcTransport {
  call(address: string, method: string, args: unknown, timeoutMs: number): Promise<unknown>
}

/** CallOptions tune one call. */
export interface CallOptions {
  /** timeoutMs bounds one forwarded attempt (blocking reads pass wait + margin). */
  timeoutMs?: number
}

interface Envelope { p: Uint8Array }

const maxHops = 2

/** RpcRouter routes named calls to the local server, the leader or a known server. */
export class RpcRouter {
  private readonly methods = new Map<string, ServerMethod>()
  private ctx: AgentContext | undefined

  constructor(
    private readonly transport: RpcTransport | undefined,
    /** servers lists server RPC addresses this agent knows (from gossip), best first. */
    private readonly servers: () => string[],
    private readonly holdTimeoutMs: number = httpDefaults.rpcHoldTimeoutMs,
  ) {}

  /** bind attaches the agent context (the router is built before the context exists). */
  bind(ctx: AgentContext): void {
    this.ctx = ctx
  }

  /** register adds server methods (from an area's method table). */
  register(methods: Record<string, ServerMethod>): void {
    for (const [name, method] of Object.entries(methods)) this.methods.set(name, method)
  }

  /** names lists registered methods (the agent registers each on its RpcServer). */
  names(): string[] {
    return [...this.methods.keys()]
  }

  /** call runs a method wherever it must run and returns its result. */
  async call(method: string, args: unknown, options: CallOptions = {}): Promise<unknown> {
    const ctx = this.context()
    if (ctx.server !== undefined) return this.serve(method, args, 0, options)
    return this.callServers(method, args, options)
  }

  /** callAt runs a method on one specific server (bootstrap's peer probe). */
  async callAt(address: string, method: string, args: unknown, timeoutMs: number): Promise<unknown> {
    return this.forward(address, method, args, maxHops, { timeoutMs })
  }

  /** handleRemote serves an RPC envelope that arrived from another agent. */
  async handleRemote(method: string, envelope: unknown): Promise<Envelope> {
    const { args, hops } = decodeEnvelope(envelope) as { args: unknown; hops: number }
    const result = await this.serve(method, args, typeof hops === 'number' ? hops : maxHops, {})
    return { p: packValue(result) }
  }

  private async serve(method: string, args: unknown, hops: number, options: CallOptions): Promise<unknown> {
    const ctx = this.context()
    const handler = this.methods.get(method)
    if (handler === undefined) throw new ZxError('ZX_ERR_NOT_FOUND', `rpc: can't find method ${method}`)
    const stale = (args as { query?: { mode?: string } } | undefined)?.query?.mode === 'stale'
    if (handler.kind === 'local' || (handler.kind === 'read' && stale)) return handler.run(ctx, args)
    const raft = ctx.server!.raft
    const deadline = ctx.now() + this.holdTimeoutMs
    for (;;) {
      const status = raft.status()
      try {
        if (status.role === 'leader') return await handler.run(ctx, args)
        if (status.leaderAddress !== undefined && hops < maxHops && this.transport !== undefined) {
          return await this.forward(status.leaderAddress, method, args, hops + 1, options)
        }
      } catch (error) {
        if (!retryable(error)) throw error
      }
      if (ctx.now() >= deadline) throw noLeader()
      await sleep(50)
    }
  }

  private async callServers(method: string, args: unknown, options: CallOptions): Promise<unknown> {
    const ctx = this.context()
    const deadline = ctx.now() + this.holdTimeoutMs
    let lastError: unknown
    for (let attempt = 0; ; attempt++) {
      const servers = shuffle(this.servers())
      if (servers.length === 0 && ctx.now() >= deadline) throw new ZxError('ZX_ERR_NO_LEADER', 'No known Consul servers')
      for (const address of servers) {
        try {
          return await this.forward(address, method, args, 0, options)
        } catch (error) {
          if (!retryable(error)) throw error
          lastError = error
        }
      }
      if (ctx.now() >= deadline) throw lastError ?? noLeader()
      await sleep(Math.min(500, 50 * (attempt + 1)))
    }
  }

  private async forward(address: string, method: string, args: unknown, hops: number, options: CallOptions): Promise<unknown> {
    if (this.transport === undefined) throw new ZxError('ZX_ERR_RPC', 'no RPC transport')
    const timeoutMs = options.timeoutMs ?? httpDefaults.forwardTimeoutMs
    const reply = await this.transport.call(address, method, { p: packValue({ args, hops }) }, timeoutMs)
    return decodeEnvelope(reply)
  }

  private context(): AgentContext {
    if (this.ctx === undefined) throw new Error('assertion failed: router used before bind')
    return this.ctx
  }
}

function decodeEnvelope(value: unknown): unknown {
  const bytes = (value as Envelope | undefined)?.p
  if (!(bytes instanceof Uint8Array)) throw new ZxError('ZX_ERR_RPC', 'rpc: malformed payload')
  try {
    return unpackValue(bytes)
  } catch {
    throw new ZxError('ZX_ERR_RPC', 'rpc: undecodable payload')
  }
}

/** retryable: the request certainly did not take effect, so another server may be tried. */
function retryable(error: unknown): boolean {
  return isZxError(error, 'ZX_ERR_NOT_LEADER') || isZxError(error, 'ZX_ERR_NO_LEADER') || isZxError(error, 'ZX_ERR_RPC')
}

/** noLeader is Consul's `No cluster leader` (HTTP 500). */
export function noLeader(): ZxError {
  return new ZxError('ZX_ERR_NO_LEADER', 'No cluster leader', { status: 500 })
}

function shuffle<T>(items: T[]): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
