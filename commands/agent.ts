import { Command } from '@oclif/core'
import { runAgent } from '../agent/main.js'

/**
 * Agent runs a zx agent. Its flags are Consul's and take one dash or two (`-server`,
 * `--node=node1`), so parsing is left to agent/config rather than oclif.
 */
export default class Agent extends Command {
  static override summary = 'Run a Consul-compatible agent (server or client).'
  static override description = 'Flags follow consul agent: -server, -bootstrap-expect=N, -node, -data-dir, -bind, -advertise, -client, -join, -retry-join, -encrypt, -ui, -config-file, -config-dir, …'
  static override examples = [
    '<%= config.bin %> agent -server -bootstrap-expect=3 -node=node1 -data-dir /tmp/zx/node1 -client 0.0.0.0 -ui',
    '<%= config.bin %> agent -node=node4 -retry-join 127.0.0.1:8301 -data-dir /tmp/zx/node4',
  ]
  static override strict = false

  async run(): Promise<void> {
    const code = await runAgent(this.argv)
    if (code !== 0) this.exit(code)
  }
}
