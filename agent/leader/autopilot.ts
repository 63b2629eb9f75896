/**
 * agent/leader/autopilot.ts: the leader's server-membership reconciliation, one pass per call.
 * A server seen alive in LAN gossip but absent from the Raft configuration is added as a learner
 * and promoted to voter once its log has caught up; a server that left gracefully is removed at
 * once; a failed (or vanished) server is removed after a grace period. No removal is made that
 * would leave fewer alive voters than a quorum of the remaining configuration.
 */
import type { Logger } from '../agent-log.js'
import { leaderDefaults } from '../config/defaults.js'
import type { GossipPool } from '../gossip/api.js'
import type { RaftApi } from '../raft/api.js'
import { isAlive, quorum, serverMembers } from './servers.js'

/** Autopilot keeps the Raft configuration in line with the servers in gossip. */
export class Autopilot {
  /** failedSince remembers when each configured server was first seen not alive. */
  private readonly failedSince = new Map<string, number>()

  constructor(
    private readonly raft: RaftApi,
    private readonly lan: GossipPool,
    private readonly dc: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** reconcile runs one pass (leader only); membership errors are logged, never thrown. */
  async reconcile(): Promise<void> {
    const status = this.raft.status()
    if (status.role !== 'leader') return
    const members = new Map(serverMembers(this.lan, this.dc).map((m) => [m.id, m]))
    const configured = new Map(status.configuration.map((s) => [s.id, s]))
    for (const member of members.values()) {
      if (!isAlive(member.status)) continue
      const server = configured.get(member.id)
      try {
        if (server === undefined) {
          this.log.info('adding server as non-voter', { server: member.name, address: member.address })
          await this.raft.addNonVoter({ id: member.id, address: member.address })
        } else if (!server.voter && this.caughtUp(member.id)) {
          this.log.info('promoting server to voter', { server: member.name })
          await this.raft.addVoter({ id: member.id, address: member.address })
        }
      } catch (error) {
        this.log.warn('failed to add server', { server: member.name, error: (error as Error).message })
      }
    }
    await this.removeDead(members, status.configuration, status.id)
  }

  private caughtUp(id: string): boolean {
    const status = this.raft.status()
    const match = status.matchIndex[id] ?? 0
    return status.commitIndex - match <= leaderDefaults.learnerCatchUpEntries
  }

  private async removeDead(members: Map<string, ReturnType<typeof serverMembers>[number]>, configuration: { id: string; voter: boolean }[], selfId: string): Promise<void> {
    const now = this.now()
    const aliveVoters = configuration.filter((s) => s.voter && (s.id === selfId || isAlive(members.get(s.id)?.status ?? 'failed'))).length
    let voters = configuration.filter((s) => s.voter).length
    const alive = aliveVoters // removing a dead voter leaves the alive count unchanged
    for (const server of configuration) {
      if (server.id === selfId) continue
      const member = members.get(server.id)
      if (member !== undefined && isAlive(member.status)) { this.failedSince.delete(server.id); continue }
      const left = member?.status === 'left'
      const since = this.failedSince.get(server.id) ?? now
      this.failedSince.set(server.id, since)
      if (!left && now - since < leaderDefaults.deadServerGraceMs) continue
      const remainingVoters = voters - (server.voter ? 1 : 0)
      if (server.voter && alive < quorum(remainingVoters)) continue
      try {
        this.log.info(left ? 'removing server that left' : 'removing dead server', { id: server.id })
        await this.raft.removeServer(server.id)
        this.failedSince.delete(server.id)
        if (server.voter) voters--
      } catch (error) {
        this.log.warn('failed to remove server', { id: server.id, error: (error as Error).message })
      }
    }
  }
}
