/**
 * agent/leader/session-timers.ts: session TTLs, kept on the leader only, in memory (like
 * Consul). A session with a TTL is invalidated when TTL × 2 passes without a renew; the timer is
 * armed on create, reset on renew, and re-armed for every TTL session when a server becomes
 * leader (so a failover restarts every clock, as in Consul). Expiry proposes a destroy through
 * the injected callback, which keeps time out of the state machine.
 */
import { sessionDefaults } from '../config/defaults.js'
import { parseDurationMs } from '../config/duration.js'

/** SessionTimers arms and fires session TTL timers on the leader. */
export class SessionTimers {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>()
  private active = false

  constructor(private readonly expire: (id: string) => void) {}

  /** start arms timers for every TTL session (on gaining leadership). */
  start(sessions: { id: string; ttl: string }[]): void {
    this.active = true
    for (const session of sessions) this.reset(session.id, session.ttl)
  }

  /** stop clears every timer (on losing leadership or shutdown). */
  stop(): void {
    this.active = false
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
  }

  /** isActive tells whether this server currently runs the timers (it is the leader). */
  isActive(): boolean {
    return this.active
  }

  /** reset (re)arms a session's timer at TTL × 2; sessions without a TTL get none. */
  reset(id: string, ttl: string): void {
    if (!this.active) return
    this.clear(id)
    const ttlMs = ttl === '' ? 0 : parseDurationMs(ttl) ?? 0
    if (ttlMs <= 0) return
    const timer = setTimeout(() => {
      this.timers.delete(id)
      this.expire(id)
    }, ttlMs * sessionDefaults.ttlMultiplier)
    timer.unref?.()
    this.timers.set(id, timer)
  }

  /** clear drops a session's timer (destroyed). */
  clear(id: string): void {
    const timer = this.timers.get(id)
    if (timer !== undefined) clearTimeout(timer)
    this.timers.delete(id)
  }

  /** size is how many timers are armed. */
  size(): number {
    return this.timers.size
  }
}
