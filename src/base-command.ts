/**
 * src/base-command.ts: BaseCommand, the shape every lab kit command shares. It owns the flags
 * that pick an agent (`--node nodeN`, `--http-addr` / ZX_HTTP_ADDR, `--cluster`), `--json`,
 * the API client, spinners (ora, on stderr and only on a TTY), and the mapping from a
 * LabError to its message and exit code. Commands stay thin: parse → call src/ → print.
 */
import { Command, Flags, type Interfaces } from '@oclif/core'
import { ApiClient } from './api/client.js'
import { resolveHttpAddress } from './cluster/address.js'
import { isLabError, LabError } from './errors.js'

/** BaseFlags are the parsed flags of a command plus the shared ones. */
export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['baseFlags'] & T['flags']>
/** BaseArgs are the parsed args of a command. */
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/** BaseCommand is the parent of every lab kit command except `zx agent`. */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true
  static override baseFlags = {
    node: Flags.string({ description: 'Talk to this lab node (node1…node4) instead of --http-addr.', helpGroup: 'AGENT' }),
    'http-addr': Flags.string({ description: 'Agent HTTP address, like CONSUL_HTTP_ADDR.', env: 'ZX_HTTP_ADDR', helpGroup: 'AGENT' }),
    cluster: Flags.string({ description: 'Lab cluster name.', aliases: ['name'], env: 'ZX_CLUSTER', default: 'zx', helpGroup: 'AGENT' }),
    token: Flags.string({ description: 'ACL token sent as X-Consul-Token.', env: 'ZX_HTTP_TOKEN', helpGroup: 'AGENT' }),
  }

  protected flags!: BaseFlags<T>
  protected args!: BaseArgs<T>
  /** restArgs are the positional arguments in order (all of them when strict is off). */
  protected restArgs: string[] = []
  private client: ApiClient | undefined

  override async init(): Promise<void> {
    await super.init()
    const ctor = this.constructor as typeof BaseCommand
    const { args, flags, argv } = await this.parse({
      flags: ctor.flags, baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: ctor.enableJsonFlag, args: ctor.args, strict: ctor.strict,
    })
    this.flags = flags as BaseFlags<T>
    this.args = args as BaseArgs<T>
    this.restArgs = argv.map(String)
  }

  /** api returns the client of the agent the flags select. */
  protected async api(): Promise<ApiClient> {
    if (this.client !== undefined) return this.client
    const address = await resolveHttpAddress({
      node: this.flags.node, httpAddr: this.flags['http-addr'], cluster: this.flags.cluster,
    })
    this.client = new ApiClient({ address, token: this.flags.token })
    return this.client
  }

  /** apiFor returns a client of a named node of the same cluster. */
  protected async apiFor(node: string): Promise<ApiClient> {
    const address = await resolveHttpAddress({ node, cluster: this.flags.cluster })
    return new ApiClient({ address, token: this.flags.token })
  }

  /** spin runs work under a spinner on stderr (only on a TTY, never with --json). */
  protected async spin<R>(text: string, work: (update: (text: string) => void) => Promise<R>): Promise<R> {
    if (this.jsonEnabled() || process.stderr.isTTY !== true) return work(() => {})
    const { default: ora } = await import('ora')  // loaded on demand: keeps `zx kv get` start-up short
    const spinner = ora({ text, stream: process.stderr }).start()
    try {
      const result = await work((next) => { spinner.text = next })
      spinner.succeed()
      return result
    } catch (error) {
      spinner.fail()
      throw error
    }
  }

  /** say prints a line unless --json is on. */
  protected say(line: string): void {
    if (!this.jsonEnabled()) this.log(line)
  }

  /** fail raises a LabError, which catch() turns into a message and an exit code. */
  protected fail(code: LabError['code'], message: string, exitCode?: number): never {
    throw new LabError(code, message, exitCode === undefined ? {} : { exitCode })
  }

  /** toSuccessJson keeps bigints exact: safe ones become numbers, larger ones decimal strings. */
  protected override toSuccessJson(result: unknown): unknown {
    return JSON.parse(JSON.stringify(result ?? {}, (_key, v: unknown) => (typeof v === 'bigint' ? bigintToJson(v) : v)))
  }

  protected override async catch(error: Interfaces.CommandError): Promise<unknown> {
    if (!isLabError(error)) return super.catch(error)
    if (this.jsonEnabled()) {
      this.logJson({ error: { code: error.code, message: error.message, ...(error.details ?? {}) } })
    } else {
      this.logToStderr(`Error! ${error.message}`)
    }
    return this.exit(error.exitCode)
  }
}

/** bigintToJson renders a bigint as a JSON number when that is exact, else as a decimal string. */
export function bigintToJson(value: bigint): number | string {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString()
}
