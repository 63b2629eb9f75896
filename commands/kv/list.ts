import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../src/base-command.js'

/** KvList lists key names under a prefix, like `consul kv get -keys`. */
export default class KvList extends BaseCommand<typeof KvList> {
  static override summary = 'List key names under a prefix.'
  static override examples = ['<%= config.bin %> kv list', '<%= config.bin %> kv list config/ --separator ""']
  static override args = { prefix: Args.string({ description: 'Prefix to list.', default: '' }) }
  static override flags = {
    separator: Flags.string({ description: 'Fold names at this separator ("" lists every key).', default: '/' }),
  }

  async run(): Promise<{ keys: string[] }> {
    const api = await this.api()
    const keys = (await api.kv.keys(this.args.prefix ?? '', this.flags.separator === '' ? undefined : this.flags.separator)).value
    if (keys.length > 0) this.say(keys.join('\n'))
    return { keys }
  }
}
