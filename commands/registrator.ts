import { hostname } from 'node:os'
import { Args, Flags } from '@oclif/core'
import Docker from 'dockerode'
import { BaseCommand } from '../src/base-command.js'
import { runRegistrator } from '../src/registrator/run.js'

/** RegistratorCommand registers the published ports of Docker containers with the agent, like gliderlabs/registrator. */
export default class RegistratorCommand extends BaseCommand<typeof RegistratorCommand> {
  static override summary = 'Watch Docker events and register containers\' published ports as Consul services.'
  static override description = 'Behaves like gliderlabs/registrator with the consul backend: one service per published port, named after the image, ID <hostname>:<container>:<port>[:udp], SERVICE_* env/labels for names, tags, checks and meta.'
  static override examples = [
    '<%= config.bin %> registrator',
    '<%= config.bin %> registrator --ip 127.0.0.1 --resync 30 --cleanup consul://127.0.0.1:8500',
    '<%= config.bin %> registrator --deregister on-success --retry-attempts -1 --node node4',
  ]
  static override args = {
    uri: Args.string({ description: 'Agent address: consul://host:port (default: --node/--http-addr, else node1).' }),
  }
  static override flags = {
    ip: Flags.string({ description: 'IP to register services with (default: the published host IP, or this host\'s address for 0.0.0.0 bindings).' }),
    internal: Flags.boolean({ description: 'Register the container IP and exposed ports instead of host IP and published ports.' }),
    explicit: Flags.boolean({ description: 'Only register containers that set SERVICE_NAME.' }),
    tags: Flags.string({ description: 'Comma-separated tags added to every service.' }),
    resync: Flags.integer({ description: 'Re-register every running container every N seconds (0 = never).', default: 0, min: 0 }),
    cleanup: Flags.boolean({ description: 'On sync, remove services this registrator registered whose container is gone.' }),
    deregister: Flags.string({ description: 'When a container dies: always deregister, or only on a clean exit.', options: ['always', 'on-success'], default: 'always' }),
    ttl: Flags.integer({ description: 'Give services without a check a TTL check of N seconds.', default: 0, min: 0 }),
    'ttl-refresh': Flags.integer({ description: 'Mark TTL checks passing every N seconds (needs --ttl > N).', default: 0, min: 0 }),
    'retry-attempts': Flags.integer({ description: 'Agent pings at start before giving up (-1 = forever).', default: 0, min: -1 }),
    'retry-interval': Flags.integer({ description: 'Milliseconds between agent retries.', default: 2000, min: 10 }),
    hostname: Flags.string({ description: 'Hostname used in service IDs.', default: hostname() }),
  }

  async run(): Promise<void> {
    const flags = this.flags
    const ttl = flags.ttl
    const refresh = flags['ttl-refresh']
    if ((ttl > 0) !== (refresh > 0)) this.fail('ZX_ERR_USAGE', '--ttl and --ttl-refresh go together')
    if (ttl > 0 && refresh >= ttl) this.fail('ZX_ERR_USAGE', '--ttl must be greater than --ttl-refresh')
    const agentUri = this.args.uri ?? await this.httpAddress()
    await runRegistrator({
      docker: new Docker(), agentUri, log: (line) => this.log(`${new Date().toISOString()} ${line}`),
      options: {
        hostname: flags.hostname, ip: flags.ip, internal: flags.internal, explicit: flags.explicit,
        tags: flags.tags, resyncSeconds: flags.resync, cleanup: flags.cleanup,
        deregister: flags.deregister as 'always' | 'on-success', ttlSeconds: ttl, ttlRefreshSeconds: refresh,
        retryAttempts: flags['retry-attempts'], retryIntervalMs: flags['retry-interval'],
      },
    })
  }

  private async httpAddress(): Promise<string> {
    const { resolveHttpAddress } = await import('../src/cluster/address.js')
    return resolveHttpAddress({ node: this.flags.node, httpAddr: this.flags['http-addr'], cluster: this.flags.cluster })
  }
}
