// Goal: the agent reads Consul's `dns_config` block (and `domain`) with Consul's defaults,
// resolves per-service TTLs (exact name, longest `prefix*`, then `*`), and refuses bad values
// at start with a ZX_ERR_CONFIG message naming the key; the DNS server then answers with those
// settings (TTLs, only_passing, a_record_limit, udp_answer_limit, disable_compression).
// Method: loadRuntimeConfig over ZX_LOCAL_CONFIG JSON with an injected host; the resulting
// RuntimeConfig.dns drives a socket-free DnsHandler over real CatalogTables.
import * as packet from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { loadRuntimeConfig, type ConfigEnvironment } from '../../../agent/config/build.js'
import { serviceTtlFor, type DnsConfig } from '../../../agent/config/dns.js'
import { createDnsBackend } from '../../../agent/dns/backend.js'
import { createDnsHandler } from '../../../agent/dns/server.js'
import { isZxError } from '../../../agent/errors.js'
import { CatalogTables } from '../../../agent/state/catalog.js'
import { normalizeRegister } from '../../../agent/state/catalog-types.js'
import { TableIndexes } from '../../../agent/state/indexes.js'
import { Xoshiro128 } from '../../../agent/util/prng.js'

const host = (json: unknown): ConfigEnvironment => ({
  env: { ZX_LOCAL_CONFIG: JSON.stringify(json) }, hostname: () => 'box', privateIps: () => ['10.0.0.5'], pid: 42, tmpdir: () => '/tmp',
})
const load = (json: unknown) => loadRuntimeConfig(['-data-dir', '/d'], host(json)).dns

function fails(json: unknown, pattern: RegExp): void {
  try {
    load(json)
  } catch (error) {
    expect(isZxError(error, 'ZX_ERR_CONFIG')).toBe(true)
    expect((error as Error).message).toMatch(pattern)
    return
  }
  throw new Error(`expected ${JSON.stringify(json)} to fail`)
}

describe('dns_config', () => {
  it("has Consul's defaults", () => {
    expect(load({})).toEqual({
      domain: 'consul.', allowStale: true, maxStaleMs: 87_600 * 3_600_000, nodeTtlS: 0, serviceTtlS: {},
      udpAnswerLimit: 3, aRecordLimit: 0, enableTruncate: true, onlyPassing: false, recursorTimeoutMs: 2_000, disableCompression: false,
    })
  })
  it('reads every key', () => {
    const dns = load({
      domain: 'lab', dns_config: {
        allow_stale: false, max_stale: '5s', node_ttl: '30s', service_ttl: { '*': '5s', web: '1m', 'db-*': 10 },
        udp_answer_limit: 5, a_record_limit: 2, enable_truncate: false, only_passing: true, recursor_timeout: '500ms', disable_compression: true,
      },
    })
    expect(dns).toEqual({
      domain: 'lab.', allowStale: false, maxStaleMs: 5_000, nodeTtlS: 30, serviceTtlS: { '*': 5, web: 60, 'db-*': 10 },
      udpAnswerLimit: 5, aRecordLimit: 2, enableTruncate: false, onlyPassing: true, recursorTimeoutMs: 500, disableCompression: true,
    })
  })
  it('picks a service TTL: exact name, longest prefix*, then *', () => {
    const ttl = { '*': 5, web: 60, 'db-*': 10, 'db-main*': 20 }
    expect(serviceTtlFor(ttl, 'web')).toBe(60)
    expect(serviceTtlFor(ttl, 'db-main-1')).toBe(20)
    expect(serviceTtlFor(ttl, 'db-2')).toBe(10)
    expect(serviceTtlFor(ttl, 'cache')).toBe(5)
    expect(serviceTtlFor({}, 'cache')).toBe(0)
  })
  it('refuses bad values with the key in the message', () => {
    fails({ dns_config: { udp_answer_limit: -1 } }, /dns_config.udp_answer_limit cannot be negative/)
    fails({ dns_config: { a_record_limit: 70_000 } }, /dns_config.a_record_limit must be at most 65535/)
    fails({ dns_config: { node_ttl: 'soon' } }, /dns_config.node_ttl: expected a duration/)
    fails({ dns_config: { service_ttl: { web: 'x' } } }, /dns_config.service_ttl.web: expected a duration/)
    fails({ dns_config: { service_ttl: '5s' } }, /dns_config.service_ttl: expected an object/)
    fails({ dns_config: { service_ttl: { 'a*b': '5s' } } }, /"a\*b" is not a service name/)
    fails({ dns_config: { recursor_timeout: '0s' } }, /recursor_timeout must be positive/)
    fails({ dns_config: { only_passing: 'yes' } }, /dns_config.only_passing: expected a boolean/)
    fails({ dns_config: { node_ttl: '1000000h' } }, /longer than a DNS TTL/)
    fails({ dns_config: { no_such_key: 1 } }, /unknown configuration key "dns_config.no_such_key"/)
    fails({ domain: 'bad domain' }, /domain "bad domain" is not a valid DNS name/)
  })
})

