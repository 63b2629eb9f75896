import { Args } from '@oclif/core'
import { ClusterCommand } from '../../src/cluster-command.js'

/** ClusterStop stops one node of the lab cluster. */
export default class ClusterStop extends ClusterCommand<typeof ClusterStop> {
  static override summary = 'Stop a node (SIGTERM, SIGKILL after 10 s); --restart=always does not bring it back.'
  static override examples = ['<%= config.bin %> cluster stop node2']
  static override args = { node: Args.string({ required: true, description: 'Node name (node1…).' }) }

  async run(): Promise<{ node: string; action: string }> {
    const runtime = await this.runtime()
    await this.spin('stop ' + this.args.node, () => runtime.stop(this.args.node))
    this.say(`${this.args.node} stopped`)
    return { node: this.args.node, action: 'stop' }
  }
}
