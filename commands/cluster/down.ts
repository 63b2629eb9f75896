import { Flags } from '@oclif/core'
import { ClusterCommand } from '../../src/cluster-command.js'
import { removeClusterState } from '../../src/cluster/state.js'

/** ClusterDown removes the lab cluster's nodes (and with --volumes their data). */
export default class ClusterDown extends ClusterCommand<typeof ClusterDown> {
  static override summary = 'Stop and remove every node of the lab cluster.'
  static override examples = ['<%= config.bin %> cluster down', '<%= config.bin %> cluster down --volumes']
  static override flags = { volumes: Flags.boolean({ description: 'Also delete the nodes\' data (named volumes or data dirs).' }) }

  async run(): Promise<{ removed: string[] }> {
    const runtime = await this.runtime()
    const removed = await this.spin('removing nodes', () => runtime.down({ volumes: this.flags.volumes }))
    await removeClusterState(this.flags.cluster, this.flags.volumes)
    this.say(removed.length === 0 ? `Cluster ${this.flags.cluster} has no nodes.` : `Removed ${removed.join(', ')}${this.flags.volumes ? ' and their data' : ''}.`)
    return { removed }
  }
}
