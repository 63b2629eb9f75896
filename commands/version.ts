import { Command } from '@oclif/core'
import { buildInfo } from '../agent/version.js'

/** Version prints the zx version, like `consul version`. */
export default class Version extends Command {
  static override summary = 'Print the zx version.'
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version --json']
  static override enableJsonFlag = true

  async run(): Promise<{ version: string; protocol: number; raftProtocol: number }> {
    const info = buildInfo()
    this.log(`zx v${info.version}`)
    this.log(`Protocol ${info.protocol} spoken by default, understands 2 to 3 (agent will automatically use protocol >2 when speaking to compatible agents)`)
    return { version: info.version, protocol: info.protocol, raftProtocol: info.raftProtocol }
  }
}
