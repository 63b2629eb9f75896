/**
 * agent/dns/backend.ts: where DNS answers come from. A server answers from its own state
 * (stale reads, as Consul's DNS does by default) through LocalDnsBackend, which caches each
 * service's healthy instance list (and each tag's subset) until that service's catalog index
 * moves, so a hot name costs a map lookup and returns the same list object each time. A client agent has no state; CachedDnsBackend wraps whatever fetches from the
 * servers (RPC or HTTP) and keeps answers briefly (cacheMs), Consul's agent-cache idea.
 */
import type { Clock } from '../checks/clock.js'
import type { DnsConfig } from '../config/dns.js'
import type { CatalogReads } from '../state/catalog-read.js'
import { hasTags } from '../state/catalog-read.js'
import { dnsConfigDefaults } from '../config/defaults.js'
import { RemoteDnsBackend, type DnsReadQuery, type RemoteCall } from './remote.js'

/** Awaitable is a value or a promise of it (local reads answer synchronously). */
export type Awaitable<T> = T | Promise<T>

/** DnsNode is a node as DNS answers about it. */
export interface DnsNode { name: string; address: string; meta: Record<string, string> }

/** DnsInstance is one healthy service instance as DNS answers about it. */
export interface DnsInstance {
  node: string
  nodeAddress: string
  /** address is the service address, or the node address when the service has none. */
  address: string
  port: number
  /** weight is Weights.Passing or Weights.Warning by the instance's health. */
  weight: number
  tags: string[]
}

/** DnsBackend answers the three questions DNS asks. Instances exclude critical ones. */
export interface DnsBackend {
  node(name: string): Awaitable<DnsNode | undefined>
  nodeByAddress(address: string): Awaitable<DnsNode | undefined>
  serviceInstances(service: string, tag: string | undefined): Awaitable<DnsInstance[]>
}

/** LocalDnsBackend reads a server's catalog directly (stale reads). */
export class LocalDnsBackend implements DnsBackend {
  private readonly cache = new Map<string, { index: number; instances: DnsInstance[]; tagged: Map<string, DnsInstance[]> }>()

  /** onlyPassing drops warning instances too (Consul's dns_config.only_passing). */
  constructor(private readonly catalog: CatalogReads, private readonly onlyPassing = false) {}

  private readonly nodes = new WeakMap<object, DnsNode>()

  /** node answers about a node; the same DnsNode object comes back while its catalog record is unchanged. */
  node(name: string): DnsNode | undefined {
    const node = this.catalog.getNode(name) ?? this.caseInsensitiveNode(name)
    if (node === undefined) return undefined
    let out = this.nodes.get(node)
    if (out === undefined) {
      out = { name: node.Node, address: node.Address, meta: node.Meta }
      this.nodes.set(node, out)
    }
    return out
  }

  private caseInsensitiveNode(name: string) {
    return this.catalog.listNodes().value.find((node) => node.Node.toLowerCase() === name)
  }

  nodeByAddress(address: string): DnsNode | undefined {
    const node = this.catalog.nodeByAddress(address)
    return node === undefined ? undefined : { name: node.Node, address: node.Address, meta: node.Meta }
  }

