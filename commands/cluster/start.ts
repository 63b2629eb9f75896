import { Args } from '@oclif/core'
import { ClusterCommand } from '../../src/cluster-command.js'

/** ClusterStart starts one node of the lab cluster. */
export default class ClusterStart extends ClusterCommand<typeof ClusterStart> {
  static override summary = 'Start a stopped (or unpause a paused) node with its data intact.'
  static override examples = ['<%= config.bin %> cluster start node2']
  static override args = { node: Args.string({ required: true, description: 'Node name (node1…).' }) }

  async run(): Promise<{ node: string; action: string }> {
    const runtime = await this.runtime()
    await this.spin('start ' + this.args.node, () => runtime.start(this.args.node))
    this.say(`${this.args.node} started`)
    return { node: this.args.node, action: 'start' }
  }
}
