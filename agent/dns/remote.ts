/**
 * agent/dns/remote.ts: the DnsBackend of a client agent: it asks the servers with stale reads
 * (Consul's DNS default) through a `call(method, args)` function (the agent's RPC router). Wrap
 * it in CachedDnsBackend so a burst of queries costs one round trip per name per second.
 */
import type { HealthServiceEntry, NodeServices } from '../state/catalog-read.js'
import type { NodeRecord } from '../state/catalog-types.js'
import type { DnsBackend, DnsInstance, DnsNode } from './backend.js'

/** RemoteCall reaches a server RPC method and returns its ReadReply. */
export type RemoteCall = (method: string, args: object) => Promise<{ value: unknown }>

/** DnsReadQuery is the read mode of DNS questions: stale by default (Consul's dns_config.allow_stale). */
export type DnsReadQuery = { minIndex: 0; waitMs: 0; mode: 'stale' | 'leader'; maxStaleMs?: number }

const stale: DnsReadQuery = { minIndex: 0, waitMs: 0, mode: 'stale' }

/** RemoteDnsBackend answers DNS questions from the servers' catalog. */
export class RemoteDnsBackend implements DnsBackend {
  constructor(private readonly call: RemoteCall, private readonly onlyPassing = false, private readonly query: DnsReadQuery = stale) {}

  async node(name: string): Promise<DnsNode | undefined> {
    const reply = await this.call('Catalog.NodeServices', { node: name, query: this.query })
    const found = reply.value as NodeServices | undefined
    return found === undefined || found === null ? undefined : { name: found.Node.Node, address: found.Node.Address, meta: found.Node.Meta }
  }

  async nodeByAddress(address: string): Promise<DnsNode | undefined> {
    const reply = await this.call('Catalog.ListNodes', { query: this.query })
    const node = (reply.value as NodeRecord[]).find((candidate) => candidate.Address === address)
    return node === undefined ? undefined : { name: node.Node, address: node.Address, meta: node.Meta }
  }

  async serviceInstances(service: string, tag: string | undefined): Promise<DnsInstance[]> {
    const reply = await this.call('Health.ServiceNodes', { service, tags: tag === undefined ? [] : [tag], passing: false, query: this.query })
    const out: DnsInstance[] = []
    for (const entry of reply.value as HealthServiceEntry[]) {
      if (entry.Checks.some((check) => check.Status === 'critical')) continue
      const warning = entry.Checks.some((check) => check.Status === 'warning')
      if (warning && this.onlyPassing) continue
      out.push({
        node: entry.Node.Node,
        nodeAddress: entry.Node.Address,
        address: entry.Service.Address || entry.Node.Address,
        port: entry.Service.Port,
        weight: warning ? entry.Service.Weights.Warning : entry.Service.Weights.Passing,
        tags: entry.Service.Tags,
      })
    }
    return out
  }
}
