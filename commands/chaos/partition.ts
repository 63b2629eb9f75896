import { Args, Flags } from '@oclif/core'
import { ClusterCommand } from '../../src/cluster-command.js'

/** ChaosPartition cuts a node off the cluster network. */
export default class ChaosPartition extends ClusterCommand<typeof ChaosPartition> {
  static override summary = 'Cut a node off the cluster, or off one peer with --from.'
  static override description = 'On Docker the node is disconnected from the cluster network; with --from only the link between the two nodes is cut, both directions (iptables DROP rules inside the node\'s network namespace, entered with nsenter; needs root on the Docker host). On the process runtime every node binds its own loopback address (127.A.B.n, Linux), so host iptables rules drop the traffic between the node and each peer (or only --from), both directions; HTTP and DNS on 127.0.0.1 stay reachable. Without root or iptables (or off Linux) the node is frozen with SIGSTOP instead, which its peers see as a full partition. zx chaos heal undoes it.'
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
