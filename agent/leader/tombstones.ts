/**
 * agent/leader/tombstones.ts: KV tombstone reaping on the leader. Deleted keys leave their
 * delete index behind so a prefix's blocking index never goes backwards; Consul forgets them
 * after TombstoneTTL (15 min). The leader samples (time, commit index) and, at most once per
 * granularity period, proposes a reap of every tombstone at or below the commit index it had
 * one TTL ago. Apply only compares indexes, so it stays deterministic.
 */
import { leaderDefaults } from '../config/defaults.js'
import type { AgentContext } from '../endpoints/context.js'
import { propose } from '../endpoints/blocking.js'
import { MessageType } from '../state/commands.js'

/** TombstoneReaper decides when to propose a tombstone reap. */
export class TombstoneReaper {
  private readonly samples: [atMs: number, index: number][] = []
  private lastReapMs = 0

  /** pass samples the commit index and proposes a reap when one is due. */
  async pass(ctx: AgentContext): Promise<void> {
    const server = ctx.server!
    const now = ctx.now()
    const status = server.raft.status()
    const last = this.samples.at(-1)
    if (last === undefined || now - last[0] >= leaderDefaults.tombstoneGranularityMs) this.samples.push([now, status.commitIndex])
    let horizon = 0
    while (this.samples.length > 0 && now - this.samples[0]![0] >= leaderDefaults.tombstoneTtlMs) horizon = this.samples.shift()![1]
    if (horizon === 0 || now - this.lastReapMs < leaderDefaults.tombstoneGranularityMs) return
    let due = false
    for (const at of server.store.kv.tombstones.values()) if (at <= horizon) { due = true; break }
    if (!due) return
    this.lastReapMs = now
    await propose(ctx, MessageType.Kv, { op: 'reap-tombstones', key: '', index: horizon })
    ctx.log.debug('reaped KV tombstones', { horizon })
  }
}
