/**
 * src/runtime/fake.ts: FakeRuntime, an in-memory Runtime for unit tests of the cluster and chaos
 * commands. It records every call in `calls`, so a test can assert what a command did, and
 * keeps node states so status reflects earlier calls.
 */
import type { Writable } from 'node:stream'
import { LabError } from '../errors.js'
import type { NodePlan } from '../cluster/layout.js'
import type { ClusterSpec, NodeState, NodeStatus, Runtime, StopSignal, UpReport } from './types.js'

/** FakeRuntime keeps nodes in a map and logs every call. */
export class FakeRuntime implements Runtime {
  readonly kind = 'process' as const
  readonly calls: string[] = []
  readonly nodes = new Map<string, { plan: NodePlan; state: NodeState; partitioned: boolean }>()
  logText = ''

  async up(spec: ClusterSpec, log: (line: string) => void): Promise<UpReport> {
    this.calls.push(`up ${spec.name} ${spec.nodes.length}`)
    const report: UpReport = { started: [], alreadyRunning: [] }
    for (const plan of spec.nodes) {
      const node = this.nodes.get(plan.name)
      if (node?.state === 'running') { report.alreadyRunning.push(plan.name); continue }
      this.nodes.set(plan.name, { plan, state: 'running', partitioned: false })
      log(`started ${plan.name}`)
      report.started.push(plan.name)
    }
    return report
  }

  async down(options: { volumes: boolean }): Promise<string[]> {
    this.calls.push(`down volumes=${options.volumes}`)
    const removed = [...this.nodes.keys()]
    this.nodes.clear()
    return removed
  }

  async status(): Promise<NodeStatus[]> {
    return [...this.nodes.values()].map((n) => ({ plan: n.plan, state: n.state, id: `fake-${n.plan.name}`, partitioned: n.partitioned }))
  }

  async start(node: string): Promise<void> { this.set(node, 'start', 'running') }
  async stop(node: string, signal: StopSignal = 'TERM'): Promise<void> { this.set(node, `stop ${signal}`, 'stopped') }
  async restart(node: string): Promise<void> { this.set(node, 'restart', 'running') }
  async kill(node: string, signal: StopSignal): Promise<void> { this.set(node, `kill ${signal}`, 'stopped') }
  async pause(node: string): Promise<void> { this.set(node, 'pause', 'paused') }
  async unpause(node: string): Promise<void> { this.set(node, 'unpause', 'running') }

  async partition(node: string, from?: string): Promise<string> {
    this.get(node).partitioned = true
    this.calls.push(`partition ${node}${from === undefined ? '' : ` from ${from}`}`)
    return `${node} partitioned`
  }

  async heal(): Promise<string[]> {
    this.calls.push('heal')
    const healed = [...this.nodes.values()].filter((n) => n.partitioned).map((n) => n.plan.name)
    for (const n of this.nodes.values()) n.partitioned = false
    return healed
  }

  async logs(node: string, options: { follow: boolean; out: Writable }): Promise<void> {
    this.get(node)
    this.calls.push(`logs ${node} follow=${options.follow}`)
    options.out.write(this.logText)
  }

  private get(node: string): { plan: NodePlan; state: NodeState; partitioned: boolean } {
    const entry = this.nodes.get(node)
    if (entry === undefined) throw new LabError('ZX_ERR_NODE_NOT_FOUND', `no node ${node} in this cluster`)
    return entry
  }

  private set(node: string, call: string, state: NodeState): void {
    this.get(node).state = state
    this.calls.push(`${call} ${node}`)
  }
}
