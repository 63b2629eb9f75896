import { Args } from '@oclif/core'
import { BaseCommand } from '../../src/base-command.js'
import { lockStatus, type LockStatus } from '../../src/lock/status.js'
import { columns } from '../../src/format/table.js'

/** LockStatusCommand shows who holds the lock (or semaphore slots) under a prefix. */
export default class LockStatusCommand extends BaseCommand<typeof LockStatusCommand> {
  static override summary = 'Show who holds the lock or the semaphore slots under a prefix.'
  static override examples = ['<%= config.bin %> lock status job-a', '<%= config.bin %> lock status workers --json']
  static override args = { prefix: Args.string({ required: true, description: 'KV prefix of the lock.' }) }

  async run(): Promise<LockStatus> {
    const api = await this.api()
    const status = await lockStatus(api, this.args.prefix.replace(/^\/+/, ''))
    switch (status.kind) {
      case 'none': this.say(`No lock at ${status.key}.`); break
      case 'foreign': this.say(`${status.key} exists but is not a zx/consul lock (its flags do not match).`); break
      case 'lock':
      case 'semaphore':
        this.say(`${status.kind === 'lock' ? 'Lock' : `Semaphore (limit ${status.limit})`} at ${status.key}: ${status.holders.length === 0 ? 'free' : `${status.holders.length} holder(s)`}, LockIndex ${status.lockIndex}`)
        if (status.holders.length > 0) this.say(columns(['Session', 'Node', 'Name'], status.holders.map((h) => [h.session, h.node, h.name])))
        break
    }
    return status
  }
}
