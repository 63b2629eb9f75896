// Goal: createDnsBackend follows dns_config as Consul does: a server with allow_stale (and the
// default max_stale) answers from its own catalog; a bounded max_stale or a client asks the
// servers with stale reads carrying max_stale; allow_stale=false asks the leader and is never
// served from the client cache; only_passing drops warning instances on every path.
// Method: real CatalogTables for the local path, a recording fake RPC `call` for the remote
// path, a hand-set clock for the cache.
import { describe, expect, it } from 'vitest'
import { defaultDnsConfig } from '../../../agent/config/dns.js'
import { CachedDnsBackend, LocalDnsBackend, createDnsBackend } from '../../../agent/dns/backend.js'
import { RemoteDnsBackend } from '../../../agent/dns/remote.js'
import { CatalogTables } from '../../../agent/state/catalog.js'
import { normalizeRegister } from '../../../agent/state/catalog-types.js'
import { TableIndexes } from '../../../agent/state/indexes.js'

function fakeServers() {
  const calls: Array<{ method: string; args: any }> = []
  const entry = (node: string, status: string) => ({
    Node: { Node: node, Address: `10.0.0.${node.length}`, Meta: {} },
    Service: { ID: `web-${node}`, Service: 'web', Address: '', Port: 80, Tags: [], Weights: { Passing: 1, Warning: 1 } },
    Checks: [{ Status: status }],
  })
  const call = async (method: string, args: object) => {
    calls.push({ method, args })
    return { value: [entry('a', 'passing'), entry('bb', 'warning'), entry('ccc', 'critical')] }
  }
  return { calls, call }
}

describe('createDnsBackend', () => {
  it('reads a server’s own catalog by default, stale and cached per index', () => {
    const catalog = new CatalogTables(new TableIndexes())
    catalog.applyRegister(1, normalizeRegister({ Node: 'n1', Address: '10.0.0.1', Service: { Service: 'web', Port: 80 } }, { datacenter: 'dc1' }))
    const backend = createDnsBackend({ config: defaultDnsConfig(), catalog, call: fakeServers().call, clock: { nowMs: () => 0 } })
    expect(backend).toBeInstanceOf(LocalDnsBackend)
    const first = backend.serviceInstances('web', undefined)
    expect(backend.serviceInstances('web', undefined)).toBe(first) // same list until the index moves
    catalog.applyRegister(2, normalizeRegister({ Node: 'n2', Address: '10.0.0.2', Service: { Service: 'web', Port: 81 } }, { datacenter: 'dc1' }))
    expect(backend.serviceInstances('web', undefined)).not.toBe(first)
    expect(backend.serviceInstances('web', undefined)).toHaveLength(2)
  })

  it('asks the servers with max_stale when it is bounded, through the 1 s cache', async () => {
    const catalog = new CatalogTables(new TableIndexes())
    const servers = fakeServers()
    let now = 0
    const backend = createDnsBackend({ config: { ...defaultDnsConfig(), maxStaleMs: 5_000 }, catalog, call: servers.call, clock: { nowMs: () => now } })
    expect(backend).toBeInstanceOf(CachedDnsBackend)
    expect((await backend.serviceInstances('web', undefined)).map((i) => i.node)).toEqual(['a', 'bb'])
    await backend.serviceInstances('web', undefined)
    expect(servers.calls).toHaveLength(1)
    expect(servers.calls[0]!.args.query).toEqual({ minIndex: 0, waitMs: 0, mode: 'stale', maxStaleMs: 5_000 })
    now = 1_500
    await backend.serviceInstances('web', undefined)
    expect(servers.calls).toHaveLength(2)
  })

  it('asks the leader, uncached, when allow_stale is false; only_passing drops warnings', async () => {
    const servers = fakeServers()
    const backend = createDnsBackend({ config: { ...defaultDnsConfig(), allowStale: false, onlyPassing: true }, catalog: undefined, call: servers.call, clock: { nowMs: () => 0 } })
    expect(backend).toBeInstanceOf(RemoteDnsBackend)
    expect((await backend.serviceInstances('web', undefined)).map((i) => i.node)).toEqual(['a'])
    await backend.serviceInstances('web', undefined)
    expect(servers.calls).toHaveLength(2)
    expect(servers.calls.every((c) => c.args.query.mode === 'leader')).toBe(true)
  })
})