  serviceInstances(service: string, tag: string | undefined): DnsInstance[] {
    const name = this.resolveName(service)
    const index = this.catalog.serviceIndex(name)
    let cached = this.cache.get(name)
    if (cached === undefined || cached.index !== index) {
      cached = { index, instances: this.healthy(name), tagged: new Map() }
      this.cache.set(name, cached)
      if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!)
    }
    if (tag === undefined) return cached.instances
    // The same list object is returned until the index moves, so DNS can key its encoded answers on it.
    let tagged = cached.tagged.get(tag)
    if (tagged === undefined) {
      tagged = cached.instances.filter((instance) => hasTags(instance.tags, [tag]))
      if (cached.tagged.size >= 256) cached.tagged.clear()
      cached.tagged.set(tag, tagged)
    }
    return tagged
  }

  /** resolveName maps a lower-cased DNS label back to the registered service name. */
  private resolveName(service: string): string {
    if (this.catalog.instanceCount(service) > 0) return service
    return this.catalog.serviceNames().find((name) => name.toLowerCase() === service) ?? service
  }

  private healthy(name: string): DnsInstance[] {
    const out: DnsInstance[] = []
    for (const { node, service } of this.catalog.instances(name)) {
      const checks = this.catalog.healthOf(node.Node, service.ID)
      if (checks.some((check) => check.Status === 'critical')) continue
      const warning = checks.some((check) => check.Status === 'warning')
      if (warning && this.onlyPassing) continue
      out.push({
        node: node.Node,
        nodeAddress: node.Address,
        address: service.Address || node.Address,
        port: service.Port,
        weight: warning ? service.Weights.Warning : service.Weights.Passing,
        tags: service.Tags,
      })
    }
    return out
  }
}

/** CachedDnsBackend keeps a remote backend's answers for `cacheMs` (client agents). */
export class CachedDnsBackend implements DnsBackend {
  private readonly cache = new Map<string, { atMs: number; value: Promise<unknown> }>()

  constructor(private readonly remote: DnsBackend, private readonly clock: Pick<Clock, 'nowMs'>, private readonly cacheMs = 1000, private readonly entriesMax = 10_000) {}

  private cached<T>(key: string, load: () => Awaitable<T>): Promise<T> {
    const now = this.clock.nowMs()
    const hit = this.cache.get(key)
    if (hit !== undefined && now - hit.atMs < this.cacheMs) return hit.value as Promise<T>
    const value = Promise.resolve().then(load)
    // A failed fetch is not cached: the next query tries again.
    value.catch(() => { if (this.cache.get(key)?.value === value) this.cache.delete(key) })
    this.cache.set(key, { atMs: now, value })
    if (this.cache.size > this.entriesMax) this.cache.delete(this.cache.keys().next().value!)
    return value
  }

  node(name: string): Promise<DnsNode | undefined> { return this.cached(`n:${name}`, () => this.remote.node(name)) }
  nodeByAddress(address: string): Promise<DnsNode | undefined> { return this.cached(`a:${address}`, () => this.remote.nodeByAddress(address)) }
  serviceInstances(service: string, tag: string | undefined): Promise<DnsInstance[]> {
    return this.cached(`s:${service}:${tag ?? ''}`, () => this.remote.serviceInstances(service, tag))
  }
}

/** DnsBackendDeps are what createDnsBackend chooses from. */
export interface DnsBackendDeps {
  config: DnsConfig
  /** catalog is this server's own state; undefined on a client agent. */
  catalog: CatalogReads | undefined
  /** call reaches a server RPC method (the agent's RPC router). */
  call: RemoteCall
  clock: Pick<Clock, 'nowMs'>
}

/**
 * createDnsBackend picks where DNS answers come from, as Consul does with dns_config: a server
 * with allow_stale (and the default, unbounded max_stale) reads its own state; otherwise, and on
 * every client, questions go to the servers by RPC with stale reads bounded by max_stale, or to
 * the leader when allow_stale is false. Client answers are cached for a second (agent-cache
 * style) only when stale reads are allowed; a consistent DNS read is never served from cache.
 */
export function createDnsBackend(deps: DnsBackendDeps): DnsBackend {
  const { config } = deps
  const unboundedStale = config.maxStaleMs >= dnsConfigDefaults.maxStaleMs
  if (deps.catalog !== undefined && config.allowStale && unboundedStale) return new LocalDnsBackend(deps.catalog, config.onlyPassing)
  const query: DnsReadQuery = config.allowStale
    ? { minIndex: 0, waitMs: 0, mode: 'stale', ...(unboundedStale ? {} : { maxStaleMs: config.maxStaleMs }) }
    : { minIndex: 0, waitMs: 0, mode: 'leader' }
  const remote = new RemoteDnsBackend(deps.call, config.onlyPassing, query)
  return config.allowStale ? new CachedDnsBackend(remote, deps.clock) : remote
}