describe('dns_config in answers', () => {
  function world(dns: DnsConfig) {
    const catalog = new CatalogTables(new TableIndexes())
    const reg = (i: number, body: unknown) => expect(catalog.applyRegister(i, normalizeRegister(body, { datacenter: 'dc1' }))).toEqual({ ok: true })
    for (let i = 1; i <= 6; i++) reg(i, { Node: `n${i}`, Address: `10.0.0.${i}`, Check: { CheckID: 'serfHealth', Status: 'passing' } })
    for (let i = 1; i <= 6; i++) {
      reg(10 + i, { Node: `n${i}`, Address: `10.0.0.${i}`, Service: { ID: `web${i}`, Service: 'web', Port: 80 },
        Check: { CheckID: `c${i}`, ServiceID: `web${i}`, Status: i === 6 ? 'warning' : 'passing' } })
    }
    const backend = createDnsBackend({ config: dns, catalog, call: async () => { throw new Error("no rpc in this test") }, clock: { nowMs: () => 0 } })
    const handler = createDnsHandler({ backend, datacenter: 'dc1', config: dns, rng: new Xoshiro128(9) })
    return async (name: string, type: string, overTcp = false) => {
      const bytes = await handler.handle(packet.encode({ type: 'query', id: 1, questions: [{ type: type as 'A', name }] }), overTcp)
      return { reply: packet.decode(bytes!), bytes: bytes! }
    }
  }
  it('serves TTLs, limits and only_passing as configured', async () => {
    const ask = world(load({ dns_config: { node_ttl: '30s', service_ttl: { '*': '7s' }, a_record_limit: 2, udp_answer_limit: 4 } }))
    const node = await ask('n1.node.consul', 'A')
    expect(node.reply.answers).toEqual([expect.objectContaining({ data: '10.0.0.1', ttl: 30 })])
    const a = await ask('web.service.consul', 'A', true)
    expect(a.reply.answers).toHaveLength(2) // a_record_limit applies over TCP too
    expect(a.reply.answers!.every((r) => r.ttl === 7)).toBe(true)
    const srv = await ask('web.service.consul', 'SRV')
    expect(srv.reply.answers).toHaveLength(4) // udp_answer_limit, not a_record_limit, for SRV
    expect(srv.reply.flag_tc).toBe(true)
    const all = await ask('web.service.consul', 'SRV', true)
    expect(all.reply.answers).toHaveLength(6) // the warning instance is in
    const passing = world(load({ dns_config: { only_passing: true } }))
    const only = await passing('web.service.consul', 'SRV', true)
    expect(only.reply.answers!.map((r) => (r as packet.SrvAnswer).data.target).sort()).toEqual(['n1', 'n2', 'n3', 'n4', 'n5'].map((n) => `${n}.node.dc1.consul`))
  })
  it('leaves TC off when enable_truncate is false, and compresses unless disabled', async () => {
    const quiet = world(load({ dns_config: { enable_truncate: false } }))
    const trimmed = await quiet('web.service.consul', 'SRV')
    expect(trimmed.reply.answers).toHaveLength(3)
    expect(trimmed.reply.flag_tc).toBe(false)
    const plain = world(load({ dns_config: { disable_compression: true } }))
    const compressed = (await quiet('web.service.consul', 'SRV', true)).bytes
    const uncompressed = (await plain('web.service.consul', 'SRV', true)).bytes
    expect(uncompressed.includes(Buffer.from([0xc0, 0x0c]))).toBe(false)
    expect(compressed.length).toBeLessThan(uncompressed.length)
  })
})
