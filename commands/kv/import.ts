import { Args } from '@oclif/core'
import { BaseCommand } from '../../src/base-command.js'
import { importEntries, parseExport, readData } from '../../src/kv/transfer.js'

/** KvImport writes keys from Consul's export JSON. */
export default class KvImport extends BaseCommand<typeof KvImport> {
  static override summary = 'Import keys from export JSON (text, @file or - for stdin).'
  static override examples = ['<%= config.bin %> kv import @backup.json', 'cat backup.json | <%= config.bin %> kv import -']
  static override args = { data: Args.string({ description: 'Export JSON: text, @file or -.', default: '-' }) }

  async run(): Promise<{ imported: number }> {
    const entries = parseExport((await readData(this.args.data)).toString('utf8'))
    const api = await this.api()
    const imported = await importEntries(api.kv, entries)
    for (const entry of entries) this.say(`Imported: ${entry.key}`)
    return { imported }
  }
}
