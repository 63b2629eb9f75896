import { Flags } from '@oclif/core'
import { BaseCommand } from '../src/base-command.js'
import type { AgentMember } from '../src/api/types.js'
import { memberStatus, membersTable } from '../src/members/format.js'

/** Members lists the gossip members, like `consul members`. */
export default class Members extends BaseCommand<typeof Members> {
  static override summary = 'List the cluster members as the agent\'s gossip layer sees them.'
  static override examples = ['<%= config.bin %> members', '<%= config.bin %> members --detailed --node node4', '<%= config.bin %> members --wan']
  static override flags = {
    detailed: Flags.boolean({ description: 'Show every gossip tag.' }),
    wan: Flags.boolean({ description: 'Show the WAN pool (servers only).' }),
    status: Flags.string({ description: 'Only members whose status matches this regular expression.' }),
  }

  async run(): Promise<{ members: AgentMember[] }> {
    const api = await this.api()
    let members = await api.agent.members({ wan: this.flags.wan })
    if (this.flags.status !== undefined) {
      let pattern: RegExp
      try {
        pattern = new RegExp(this.flags.status)
      } catch {
        this.fail('ZX_ERR_USAGE', `invalid --status pattern ${JSON.stringify(this.flags.status)}`)
      }
      members = members.filter((m) => pattern.test(memberStatus(m.Status)))
      if (members.length === 0) this.fail('ZX_ERR_NO_MATCH', `no members match status ${this.flags.status}`)
    }
    this.say(membersTable(members, this.flags.detailed))
    return { members }
  }
}
