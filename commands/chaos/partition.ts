import { Args, Flags } from '@oclif/core'
import { ClusterCommand } from '../../src/cluster-command.js'

/** ChaosPartition cuts a node off the cluster network. */
export default class ChaosPartition extends ClusterCommand<typeof ChaosPartition> {
  static override summary = 'Cut a node off the cluster, or off one peer with --from.'
  static override description = 'On Docker the node is disconnected from the cluster network; with --from only the link between the two nodes is cut, both directions (iptables DROP rules inside the node\'s network namespace, entered with nsenter; needs root on the Docker host). Local processes share 127.0.0.1, so the process runtime freezes the node with SIGSTOP instead (with or without --from): to its peers that looks like a full partition. zx chaos heal undoes it.'
  static override examples = ['<%= config.bin %> chaos partition node3', '<%= config.bin %> chaos partition node3 --from node1', '<%= config.bin %> chaos heal']
  static override args = { node: Args.string({ required: true, description: 'Node to cut off.' }) }
  static override flags = { from: Flags.string({ description: 'Only from this node (where the runtime can; otherwise from everyone).' }) }

  async run(): Promise<{ node: string; detail: string }> {
    const runtime = await this.runtime()
    const detail = await runtime.partition(this.args.node, this.flags.from)
    this.say(detail)
    return { node: this.args.node, detail }
  }
}
