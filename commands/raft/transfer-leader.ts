import { Args } from '@oclif/core'
import { BaseCommand } from '../../src/base-command.js'
import { findServer } from '../../src/members/format.js'

/** RaftTransferLeader asks the leader to hand over leadership. */
export default class RaftTransferLeader extends BaseCommand<typeof RaftTransferLeader> {
  static override summary = 'Transfer raft leadership to another server (a random one if none is named).'
  static override examples = ['<%= config.bin %> raft transfer-leader', '<%= config.bin %> raft transfer-leader node2']
  static override args = { peer: Args.string({ description: 'Node name, raft ID or address of the new leader.' }) }

  async run(): Promise<{ target: string | null }> {
    const api = await this.api()
    let id: string | undefined
    if (this.args.peer !== undefined) {
      const config = await api.operator.raftConfiguration()
      const server = findServer(config.Servers, this.args.peer)
      if (server === undefined) this.fail('ZX_ERR_NODE_NOT_FOUND', `no raft peer matches ${JSON.stringify(this.args.peer)}`)
      id = server.ID
    }
    await api.operator.transferLeader(id)
    this.say(id === undefined ? 'Success! Leadership transferred.' : `Success! Leadership transferred to ${this.args.peer}.`)
    return { target: id ?? null }
  }
}
