/**
 * agent/leader/reconcile.ts: the leader turns LAN gossip membership into catalog state, as
 * Consul's leader does: an alive (or suspect) member is a registered node whose `serfHealth`
 * check passes ("Agent alive and reachable"), and a server also carries the `consul` service on
 * its RPC port; a failed member keeps its node with `serfHealth` critical ("Agent not live or
 * unreachable"); a member that left or was reaped is deregistered, and so is a catalog node that
 * has a serfHealth check but no gossip member any more. `planReconcile` is pure: it compares
 * members with the catalog and lists only the writes that change something, so a quiet
 * cluster costs no Raft traffic. The driver runs it on member events, on winning an election
 * and periodically.
 */
import type { Member } from '../gossip/api.js'
import type { CheckRecord, DeregisterRequest, NodeRecord, RegisterRequest, ServiceRecord } from '../state/catalog-types.js'

/** serfCheck describes the serfHealth check Consul registers on every node. */
export const serfCheck = {
  id: 'serfHealth',
  name: 'Serf Health Status',
  alive: 'Agent alive and reachable',
  failed: 'Agent not live or unreachable',
} as const

/** consulService is the service every server carries (Consul: ID and name "consul", port 8300). */
export const consulService = { id: 'consul', name: 'consul', defaultPort: 8300 } as const

/** ReconcileCatalogView is what the plan needs to read from the catalog. */
export interface ReconcileCatalogView {
  getNode(name: string): NodeRecord | undefined
  listNodes(): { value: NodeRecord[] }
  healthOf(node: string, serviceId: string): CheckRecord[]
  nodeServices(name: string): { value: { Services: ServiceRecord[] } | undefined }
}

/** ReconcilePlan lists the catalog writes the leader should propose. */
export interface ReconcilePlan {
  registers: RegisterRequest[]
  deregisters: DeregisterRequest[]
}

/** nodeTaggedAddresses is the TaggedAddresses every node is registered with (agent and leader agree). */
export function nodeTaggedAddresses(address: string): Record<string, string> {
  return { lan: address, lan_ipv4: address, wan: address, wan_ipv4: address }
}

/** defaultNodeMeta is the NodeMeta every node is registered with (Consul's network segment key). */
export function defaultNodeMeta(): Record<string, string> {
  return { 'consul-network-segment': '' }
}

/** planReconcile compares gossip members with the catalog (pure). */
export function planReconcile(members: readonly Member[], catalog: ReconcileCatalogView, datacenter: string): ReconcilePlan {
  const plan: ReconcilePlan = { registers: [], deregisters: [] }
  const known = new Set<string>()
  for (const member of members) {
    known.add(member.name)
    if (member.tags.dc !== undefined && member.tags.dc !== datacenter) continue
    switch (member.status) {
      case 'alive':
      case 'suspect': planMember(plan, member, catalog, datacenter, 'passing'); break
      case 'failed': planMember(plan, member, catalog, datacenter, 'critical'); break
      case 'left': if (catalog.getNode(member.name) !== undefined) plan.deregisters.push({ Node: member.name }); break
      case 'leaving': break
      default: { const never: never = member.status; throw new Error(`unknown member status ${String(never)}`) }
    }
  }
  // Nodes the leader once registered (they have serfHealth) but gossip no longer knows: reaped.
  for (const node of catalog.listNodes().value) {
    if (known.has(node.Node)) continue
    if (catalog.healthOf(node.Node, '').some((check) => check.CheckID === serfCheck.id)) plan.deregisters.push({ Node: node.Node })
  }
  return plan
}

function planMember(plan: ReconcilePlan, member: Member, catalog: ReconcileCatalogView, datacenter: string, status: 'passing' | 'critical'): void {
  const node = catalog.getNode(member.name)
  const output = status === 'passing' ? serfCheck.alive : serfCheck.failed
  const serf = catalog.healthOf(member.name, '').find((check) => check.CheckID === serfCheck.id)
  const isServer = member.tags.role === 'consul'
  const port = Number(member.tags.port) > 0 ? Number(member.tags.port) : consulService.defaultPort
  const consul = catalog.nodeServices(member.name).value?.Services.find((service) => service.ID === consulService.id)
  const nodeOk = node !== undefined && node.Address === member.addr && (member.tags.id === undefined || node.ID === member.tags.id)
  const serfOk = serf !== undefined && serf.Status === status && serf.Output === output && serf.Name === serfCheck.name
  const consulOk = !isServer || (consul !== undefined && consul.Port === port)
  if (nodeOk && serfOk && consulOk) return
  plan.registers.push({
    Node: member.name,
    ID: member.tags.id ?? node?.ID ?? '',
    Address: member.addr,
    Datacenter: datacenter,
    TaggedAddresses: nodeOk ? node.TaggedAddresses : nodeTaggedAddresses(member.addr),
    NodeMeta: nodeOk ? node.Meta : defaultNodeMeta(),
    // An existing, correct node record is left exactly as its agent registered it.
    SkipNodeUpdate: nodeOk,
    Service: isServer && !consulOk
      ? { ID: consulService.id, Service: consulService.name, Tags: [], Address: '', TaggedAddresses: {}, Meta: {}, Port: port, Weights: { Passing: 1, Warning: 1 }, EnableTagOverride: false, Kind: '' }
      : undefined,
    Checks: [{ CheckID: serfCheck.id, Name: serfCheck.name, Status: status, Notes: '', Output: output, ServiceID: '', Type: '', Definition: {} }],
  })
}
