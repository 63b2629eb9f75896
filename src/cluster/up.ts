/**
 * src/cluster/up.ts: `zx cluster up` and the cluster table. Up is idempotent: it records the
 * plan in cluster.json, asks the runtime to start whatever is not running, then waits (bounded)
 * for a leader and for every member to be alive. A second `up` finds everything running and
 * only reports.
 */
import { planNodes, type NodePlan } from './layout.js'
import { readClusterState, writeClusterState, type RuntimeKind } from './state.js'
import { waitHealthy, type Healthy } from './health.js'
import { chooseKind, createRuntime } from '../runtime/select.js'
import { LabError } from '../errors.js'
import { columns } from '../format/table.js'
import type { NodeStatus, UpReport } from '../runtime/types.js'

/** UpOptions are the flags of `cluster up`. */
export interface UpOptions {
  name: string
  servers: number
  clients: number
  runtime: RuntimeKind | undefined
  basePort: number | undefined
  timeoutMs: number
  wait: boolean
}

/** UpResult is what `cluster up` prints (and returns with --json). */
export interface UpResult {
  name: string
  runtime: RuntimeKind
  note: string | undefined
  report: UpReport
  healthy: Healthy | undefined
  /** timings are set when this `up` started nodes and waited for them. */
  timings: UpTimings | undefined
  nodes: NodePlan[]
}

/** UpTimings measure `up` from the first node's start and from the zx process's own start. */
export interface UpTimings {
  spawnToLeaderMs: number
  spawnToHealthyMs: number
  commandToLeaderMs: number
  commandToHealthyMs: number
}

/** clusterUp starts (or finds) the cluster's nodes and waits until it is healthy. */
export async function clusterUp(options: UpOptions, log: (line: string) => void, progress: (text: string) => void): Promise<UpResult> {
  if (options.servers < 1) throw new LabError('ZX_ERR_USAGE', '--servers must be at least 1')
  if (options.clients < 0) throw new LabError('ZX_ERR_USAGE', '--clients must not be negative')
  const existing = await readClusterState(options.name)
  const { kind, note } = existing !== undefined && options.runtime === undefined
    ? { kind: existing.runtime, note: undefined }
    : await chooseKind(options.runtime)
  if (existing !== undefined && existing.runtime !== kind) {
    throw new LabError('ZX_ERR_USAGE', `cluster ${options.name} already runs on ${existing.runtime}; zx cluster down first`)
  }
  // An existing cluster keeps its plan: a second `up` reports what runs instead of reshaping it.
  const nodes = existing !== undefined ? existing.nodes : planNodes(options.servers, options.clients, options.basePort)
  await writeClusterState({ name: options.name, runtime: kind, createdAt: new Date().toISOString(), nodes })
  const runtime = await createRuntime(kind, options.name, log)
  const report = await runtime.up({ name: options.name, nodes }, log)
  const guard = async () => {
    const dead = (await runtime.status()).filter((n) => n.state === 'stopped' || n.state === 'missing').map((n) => n.plan.name)
    if (dead.length > 0) throw new LabError('ZX_ERR_RUNTIME', `${dead.join(', ')} exited while starting; see zx cluster logs ${dead[0]}`)
  }
  const healthy = options.wait ? await waitHealthy(nodes, options.timeoutMs, progress, guard) : undefined
  return { name: options.name, runtime: kind, note, report, healthy, timings: upTimings(report, healthy), nodes }
}

/** upTimings derives the figures; performance.timeOrigin is when this zx process started. */
export function upTimings(report: UpReport, healthy: Healthy | undefined, commandStart = performance.timeOrigin): UpTimings | undefined {
  if (healthy === undefined || report.firstSpawnAt === undefined) return undefined
  return {
    spawnToLeaderMs: healthy.leaderAt - report.firstSpawnAt, spawnToHealthyMs: healthy.healthyAt - report.firstSpawnAt,
    commandToLeaderMs: Math.round(healthy.leaderAt - commandStart), commandToHealthyMs: Math.round(healthy.healthyAt - commandStart),
  }
}

/** timingLine is the one-line summary of UpTimings. */
export function timingLine(t: UpTimings): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
  return `Leader ${s(t.spawnToLeaderMs)} after the first node started (${s(t.commandToLeaderMs)} after zx started); all members alive at ${s(t.spawnToHealthyMs)} (${s(t.commandToHealthyMs)}).`
}

/** clusterTable renders nodes with role, state, addresses; the leader is marked. */
export function clusterTable(statuses: NodeStatus[], leaderNode: string | undefined): string {
  return columns(['Node', 'Role', 'State', 'HTTP', 'DNS', 'Gossip', 'Leader'], statuses.map((s) => [
    s.plan.name, s.plan.role, s.partitioned ? `${s.state} (partitioned)` : s.state,
    `127.0.0.1:${s.plan.ports.http}`, `127.0.0.1:${s.plan.ports.dns}`, `${s.gossipAddress ?? '127.0.0.1'}:${s.plan.ports.serfLan}`,
    s.plan.name === leaderNode ? '*' : '',
  ]))
}

/** uiUrl is the web UI of the first node. */
export function uiUrl(nodes: NodePlan[]): string {
  return `http://127.0.0.1:${nodes[0]?.ports.http ?? 8500}/ui/`
}
