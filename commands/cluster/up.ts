import { Flags } from '@oclif/core'
import { ClusterCommand } from '../../src/cluster-command.js'
import { clusterTable, clusterUp, timingLine, uiUrl } from '../../src/cluster/up.js'
import { runtimeFor } from '../../src/runtime/select.js'

/** ClusterUp starts the lab cluster (node1–node3 servers, node4 client by default). */
export default class ClusterUp extends ClusterCommand<typeof ClusterUp> {
  static override summary = 'Start the lab cluster: servers node1…, clients after them, on Docker or as local processes.'
  static override description = 'Idempotent: a second run reports what already runs. Waits until a leader is elected and every member is alive, then prints the nodes and the UI URL. With no Docker engine (or --runtime process) the nodes run as local `zx agent` processes with their files under ~/.zx/clusters/<name>/.'
  static override examples = [
    '<%= config.bin %> cluster up',
    '<%= config.bin %> cluster up --servers 3 --clients 1 --name lab',
    '<%= config.bin %> cluster up --runtime process --base-port 25000',
  ]
  static override flags = {
    servers: Flags.integer({ description: 'Number of servers.', min: 1, max: 9 }),
    clients: Flags.integer({ description: 'Number of clients.', min: 0, max: 9 }),
    'base-port': Flags.integer({ description: 'Use ten ports per node from this port (default: the seed table 8300…11600).', env: 'ZX_BASE_PORT', min: 1024, max: 65000 }),
    timeout: Flags.integer({ description: 'Seconds to wait for a leader and all members.', default: 60, min: 1 }),
    wait: Flags.boolean({ description: 'Wait until the cluster is healthy.', default: true, allowNo: true }),
  }

  async run(): Promise<unknown> {
    const f = this.flags
    const shape = f.servers === undefined && f.clients === undefined && this.argv.length === 0 && process.stdin.isTTY === true && !this.jsonEnabled()
      ? await (await import('../../src/cluster/prompt.js')).askShape()
      : { servers: f.servers ?? 3, clients: f.clients ?? 1 }
    const result = await this.spin('starting the cluster', (update) => clusterUp({
      name: f.cluster, servers: shape.servers, clients: shape.clients, runtime: f.runtime, basePort: f['base-port'],
      timeoutMs: f.timeout * 1000, wait: f.wait,
    }, (line) => this.logToStderr(line), update))
    if (result.note !== undefined) this.say(result.note)
    if (result.report.started.length === 0) this.say(`Cluster ${result.name} already runs (${result.runtime}).`)
    const statuses = await (await runtimeFor(result.name, result.runtime)).status()
    this.say(clusterTable(statuses, result.healthy?.leader.node))
    if (result.healthy !== undefined) this.say(`Leader ${result.healthy.leader.node} elected; all ${result.nodes.length} members alive after ${(result.healthy.elapsedMs / 1000).toFixed(1)} s.`)
    if (result.timings !== undefined) this.say(timingLine(result.timings))
    this.say(`UI: ${uiUrl(result.nodes)}`)
    return { ...result, ui: uiUrl(result.nodes), nodes: statuses.map((s) => ({ ...s.plan, state: s.state })) }
  }
}
