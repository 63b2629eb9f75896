/**
 * agent/state/catalog-read.ts: the read side of the catalog tables. Every read returns the
 * index a blocking query should compare against together with the rows in Consul's JSON shape
 * (ServiceNode for /v1/catalog/service, {Node, Service, Checks} for /v1/health/service).
 * Rows come out sorted by node then ID, so answers are stable across servers.
 */
import type { TableIndexes } from './indexes.js'
import type { HealthStatus } from '../checks/definition.js'
import type { CheckRecord, NodeRecord, ServiceRecord } from './catalog-types.js'

/** Indexed is a read result with the index to block on (never below 1). */
export interface Indexed<T> { index: number; value: T }

/** ServiceNode is one row of /v1/catalog/service/<name>. */
export interface ServiceNode {
  ID: string
  Node: string
  Address: string
  Datacenter: string
  TaggedAddresses: Record<string, string>
  NodeMeta: Record<string, string>
  ServiceKind: string
  ServiceID: string
  ServiceName: string
  ServiceTags: string[]
  ServiceAddress: string
  ServiceTaggedAddresses: Record<string, { Address: string; Port: number }>
  ServiceWeights: { Passing: number; Warning: number }
  ServiceMeta: Record<string, string>
  ServicePort: number
  ServiceEnableTagOverride: boolean
  ServiceProxy: Record<string, unknown>
  ServiceConnect: Record<string, unknown>
  CreateIndex: number
  ModifyIndex: number
}

/** HealthServiceEntry is one row of /v1/health/service/<name>. */
export interface HealthServiceEntry {
  Node: NodeRecord
  Service: ServiceRecord
  Checks: CheckRecord[]
}

/** NodeServices is /v1/catalog/node-services/<node> (Services as a list). */
export interface NodeServices { Node: NodeRecord; Services: ServiceRecord[] }

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** hasTags tells whether an instance carries every wanted tag (case-insensitive, as Consul). */
export function hasTags(tags: readonly string[], wanted: readonly string[]): boolean {
  return wanted.every((want) => tags.some((tag) => tag.toLowerCase() === want.toLowerCase()))
}

/** aggregateStatus is the worst status among checks (no checks → passing). */
export function aggregateStatus(checks: readonly { Status: HealthStatus }[]): HealthStatus {
  let worst: HealthStatus = 'passing'
  for (const check of checks) {
    if (check.Status === 'critical') return 'critical'
    if (check.Status === 'warning') worst = 'warning'
  }
  return worst
}

/** CatalogReads holds the catalog maps and answers every read; CatalogTables adds the writes. */
export class CatalogReads {
  protected readonly nodes = new Map<string, NodeRecord>()
  protected readonly services = new Map<string, Map<string, ServiceRecord>>()
  protected readonly checks = new Map<string, Map<string, CheckRecord>>()
  /** byService maps a service name to the (node, service ID) pairs of its instances. */
  private readonly byService = new Map<string, Map<string, { node: string; id: string }>>()

  constructor(protected readonly indexes: TableIndexes) {}

  protected clear(): void {
    this.nodes.clear(); this.services.clear(); this.checks.clear(); this.byService.clear()
  }

  protected indexService(node: string, name: string, id: string): void {
    let instances = this.byService.get(name)
    if (instances === undefined) { instances = new Map(); this.byService.set(name, instances) }
    instances.set(`${node}\u0000${id}`, { node, id })
  }

  protected unindexService(node: string, service: ServiceRecord): void {
    const instances = this.byService.get(service.Service)
    instances?.delete(`${node}\u0000${service.ID}`)
    if (instances?.size === 0) this.byService.delete(service.Service)
  }

  private at(...tables: string[]): number {
    return Math.max(1, this.indexes.max(...tables))
  }

  /** serviceIndex is the index a watch on one service compares (the services table if unknown). */
  serviceIndex(name: string): number {
    const own = this.indexes.get(`service:${name}`)
    return Math.max(1, own > 0 ? own : this.indexes.get('services'))
  }

  /** getNode returns one node record. */
  getNode(name: string): NodeRecord | undefined { return this.nodes.get(name) }

  /** listNodes returns every node, sorted by name. */
  listNodes(): Indexed<NodeRecord[]> {
    return { index: this.at('nodes'), value: [...this.nodes.values()].sort((a, b) => byName(a.Node, b.Node)) }
  }

  /** nodeByAddress finds the node with an address (PTR lookups). */
  nodeByAddress(address: string): NodeRecord | undefined {
    for (const node of this.nodes.values()) if (node.Address === address) return node
    return undefined
  }

  /** listServices maps each service name to the union of its instances' tags. */
  listServices(nodeFilter?: (node: NodeRecord) => boolean): Indexed<Record<string, string[]>> {
    const out: Record<string, string[]> = {}
    for (const name of [...this.byService.keys()].sort(byName)) {
      const tags = new Set<string>()
      let any = false
      for (const { node, service } of this.instances(name)) {
        if (nodeFilter !== undefined && !nodeFilter(node)) continue
        any = true
        for (const tag of service.Tags) tags.add(tag)
      }
      if (any) out[name] = [...tags].sort(byName)
    }
    return { index: this.at('services'), value: out }
  }

