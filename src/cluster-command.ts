/**
 * src/cluster-command.ts: ClusterCommand, the BaseCommand of the commands that drive where
 * nodes run (cluster, chaos): it adds `--runtime docker|process` and builds the runtime of the
 * selected cluster.
 */
import { Flags, type Command } from '@oclif/core'
import { BaseCommand } from './base-command.js'
import { runtimeFor } from './runtime/select.js'
import type { Runtime } from './runtime/types.js'
import type { RuntimeKind } from './cluster/state.js'

/** ClusterCommand adds runtime selection to BaseCommand. */
export abstract class ClusterCommand<T extends typeof Command> extends BaseCommand<T> {
  static override baseFlags = {
    ...BaseCommand.baseFlags,
    runtime: Flags.option({ options: ['docker', 'process'] as const, description: 'Where nodes run (default: Docker when an engine answers, else local processes).', helpGroup: 'CLUSTER' })(),
  }

  /** runtime builds the runtime of the selected cluster. */
  protected async runtime(): Promise<Runtime> {
    const requested = (this.flags as { runtime?: RuntimeKind }).runtime
    return runtimeFor(this.flags.cluster, requested, (line) => this.logToStderr(line))
  }
}
