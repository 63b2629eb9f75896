import { Args, Flags } from '@oclif/core'
import { ClusterCommand } from '../../src/cluster-command.js'

/** ChaosKill: Kill a node (SIGKILL by default); it stays down until zx cluster start. */
export default class ChaosKill extends ClusterCommand<typeof ChaosKill> {
  static override summary = 'Kill a node (SIGKILL by default); it stays down until zx cluster start.'
  static override examples = ['<%= config.bin %> chaos kill node2']
  static override args = { node: Args.string({ required: true, description: 'Node name (node1…).' }) }
  static override flags = { signal: Flags.option({ options: ['KILL', 'TERM'] as const, default: 'KILL' as const, description: 'Signal to send.' })() }

  async run(): Promise<{ node: string; action: string }> {
    const runtime = await this.runtime()
    await runtime.kill(this.args.node, this.flags.signal)
    this.say(`${this.args.node} killed`)
    return { node: this.args.node, action: 'kill' }
  }
}
