import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../src/base-command.js'
import { parseFlags, readData } from '../../src/kv/transfer.js'

/** KvPut writes a key, like `consul kv put`. */
export default class KvPut extends BaseCommand<typeof KvPut> {
  static override summary = 'Write a key in the cluster KV store.'
  static override description = 'DATA is literal text, @file to read a file, or - for stdin. With --cas the write only happens if the key\'s ModifyIndex equals --modify-index (0 = only if absent).'
  static override examples = [
    '<%= config.bin %> kv put eleven 11',
    '<%= config.bin %> kv put --node node4 config/db @db.json',
    '<%= config.bin %> kv put --cas --modify-index 42 eleven 12',
  ]
  static override args = {
    key: Args.string({ required: true, description: 'Key to write.' }),
    data: Args.string({ description: 'Value: text, @file or -.' }),
  }
  static override flags = {
    cas: Flags.boolean({ description: 'Check-and-set: write only if ModifyIndex equals --modify-index.' }),
    'modify-index': Flags.integer({ description: 'ModifyIndex for --cas.', min: 0 }),
    flags: Flags.string({ description: 'Opaque unsigned 64-bit integer stored with the key.' }),
    base64: Flags.boolean({ description: 'DATA is base64-encoded.' }),
    acquire: Flags.boolean({ description: 'Acquire the key as a lock with --session.' }),
    release: Flags.boolean({ description: 'Release the lock held by --session.' }),
    session: Flags.string({ description: 'Session ID for --acquire / --release.' }),
  }

  async run(): Promise<{ key: string; written: boolean }> {
    const { key, data } = this.args
    const f = this.flags
    if (f.cas && f['modify-index'] === undefined) this.fail('ZX_ERR_USAGE', 'Must specify -modify-index with -cas!')
    if ((f.acquire || f.release) && f.session === undefined) this.fail('ZX_ERR_USAGE', 'Must specify -session with -acquire or -release!')
    if ([f.cas, f.acquire, f.release].filter(Boolean).length > 1) this.fail('ZX_ERR_USAGE', 'Conflicting flags: -cas, -acquire and -release are exclusive')
    let value = await readData(data)
    if (f.base64) value = Buffer.from(value.toString('utf8'), 'base64')
    const api = await this.api()
    const written = await api.kv.put(key, value, {
      flags: parseFlags(f.flags), cas: f.cas ? f['modify-index'] : undefined,
      acquire: f.acquire ? f.session : undefined, release: f.release ? f.session : undefined,
    })
    if (f.acquire) {
      if (!written) this.fail('ZX_ERR_CAS_FAILED', `Did not acquire lock on: ${key}`)
      this.say(`Success! Lock acquired on: ${key}`)
    } else if (f.release) {
      if (!written) this.fail('ZX_ERR_CAS_FAILED', `Did not release lock on: ${key}`)
      this.say(`Success! Lock released on: ${key}`)
    } else {
      if (!written) this.fail('ZX_ERR_CAS_FAILED', `Did not write to ${key}: CAS failed`)
      this.say(`Success! Data written to: ${key}`)
    }
    return { key, written }
  }
}
