/**
 * src/cluster/agent-args.ts: the `zx agent` command line of each lab node, one function per
 * runtime. Docker nodes get exactly the seed's flags (`agent -server -bootstrap-expect=3
 * -node=node1 -bind=0.0.0.0 -client=0.0.0.0 -ui`, node2/node3 `-join node1`, the client
 * `-retry-join node1`); the image's entrypoint adds the data and config dirs. Process nodes
 * all share 127.0.0.1, so each gets its own port set and data dir instead.
 */
import type { NodePlan } from './layout.js'

/** dockerAgentArgs is a container's command: the seed's flags. */
export function dockerAgentArgs(node: NodePlan, nodes: NodePlan[]): string[] {
  const servers = nodes.filter((n) => n.role === 'server')
  const first = servers[0]?.name ?? 'node1'
  const args = ['agent']
  if (node.role === 'server') args.push('-server', `-bootstrap-expect=${servers.length}`)
  args.push(`-node=${node.name}`, '-bind=0.0.0.0', '-client=0.0.0.0', '-ui')
  if (node.role === 'server' && node.name !== first) args.push(`-join=${first}`)
  if (node.role === 'client') args.push(`-retry-join=${first}`)
  return args
}

/** labJoinRetryMs is the join retry interval of lab nodes started together (Consul's 30 s would stall `up`). */
export const labJoinRetryMs = 200

/** processAgentArgs is a local process's argv after `zx`: same roles, own ports and dirs. */
export function processAgentArgs(node: NodePlan, nodes: NodePlan[], dataDir: string): string[] {
  const servers = nodes.filter((n) => n.role === 'server')
  const first = servers[0]
  const args = ['agent']
  if (node.role === 'server') args.push('-server', `-bootstrap-expect=${servers.length}`)
  args.push(
    `-node=${node.name}`, '-bind=127.0.0.1', '-client=127.0.0.1', '-ui', `-data-dir=${dataDir}`,
    `-http-port=${node.ports.http}`, `-dns-port=${node.ports.dns}`, `-server-port=${node.ports.server}`,
    `-serf-lan-port=${node.ports.serfLan}`, `-serf-wan-port=${node.ports.serfWan}`,
  )
  if (first !== undefined && node.role === 'server' && node.name !== first.name) args.push(`-join=127.0.0.1:${first.ports.serfLan}`)
  if (first !== undefined && node.role === 'client') args.push(`-retry-join=127.0.0.1:${first.ports.serfLan}`)
  // All nodes start at once, so a join may reach node1 before it listens: retry it quickly.
  if (first !== undefined && node.name !== first.name) args.push(`-retry-interval=${labJoinRetryMs}ms`)
  return args
}
