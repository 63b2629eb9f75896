import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../src/base-command.js'

/** Join asks the agent to join other agents, like `consul join`. */
export default class Join extends BaseCommand<typeof Join> {
  static override summary = 'Tell the agent to join other agents\' gossip pool.'
  static override examples = ['<%= config.bin %> join 172.18.0.2', '<%= config.bin %> join --node node4 127.0.0.1:8301']
  static override strict = false
  static override args = { address: Args.string({ required: true, description: 'Gossip address(es) to join.' }) }
  static override flags = { wan: Flags.boolean({ description: 'Join the WAN pool (servers only).' }) }

  async run(): Promise<{ joined: number }> {
    const targets = this.restArgs.length > 0 ? this.restArgs : [this.args.address]
    const api = await this.api()
    let joined = 0
    const failures: string[] = []
    for (const address of targets) {
      try {
        await api.agent.join(address, { wan: this.flags.wan })
        joined++
      } catch (error) {
        failures.push(`${address}: ${(error as Error).message}`)
      }
    }
    if (joined === 0) this.fail('ZX_ERR_API', `Error joining address: ${failures.join('; ')}`)
    this.say(`Successfully joined cluster by contacting ${joined} nodes.`)
    return { joined }
  }
}
