import { ClusterCommand } from '../../src/cluster-command.js'
import { clusterTable } from '../../src/cluster/up.js'
import { findLeader } from '../../src/cluster/health.js'

/** ClusterStatus shows every node's state and the current leader. */
export default class ClusterStatus extends ClusterCommand<typeof ClusterStatus> {
  static override summary = 'Show the lab cluster\'s nodes, their state and the leader.'
  static override examples = ['<%= config.bin %> cluster status', '<%= config.bin %> cluster status --json']

  async run(): Promise<unknown> {
    const runtime = await this.runtime()
    const statuses = await runtime.status()
    if (statuses.length === 0) this.fail('ZX_ERR_CLUSTER_NOT_FOUND', `cluster ${this.flags.cluster} has no nodes (zx cluster up)`)
    const running = statuses.filter((s) => s.state === 'running' && s.plan.role === 'server').map((s) => s.plan)
    const leader = await findLeader(running, 1_000)
    this.say(`Cluster ${this.flags.cluster} (${runtime.kind})`)
    this.say(clusterTable(statuses, leader?.node))
    if (leader === undefined) this.say('No leader: the servers have no quorum (or none is running).')
    return { runtime: runtime.kind, leader: leader?.node ?? null, nodes: statuses.map((s) => ({ ...s.plan, state: s.state, id: s.id, partitioned: s.partitioned, ...(s.gossipAddress === undefined ? {} : { address: s.gossipAddress }) })) }
  }
}
