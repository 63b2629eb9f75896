import { Args, Flags } from '@oclif/core'
import { ClusterCommand } from '../../src/cluster-command.js'

/** ClusterLogs prints a node's output, like `docker logs [-f] node2`. */
export default class ClusterLogs extends ClusterCommand<typeof ClusterLogs> {
  static override summary = 'Print a node\'s log; -f keeps following it until Ctrl-C.'
  static override enableJsonFlag = false
  static override examples = ['<%= config.bin %> cluster logs node2', '<%= config.bin %> cluster logs node2 -f --tail 20']
  static override args = { node: Args.string({ required: true, description: 'Node name (node1…).' }) }
  static override flags = {
    follow: Flags.boolean({ char: 'f', description: 'Keep printing new lines.' }),
    tail: Flags.integer({ description: 'Only the last N lines first.', min: 0 }),
  }

  async run(): Promise<void> {
    const runtime = await this.runtime()
    const abort = new AbortController()
    const stop = () => abort.abort()
    process.once('SIGINT', stop)
    try {
      await runtime.logs(this.args.node, { follow: this.flags.follow === true, out: process.stdout, signal: abort.signal, tail: this.flags.tail })
    } finally {
      process.off('SIGINT', stop)
    }
  }
}
