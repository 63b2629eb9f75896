import { Args } from '@oclif/core'
import { ClusterCommand } from '../../src/cluster-command.js'

/** ChaosPause: Freeze a node (docker pause / SIGSTOP): it stops answering but keeps its state. */
export default class ChaosPause extends ClusterCommand<typeof ChaosPause> {
  static override summary = 'Freeze a node (docker pause / SIGSTOP): it stops answering but keeps its state.'
  static override examples = ['<%= config.bin %> chaos pause node2']
  static override args = { node: Args.string({ required: true, description: 'Node name (node1…).' }) }

  async run(): Promise<{ node: string; action: string }> {
    const runtime = await this.runtime()
    await runtime.pause(this.args.node)
    this.say(`${this.args.node} paused`)
    return { node: this.args.node, action: 'pause' }
  }
}
