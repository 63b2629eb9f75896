import { Flags } from '@oclif/core'
import { ClusterCommand } from '../../src/cluster-command.js'
import { killLeader, type KillLeaderResult } from '../../src/chaos/kill-leader.js'

/** ChaosKillLeader kills the leader and measures the re-election. */
export default class ChaosKillLeader extends ClusterCommand<typeof ChaosKillLeader> {
  static override summary = 'Kill the current leader\'s node and measure the re-election and the first successful write.'
  static override description = 'The killed node stays down (zx cluster start <node> brings it back with its data).'
  static override examples = ['<%= config.bin %> chaos kill-leader', '<%= config.bin %> chaos kill-leader --signal TERM --json']
  static override flags = {
    signal: Flags.option({ options: ['KILL', 'TERM'] as const, default: 'KILL' as const, description: 'Signal sent to the leader.' })(),
    timeout: Flags.integer({ description: 'Seconds to wait for a new leader and for a write.', default: 30, min: 1 }),
  }

  async run(): Promise<KillLeaderResult> {
    const runtime = await this.runtime()
    const result = await this.spin('finding the leader', (update) => killLeader(runtime, this.flags.signal, this.flags.timeout * 1000, update))
    this.say(`Old leader:        ${result.oldLeader} (killed with SIG${this.flags.signal})`)
    this.say(`New leader:        ${result.newLeader}${result.newTerm === null ? '' : ` (term ${result.newTerm})`}`)
    this.say(`Re-election:       ${result.electionMs} ms`)
    this.say(`First write after: ${result.firstWriteMs} ms`)
    this.say(`Bring it back with: zx cluster start ${result.oldLeader}`)
    return result
  }
}
