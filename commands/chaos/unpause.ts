import { Args } from '@oclif/core'
import { ClusterCommand } from '../../src/cluster-command.js'

/** ChaosUnpause: Resume a paused node. */
export default class ChaosUnpause extends ClusterCommand<typeof ChaosUnpause> {
  static override summary = 'Resume a paused node.'
  static override examples = ['<%= config.bin %> chaos unpause node2']
  static override args = { node: Args.string({ required: true, description: 'Node name (node1…).' }) }

  async run(): Promise<{ node: string; action: string }> {
    const runtime = await this.runtime()
    await runtime.unpause(this.args.node)
    this.say(`${this.args.node} resumed`)
    return { node: this.args.node, action: 'unpause' }
  }
}
