import { BaseCommand } from '../src/base-command.js'

/** Leave makes the agent leave gracefully and shut down, like `consul leave`. */
export default class Leave extends BaseCommand<typeof Leave> {
  static override summary = 'Make the agent leave the cluster gracefully and shut down.'
  static override examples = ['<%= config.bin %> leave --node node4']

  async run(): Promise<{ left: boolean }> {
    const api = await this.api()
    await api.agent.leave()
    this.say('Graceful leave complete')
    return { left: true }
  }
}
