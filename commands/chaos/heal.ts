import { ClusterCommand } from '../../src/cluster-command.js'

/** ChaosHeal undoes every partition. */
export default class ChaosHeal extends ClusterCommand<typeof ChaosHeal> {
  static override summary = 'Reconnect every partitioned node.'
  static override examples = ['<%= config.bin %> chaos heal']

  async run(): Promise<{ healed: string[] }> {
    const runtime = await this.runtime()
    const healed = await runtime.heal()
    this.say(healed.length === 0 ? 'No partitioned nodes.' : `Healed ${healed.join(', ')}.`)
    return { healed }
  }
}
