/**
 * src/cluster/layout.ts: where each lab node listens. The seed lab maps node n's container
 * ports to host ports container + 1000·(n−1) (node1 8300–8600, node4 11300–11600). Tests and
 * side-by-side clusters use a compact layout instead: node n gets ports base + 10·(n−1) + k, so
 * four nodes fit in 40 ports of a test's own range (`--base-port`).
 */

/** containerPorts are the agent's ports inside a container: Consul's defaults. */
export const containerPorts = {
  server: 8300, serfLan: 8301, serfWan: 8302, legacy: 8400, http: 8500, dns: 8600,
} as const

/** PortSet is one node's host-side ports. */
export interface PortSet {
  server: number
  serfLan: number
  serfWan: number
  legacy: number
  http: number
  dns: number
}

/** NodeRole is what a lab node runs as. */
export type NodeRole = 'server' | 'client'

/** NodePlan is one node of a lab cluster: its name, role, host ports and agent flags. */
export interface NodePlan {
  name: string
  index: number
  role: NodeRole
  ports: PortSet
}

/** seedPorts gives node n (1-based) the seed's host ports: container + 1000·(n−1). */
export function seedPorts(n: number): PortSet {
  const shift = 1000 * (n - 1)
  return {
    server: containerPorts.server + shift, serfLan: containerPorts.serfLan + shift, serfWan: containerPorts.serfWan + shift,
    legacy: containerPorts.legacy + shift, http: containerPorts.http + shift, dns: containerPorts.dns + shift,
  }
}

/** compactPorts gives node n (1-based) ten consecutive ports from base + 10·(n−1). */
export function compactPorts(base: number, n: number): PortSet {
  const first = base + 10 * (n - 1)
  return { server: first, serfLan: first + 1, serfWan: first + 2, legacy: first + 3, http: first + 4, dns: first + 5 }
}

/** planNodes lays out `servers` servers then `clients` clients as node1…nodeN. */
export function planNodes(servers: number, clients: number, basePort?: number): NodePlan[] {
  const nodes: NodePlan[] = []
  for (let i = 1; i <= servers + clients; i++) {
    nodes.push({
      name: `node${i}`, index: i, role: i <= servers ? 'server' : 'client',
      ports: basePort === undefined ? seedPorts(i) : compactPorts(basePort, i),
    })
  }
  return nodes
}

/** nodeIndex reads n out of `nodeN`; undefined for other names. */
export function nodeIndex(name: string): number | undefined {
  const match = /^node(\d+)$/.exec(name)
  if (match === null) return undefined
  const n = Number(match[1])
  return n >= 1 ? n : undefined
}
