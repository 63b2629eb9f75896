import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../src/base-command.js'

/** KvDelete removes a key or a prefix, like `consul kv delete`. */
export default class KvDelete extends BaseCommand<typeof KvDelete> {
  static override summary = 'Delete a key (or every key under a prefix) from the cluster KV store.'
  static override description = 'Prefixes are string prefixes, as in Consul: deleting apps/a also deletes apps/ab.'
  static override examples = [
    '<%= config.bin %> kv delete eleven',
    '<%= config.bin %> kv delete --recurse config/',
    '<%= config.bin %> kv delete --cas --modify-index 42 eleven',
  ]
  static override args = { key: Args.string({ description: 'Key (or prefix with --recurse).', default: '' }) }
  static override flags = {
    recurse: Flags.boolean({ description: 'Delete every key starting with KEY.' }),
    cas: Flags.boolean({ description: 'Delete only if ModifyIndex equals --modify-index.' }),
    'modify-index': Flags.integer({ description: 'ModifyIndex for --cas.', min: 1 }),
  }

  async run(): Promise<{ key: string; deleted: boolean }> {
    const key = this.args.key ?? ''
    const f = this.flags
    if (f.cas && f['modify-index'] === undefined) this.fail('ZX_ERR_USAGE', 'Must specify -modify-index with -cas!')
    if (f.cas && f.recurse) this.fail('ZX_ERR_USAGE', 'Cannot specify both -cas and -recurse!')
    if (!f.recurse && key === '') this.fail('ZX_ERR_USAGE', 'Missing KEY argument')
    const api = await this.api()
    const deleted = await api.kv.delete(key, { recurse: f.recurse, cas: f.cas ? f['modify-index'] : undefined })
    if (!deleted) this.fail('ZX_ERR_CAS_FAILED', `Did not delete key ${key}: CAS failed`)
    this.say(f.recurse ? `Success! Deleted keys with prefix: ${key}` : `Success! Deleted key: ${key}`)
    return { key, deleted }
  }
}
