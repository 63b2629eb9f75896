/**
 * agent/leader/leader.ts: what a server does while it is the Raft leader. On gaining leadership it
 * arms every session TTL timer and starts a reconcile loop (autopilot plus every registered
 * leader hook, e.g. the catalog's gossip → serfHealth reconcile); on losing it, it stops both.
 */
import { leaderDefaults } from '../config/defaults.js'
import type { AgentContext } from '../endpoints/context.js'
import { Autopilot } from './autopilot.js'
import { TombstoneReaper } from './tombstones.js'

/** LeaderHook runs once per reconcile pass on the leader. */
export type LeaderHook = (ctx: AgentContext) => Promise<void>

/** leaderHooks are extra leader reconcile steps; append one line per area. */
export const leaderHooks: LeaderHook[] = []

/** LeaderLoop follows this server's Raft role and runs the leader duties. */
export class LeaderLoop {
  private timer: ReturnType<typeof setInterval> | undefined
  private unsubscribe: (() => void) | undefined
  private running = false
  private readonly autopilot: Autopilot | undefined
  private readonly reaper = new TombstoneReaper()

  constructor(private readonly ctx: AgentContext, private readonly hooks: readonly LeaderHook[] = leaderHooks) {
    const server = ctx.server!
    this.autopilot = ctx.lan === undefined ? undefined : new Autopilot(server.raft, ctx.lan, ctx.config.datacenter, ctx.log.named('autopilot'), ctx.now)
  }

  /** start follows role changes (and checks the current role once). */
  start(): void {
    const raft = this.ctx.server!.raft
    this.unsubscribe = raft.onEvent((event) => { if (event.type === 'role' || event.type === 'leader') this.check() })
    this.timer = setInterval(() => { this.check(); void this.pass() }, leaderDefaults.reconcileIntervalMs)
    this.timer.unref?.()
    this.check()
  }

  /** stop ends the loop and the leader duties. */
  stop(): void {
    this.unsubscribe?.()
    if (this.timer !== undefined) clearInterval(this.timer)
    this.ctx.server!.sessionTimers.stop()
  }

  private check(): void {
    const server = this.ctx.server!
    const leader = server.raft.status().role === 'leader'
    if (leader && !server.sessionTimers.isActive()) {
      this.ctx.log.info('cluster leadership acquired')
      server.sessionTimers.start(server.store.sessions.list())
      void this.pass()
    } else if (!leader && server.sessionTimers.isActive()) {
      this.ctx.log.info('cluster leadership lost')
      server.sessionTimers.stop()
    }
  }

  private async pass(): Promise<void> {
    if (this.running || this.ctx.server!.raft.status().role !== 'leader') return
    this.running = true
    try {
      await this.autopilot?.reconcile()
      await this.reaper.pass(this.ctx).catch((error: Error) => this.ctx.log.debug('tombstone reap failed', { error: error.message }))
      for (const hook of this.hooks) {
        try { await hook(this.ctx) } catch (error) { this.ctx.log.warn('leader hook failed', { error: (error as Error).message }) }
      }
    } finally {
      this.running = false
    }
  }
}
