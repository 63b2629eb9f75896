import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../src/base-command.js'
import { pairJson, renderPairs, type PairJson } from '../../src/kv/format.js'

/** KvGet reads a key or a prefix, like `consul kv get`. */
export default class KvGet extends BaseCommand<typeof KvGet> {
  static override summary = 'Read a key (or every key under a prefix) from the cluster KV store.'
  static override examples = [
    '<%= config.bin %> kv get eleven',
    '<%= config.bin %> kv get eleven --node node4 --detailed',
    '<%= config.bin %> kv get --recurse config/',
  ]
  static override args = { key: Args.string({ description: 'Key (or prefix with --recurse).', default: '' }) }
  static override flags = {
    recurse: Flags.boolean({ description: 'Read every key starting with KEY, printed as key:value.' }),
    detailed: Flags.boolean({ description: 'Print indexes, flags, lock session and value.' }),
    base64: Flags.boolean({ description: 'Print values base64-encoded.' }),
    keys: Flags.boolean({ description: 'List key names only (folders end with the separator).' }),
    separator: Flags.string({ description: 'Fold key names at this separator with --keys.', default: '/' }),
    stale: Flags.boolean({ description: 'Let any server answer (works without a leader).' }),
    consistent: Flags.boolean({ description: 'Confirm leadership with a quorum before reading.' }),
  }

  async run(): Promise<{ pairs: PairJson[] } | { keys: string[] }> {
    const key = this.args.key ?? ''
    const f = this.flags
    const api = await this.api()
    const read = { stale: f.stale, consistent: f.consistent }
    if (f.keys) {
      const keys = (await api.kv.keys(key, f.separator === '' ? undefined : f.separator, read)).value
      if (keys.length > 0) this.say(keys.join('\n'))
      return { keys }
    }
    if (!f.recurse && key === '') this.fail('ZX_ERR_USAGE', 'Missing KEY argument')
    const pairs = f.recurse ? (await api.kv.list(key, read)).value : [(await api.kv.get(key, read)).value].filter((p) => p !== undefined)
    if (pairs.length === 0 && !f.recurse) this.fail('ZX_ERR_KEY_NOT_FOUND', `No key exists at: ${key}`)
    if (pairs.length > 0) this.say(renderPairs(pairs, { recurse: f.recurse, detailed: f.detailed, base64: f.base64 }))
    return { pairs: pairs.map((p) => pairJson(p, f.base64)) }
  }
}
