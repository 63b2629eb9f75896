import { BaseCommand } from '../src/base-command.js'

/** Ui prints the web UI's URL of the selected node. */
export default class Ui extends BaseCommand<typeof Ui> {
  static override summary = 'Print the URL of the web UI.'
  static override examples = ['<%= config.bin %> ui', '<%= config.bin %> ui --node node2']

  async run(): Promise<{ url: string }> {
    const api = await this.api()
    const url = `${api.address}/ui/`
    this.say(url)
    return { url }
  }
}
