import { hostname } from 'node:os'
import { Args, Flags } from '@oclif/core'
import Docker from 'dockerode'
import { BaseCommand } from '../src/base-command.js'
import { validateTtl } from '../src/registrator/argv.js'
import { buildRegistratorImage, registratorImageTag, runRegistratorContainer } from '../src/registrator/image.js'
import { runRegistrator, type RegistratorOptions } from '../src/registrator/run.js'

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
    container: Flags.boolean({ description: 'Run detached as the zx-registrator container (--net=host, Docker socket mounted), like the seed ran gliderlabs/registrator.' }),
    build: Flags.boolean({ description: 'With --container: rebuild the zx-registrator image first (it is built when missing).' }),
  }

  async run(): Promise<{ container?: string } | void> {
    const flags = this.flags
    const options: RegistratorOptions = {
      hostname: flags.hostname, ip: flags.ip, internal: flags.internal, explicit: flags.explicit,
      tags: flags.tags, resyncSeconds: flags.resync, cleanup: flags.cleanup,
      deregister: flags.deregister as 'always' | 'on-success', ttlSeconds: flags.ttl, ttlRefreshSeconds: flags['ttl-refresh'],
      retryAttempts: flags['retry-attempts'], retryIntervalMs: flags['retry-interval'],
    }
    validateTtl(options)
    const agentUri = this.args.uri ?? await this.httpAddress()
    const docker = new Docker()
    if (flags.container) {
      const exists = await docker.getImage(registratorImageTag).inspect().then(() => true, () => false)
      if (flags.build || !exists) await this.spin('building the registrator image', () => buildRegistratorImage(docker, { log: (line) => this.say(line) }))
      const id = await runRegistratorContainer(docker, [...containerArgv(options), agentUri])
      this.say(`zx-registrator running (${id.slice(0, 12)}); follow it with: docker logs -f zx-registrator`)
      return { container: id }
    }
    await runRegistrator({ docker, agentUri, options, log: (line) => this.log(`${new Date().toISOString()} ${line}`) })
  }

  private async httpAddress(): Promise<string> {
    const { resolveHttpAddress } = await import('../src/cluster/address.js')
    return resolveHttpAddress({ node: this.flags.node, httpAddr: this.flags['http-addr'], cluster: this.flags.cluster })
  }
}

/** containerArgv turns the parsed options back into the container entry point's flags. */
function containerArgv(options: RegistratorOptions): string[] {
  const argv: string[] = []
  if (options.ip !== undefined) argv.push('-ip', options.ip)
  if (options.internal) argv.push('-internal')
  if (options.explicit) argv.push('-explicit')
  if (options.cleanup) argv.push('-cleanup')
  if (options.tags !== undefined) argv.push('-tags', options.tags)
  argv.push('-deregister', options.deregister ?? 'always')
  argv.push('-resync', String(options.resyncSeconds ?? 0), '-ttl', String(options.ttlSeconds ?? 0), '-ttl-refresh', String(options.ttlRefreshSeconds ?? 0))
  argv.push('-retry-attempts', String(options.retryAttempts ?? 0), '-retry-interval', String(options.retryIntervalMs ?? 2000))
  argv.push('-hostname', options.hostname)
  return argv
}
