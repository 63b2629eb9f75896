/**
 * src/cluster/agent-args.ts: the `zx agent` command line of each lab node, one function per
 * runtime. Docker nodes get exactly the seed's flags (`agent -server -bootstrap-expect=3
 * -node=node1 -bind=0.0.0.0 -client=0.0.0.0 -ui`, node2/node3 `-join node1`, the client
 * `-retry-join node1`); the image's entrypoint adds the data and config dirs. Process nodes
 * share one host, so each gets its own port set and data dir instead, and on Linux its own
 * loopback address for the cluster's traffic (gossip, RPC), like a container's own IP: that is
 * what lets `chaos partition` cut one link with iptables. HTTP and DNS stay on 127.0.0.1.
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

/**
 * processBindAddress is node n's loopback address for the cluster's traffic: on Linux, where
 * all of 127.0.0.0/8 reaches the host, 127.A.B.n with A.B taken from the cluster's name (so two
 * clusters never share addresses and one's partition rules leave the other alone); elsewhere
 * 127.0.0.1, since other loopback addresses would need aliases there.
 */
export function processBindAddress(cluster: string, node: NodePlan, platform: NodeJS.Platform = process.platform): string {
  if (platform !== 'linux' || node.index < 1 || node.index > 254) return '127.0.0.1'
  let h = 0x811c9dc5
  for (const ch of Buffer.from(cluster)) h = Math.imul(h ^ ch, 0x01000193) >>> 0
  return `127.${100 + (h % 100)}.${(h >>> 8) & 0xff}.${node.index}`
}

/** processAgentArgs is a local process's argv after `zx`: same roles, own ports, dirs and (Linux) address. */
export function processAgentArgs(node: NodePlan, nodes: NodePlan[], dataDir: string, bindOf: (n: NodePlan) => string = () => '127.0.0.1'): string[] {
  const servers = nodes.filter((n) => n.role === 'server')
  const first = servers[0]
  const args = ['agent']
  if (node.role === 'server') args.push('-server', `-bootstrap-expect=${servers.length}`)
  args.push(
    `-node=${node.name}`, `-bind=${bindOf(node)}`, '-client=127.0.0.1', '-ui', `-data-dir=${dataDir}`,
    `-http-port=${node.ports.http}`, `-dns-port=${node.ports.dns}`, `-server-port=${node.ports.server}`,
    `-serf-lan-port=${node.ports.serfLan}`, `-serf-wan-port=${node.ports.serfWan}`,
  )
  if (first !== undefined && node.role === 'server' && node.name !== first.name) args.push(`-join=${bindOf(first)}:${first.ports.serfLan}`)
  if (first !== undefined && node.role === 'client') args.push(`-retry-join=${bindOf(first)}:${first.ports.serfLan}`)
  // All nodes start at once, so a join may reach node1 before it listens: retry it quickly.
  if (first !== undefined && node.name !== first.name) args.push(`-retry-interval=${labJoinRetryMs}ms`)
  return args
}
