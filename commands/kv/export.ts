import { Args } from '@oclif/core'
import { BaseCommand } from '../../src/base-command.js'
import { exportEntries, renderExport } from '../../src/kv/transfer.js'

/** KvExport prints keys under a prefix as Consul's export JSON. */
export default class KvExport extends BaseCommand<typeof KvExport> {
  static override summary = 'Export keys under a prefix as JSON ([{"key","flags","value"}], base64 values).'
  static override enableJsonFlag = false
  static override examples = ['<%= config.bin %> kv export > backup.json', '<%= config.bin %> kv export config/ --node node2']
  static override args = { prefix: Args.string({ description: 'Prefix to export.', default: '' }) }

  async run(): Promise<void> {
    const api = await this.api()
    const pairs = (await api.kv.list(this.args.prefix ?? '')).value
    this.log(renderExport(exportEntries(pairs)))
  }
}
