/**
 * agent/leader/reconcile-driver.ts: runs the membership → catalog reconciliation on the leader.
 * It wakes on every LAN member event (coalesced over a short delay so a burst of joins costs one
 * round), when this server wins an election, and every intervalMs as a safety net. Only the
 * leader writes; followers return at once. Writes go through the same Catalog.* RPC methods as
 * everything else, so a lost leadership mid-round is just a failed round, retried later.
 */
import type { AgentContext } from '../endpoints/context.js'
import type { CatalogTables } from '../state/catalog.js'
import { planReconcile } from './reconcile.js'

/** reconcileDefaults are the driver's timings. */
export const reconcileDefaults = {
  intervalMs: 30_000,    // Consul reconciles every 60s; the lab halves it to heal faster
  coalesceMs: 50,        // batch a burst of member events into one round
  retryMs: 1_000,        // retry a failed round
  writeTimeoutMs: 5_000, // a write stuck across a leadership change fails the round instead of wedging it
} as const

/** withTimeout rejects when `promise` takes longer than timeoutMs (the work itself is not cancelled). */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs)
    timer.unref()
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** LeaderReconciler drives planReconcile on a server. */
export class LeaderReconciler {
  private timer: NodeJS.Timeout | undefined
  private interval: NodeJS.Timeout | undefined
  private running = false
  private again = false
  private readonly unsubscribe: Array<() => void> = []
  rounds = 0
  writes = 0

  constructor(private readonly ctx: AgentContext, private readonly catalog: CatalogTables) {}

  /** start subscribes to membership and Raft events. */
  start(): void {
    const { ctx } = this
    if (ctx.lan !== undefined) this.unsubscribe.push(ctx.lan.onMemberEvent(() => this.kick(reconcileDefaults.coalesceMs)))
    if (ctx.server !== undefined) {
      this.unsubscribe.push(ctx.server.raft.onEvent((event) => {
        if (event.type === 'role' && event.role === 'leader') this.kick(reconcileDefaults.coalesceMs)
      }))
    }
    this.interval = setInterval(() => this.kick(0), reconcileDefaults.intervalMs)
    this.interval.unref()
    this.kick(reconcileDefaults.coalesceMs)
  }

  /** stop unsubscribes and clears timers. */
  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off()
    if (this.timer !== undefined) clearTimeout(this.timer)
    if (this.interval !== undefined) clearInterval(this.interval)
  }

  /** kick schedules a round after delayMs (coalescing with one already scheduled). */
  kick(delayMs: number): void {
    if (this.timer !== undefined) return
    this.timer = setTimeout(() => { this.timer = undefined; void this.round() }, delayMs)
    this.timer.unref()
  }

  /** round runs one reconciliation if this server leads. */
  async round(): Promise<void> {
    if (this.running) { this.again = true; return }
    const { ctx } = this
    if (ctx.server === undefined || ctx.lan === undefined || ctx.server.raft.status().role !== 'leader') return
    this.running = true
    try {
      this.rounds++
      const plan = planReconcile(ctx.lan.members(), this.catalog, ctx.config.datacenter)
      const limit = reconcileDefaults.writeTimeoutMs
      for (const req of plan.registers) { await withTimeout(ctx.rpc.call('Catalog.Register', { req }), limit, 'reconcile register'); this.writes++ }
      for (const req of plan.deregisters) { await withTimeout(ctx.rpc.call('Catalog.Deregister', { req }), limit, 'reconcile deregister'); this.writes++ }
    } catch (error) {
      ctx.log.warn('reconcile round failed', { error: (error as Error).message })
      this.kick(reconcileDefaults.retryMs)
    } finally {
      this.running = false
      if (this.again) { this.again = false; this.kick(0) }
    }
  }
}
