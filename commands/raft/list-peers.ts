import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/base-command.js'
import type { RaftServer } from '../../src/api/types.js'
import { peersTable } from '../../src/members/format.js'

/** RaftListPeers shows the raft peer set, like `consul operator raft list-peers`. */
export default class RaftListPeers extends BaseCommand<typeof RaftListPeers> {
  static override summary = 'Show the raft peer set: which servers vote and which one leads.'
  static override examples = ['<%= config.bin %> raft list-peers', '<%= config.bin %> raft list-peers --stale --node node2']
  static override flags = { stale: Flags.boolean({ description: 'Read from any server (works without a leader).' }) }

  async run(): Promise<{ servers: RaftServer[]; index: number }> {
    const api = await this.api()
    const config = await api.operator.raftConfiguration({ stale: this.flags.stale })
    this.say(peersTable(config.Servers))
    return { servers: config.Servers, index: config.Index }
  }
}
