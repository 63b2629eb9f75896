/**
 * src/verify/control.ts: ClusterControl over a lab runtime (process or docker), so the nemesis
 * works on whatever `zx cluster up` started. The leader is found through the HTTP API of any
 * live server (`/v1/operator/raft/configuration`), each call bounded by a short timeout.
 * Partitions: on Docker each isolated node leaves the network (so isolated nodes are alone);
 * on the process runtime, where host rules are available, exactly the links between the
 * isolated side and the rest are cut, so an isolated majority still forms a quorum.
 */
import { ApiClient } from '../api/client.js'
import type { NodePlan } from '../cluster/layout.js'
import type { Runtime } from '../runtime/types.js'
import type { ClusterControl } from './nemesis.js'

/** runtimeControl adapts a Runtime and its node plan to the nemesis. */
export function runtimeControl(runtime: Runtime, nodes: NodePlan[], options: { hostRules?: boolean } = {}): ClusterControl {
  const servers = nodes.filter((n) => n.role === 'server')
  const partitioned = new Set<string>()
  return {
    servers: () => servers.map((n) => n.name),
    async leader() {
      for (const node of servers) {
        try {
          const api = new ApiClient({ address: `http://127.0.0.1:${node.ports.http}`, timeoutMs: 1_000 })
          const conf = await api.operator.raftConfiguration({ stale: true })
          const leader = conf.Servers.find((s) => s.Leader)
          if (leader) return leader.Node
        } catch {
          // that server is down or cut off: ask the next one
        }
      }
      return undefined
    },
    kill: (node) => runtime.kill(node, 'KILL'),
    start: (node) => runtime.start(node),
    pause: (node) => runtime.pause(node),
    resume: (node) => runtime.unpause(node),
    ...(runtime.kind === 'docker' ? {
      async partition(isolated: string[]) {
        for (const node of isolated) { await runtime.partition(node); partitioned.add(node) }
      },
      async heal() { await runtime.heal(); partitioned.clear() },
    } : {}),
    ...(runtime.kind === 'process' && options.hostRules === true ? {
      async partition(isolated: string[]) {
        const rest = nodes.map((n) => n.name).filter((n) => !isolated.includes(n))
        for (const node of isolated) for (const other of rest) await runtime.partition(node, other)
        for (const node of isolated) partitioned.add(node)
      },
      async heal() { await runtime.heal(); partitioned.clear() },
    } : {}),
  }
}

/** httpEndpoints lists every node's HTTP address on the host. */
export function httpEndpoints(nodes: NodePlan[]): string[] {
  return nodes.map((n) => `http://127.0.0.1:${n.ports.http}`)
}