  /** instanceCount is how many instances a service name has (0 if unknown), without sorting. */
  instanceCount(name: string): number { return this.byService.get(name)?.size ?? 0 }

  /** serviceNames lists the registered service names. */
  serviceNames(): string[] { return [...this.byService.keys()].sort(byName) }

  /** instances lists a service's instances with their nodes, sorted by node then ID. */
  instances(name: string): Array<{ node: NodeRecord; service: ServiceRecord }> {
    const out: Array<{ node: NodeRecord; service: ServiceRecord }> = []
    for (const { node, id } of this.byService.get(name)?.values() ?? []) {
      const nodeRecord = this.nodes.get(node)
      const service = this.services.get(node)?.get(id)
      if (nodeRecord !== undefined && service !== undefined) out.push({ node: nodeRecord, service })
    }
    return out.sort((a, b) => byName(a.node.Node, b.node.Node) || byName(a.service.ID, b.service.ID))
  }

  /** serviceNodes is /v1/catalog/service/<name>: every instance, no health filtering. */
  serviceNodes(name: string, tags: readonly string[] = []): Indexed<ServiceNode[]> {
    const value = this.instances(name)
      .filter(({ service }) => hasTags(service.Tags, tags))
      .map(({ node, service }) => toServiceNode(node, service))
    return { index: this.serviceIndex(name), value }
  }

  /** nodeServices is /v1/catalog/node-services/<node>; undefined value for an unknown node. */
  nodeServices(name: string): Indexed<NodeServices | undefined> {
    const node = this.nodes.get(name)
    const index = this.at('nodes', 'services')
    if (node === undefined) return { index, value: undefined }
    const services = [...this.services.get(name)?.values() ?? []].sort((a, b) => byName(a.ID, b.ID))
    return { index, value: { Node: node, Services: services } }
  }

  /** nodeChecks is /v1/health/node/<node>. */
  nodeChecks(name: string): Indexed<CheckRecord[]> {
    const value = [...this.checks.get(name)?.values() ?? []].sort((a, b) => byName(a.CheckID, b.CheckID))
    return { index: this.at('checks'), value }
  }

  /** serviceChecks is /v1/health/checks/<service>. */
  serviceChecks(name: string): Indexed<CheckRecord[]> {
    const value: CheckRecord[] = []
    for (const { node, service } of this.instances(name)) {
      for (const check of this.checks.get(node.Node)?.values() ?? []) if (check.ServiceID === service.ID) value.push(check)
    }
    return { index: this.serviceIndex(name), value }
  }

  /** checksInState is /v1/health/state/<state> ('any' for all). */
  checksInState(state: HealthStatus | 'any'): Indexed<CheckRecord[]> {
    const value: CheckRecord[] = []
    for (const node of [...this.checks.keys()].sort(byName)) {
      for (const check of [...this.checks.get(node)!.values()].sort((a, b) => byName(a.CheckID, b.CheckID))) {
        if (state === 'any' || check.Status === state) value.push(check)
      }
    }
    return { index: this.at('checks'), value }
  }

  /** healthOf returns the node checks plus the instance's own checks. */
  healthOf(node: string, serviceId: string): CheckRecord[] {
    const out: CheckRecord[] = []
    for (const check of this.checks.get(node)?.values() ?? []) {
      if (check.ServiceID === '' || check.ServiceID === serviceId) out.push(check)
    }
    return out.sort((a, b) => byName(a.ServiceID, b.ServiceID) || byName(a.CheckID, b.CheckID))
  }

  /** checkServiceNodes is /v1/health/service/<name> (`passingOnly`: every check passing). */
  checkServiceNodes(name: string, tags: readonly string[] = [], passingOnly = false): Indexed<HealthServiceEntry[]> {
    const value: HealthServiceEntry[] = []
    for (const { node, service } of this.instances(name)) {
      if (!hasTags(service.Tags, tags)) continue
      const checks = this.healthOf(node.Node, service.ID)
      if (passingOnly && checks.some((check) => check.Status !== 'passing')) continue
      value.push({ Node: node, Service: service, Checks: checks })
    }
    return { index: this.serviceIndex(name), value }
  }
}

/** toServiceNode flattens a node and an instance into Consul's ServiceNode row. */
export function toServiceNode(node: NodeRecord, service: ServiceRecord): ServiceNode {
  return {
    ID: node.ID,
    Node: node.Node,
    Address: node.Address,
    Datacenter: node.Datacenter,
    TaggedAddresses: node.TaggedAddresses,
    NodeMeta: node.Meta,
    ServiceKind: service.Kind,
    ServiceID: service.ID,
    ServiceName: service.Service,
    ServiceTags: service.Tags,
    ServiceAddress: service.Address,
    ServiceTaggedAddresses: service.TaggedAddresses,
    ServiceWeights: service.Weights,
    ServiceMeta: service.Meta,
    ServicePort: service.Port,
    ServiceEnableTagOverride: service.EnableTagOverride,
    ServiceProxy: {},
    ServiceConnect: {},
    CreateIndex: service.CreateIndex,
    ModifyIndex: service.ModifyIndex,
  }
}
