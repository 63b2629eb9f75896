import Docker from 'dockerode'
import { BaseCommand } from '../../src/base-command.js'
import { demoDown } from '../../src/registrator/demo-app.js'

/** AppDown stops and removes every demo replica. */
export default class AppDown extends BaseCommand<typeof AppDown> {
  static override summary = 'Stop and remove the demo web API replicas.'
  static override examples = ['<%= config.bin %> app down']

  async run(): Promise<{ removed: string[] }> {
    const removed = await demoDown(new Docker(), { log: (line) => this.say(line) })
    if (removed.length === 0) this.say('no demo containers')
    return { removed }
  }
}
