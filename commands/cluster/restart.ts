import { Args } from '@oclif/core'
import { ClusterCommand } from '../../src/cluster-command.js'

/** ClusterRestart restarts one node of the lab cluster. */
export default class ClusterRestart extends ClusterCommand<typeof ClusterRestart> {
  static override summary = 'Stop then start a node.'
  static override examples = ['<%= config.bin %> cluster restart node2']
  static override args = { node: Args.string({ required: true, description: 'Node name (node1…).' }) }

  async run(): Promise<{ node: string; action: string }> {
    const runtime = await this.runtime()
    await this.spin('restart ' + this.args.node, () => runtime.restart(this.args.node))
    this.say(`${this.args.node} restarted`)
    return { node: this.args.node, action: 'restart' }
  }
}
