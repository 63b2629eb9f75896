import { Args } from '@oclif/core'
import { BaseCommand } from '../../src/base-command.js'
import { findServer } from '../../src/members/format.js'

/** RaftRemovePeer removes a server from the raft peer set. */
export default class RaftRemovePeer extends BaseCommand<typeof RaftRemovePeer> {
  static override summary = 'Remove a server from the raft peer set (by node name, ID or ip:port).'
  static override examples = ['<%= config.bin %> raft remove-peer node3', '<%= config.bin %> raft remove-peer 127.0.0.1:10300']
  static override args = { peer: Args.string({ required: true, description: 'Node name, raft ID or address.' }) }

  async run(): Promise<{ removed: string }> {
    const api = await this.api()
    const config = await api.operator.raftConfiguration()
    const server = findServer(config.Servers, this.args.peer)
    if (server === undefined) this.fail('ZX_ERR_NODE_NOT_FOUND', `no raft peer matches ${JSON.stringify(this.args.peer)}`)
    await api.operator.removePeer({ id: server.ID })
    this.say(`Removed peer with id "${server.ID}"`)
    return { removed: server.ID }
  }
}
