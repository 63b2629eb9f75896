// Goal: the DNS interface answers like Consul's: node A/TXT, service A (critical instances
// dropped), SRV with node targets + A additionals, RFC 2782 names, PTR, NXDOMAIN with SOA,
// REFUSED for foreign names without recursors, TC over UDP when trimmed, and FORMERR or a drop
// for garbage (fuzzed with seeded random bytes). Method: drive the socket-free DnsHandler with
// encoded queries over a LocalDnsBackend on real CatalogTables; decode the replies.
import * as packet from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { LocalDnsBackend } from '../../../agent/dns/backend.js'
import { parseLookup } from '../../../agent/dns/names.js'
import { createDnsHandler } from '../../../agent/dns/server.js'
import { CatalogTables } from '../../../agent/state/catalog.js'
import { normalizeRegister } from '../../../agent/state/catalog-types.js'
import { TableIndexes } from '../../../agent/state/indexes.js'
import { Xoshiro128 } from '../../../agent/util/prng.js'

function world() {
  const catalog = new CatalogTables(new TableIndexes())
  const reg = (i: number, body: unknown) => expect(catalog.applyRegister(i, normalizeRegister(body, { datacenter: 'dc1' }))).toEqual({ ok: true })
  reg(1, { Node: 'node1', Address: '10.0.0.1', NodeMeta: { rack: 'r1' }, Check: { CheckID: 'serfHealth', Status: 'passing' } })
  reg(2, { Node: 'node2', Address: '10.0.0.2', Check: { CheckID: 'serfHealth', Status: 'passing' } })
  reg(3, { Node: 'node3', Address: '10.0.0.3', Check: { CheckID: 'serfHealth', Status: 'critical' } })
  reg(4, { Node: 'node1', Address: '10.0.0.1', NodeMeta: { rack: 'r1' }, Service: { ID: 'web1', Service: 'web', Tags: ['v1'], Port: 8080 } })
  reg(5, { Node: 'node2', Address: '10.0.0.2', Service: { ID: 'web2', Service: 'web', Tags: ['v2'], Port: 8081, Address: '10.1.1.2' } })
  reg(6, { Node: 'node3', Address: '10.0.0.3', Service: { ID: 'web3', Service: 'web', Port: 8082 } })
  for (let i = 0; i < 10; i++) reg(10 + i, { Node: `big${i}`, Address: `10.2.0.${i}`, Service: { Service: 'many', Port: 9000 + i } })
  const handler = createDnsHandler({ backend: new LocalDnsBackend(catalog), datacenter: 'dc1', rng: new Xoshiro128(7) })
  const ask = async (name: string, type: string, overTcp = false) => {
    const query = packet.encode({ type: 'query', id: 42, flags: packet.RECURSION_DESIRED, questions: [{ type: type as 'A', name }] })
    const reply = await handler.handle(query, overTcp)
    return packet.decode(reply!)
  }
  return { catalog, handler, ask }
}

describe('DNS names', () => {
  it('parses every Consul form', () => {
    expect(parseLookup('node1.node.consul.', 'consul.')).toEqual({ kind: 'node', node: 'node1', dc: undefined })
    expect(parseLookup('node1.node.dc1.consul', 'consul.')).toEqual({ kind: 'node', node: 'node1', dc: 'dc1' })
    expect(parseLookup('v1.web.service.consul', 'consul.')).toMatchObject({ kind: 'service', service: 'web', tag: 'v1' })
    expect(parseLookup('_web._tcp.service.dc1.consul', 'consul.')).toMatchObject({ kind: 'service', service: 'web', tag: undefined, dc: 'dc1', rfc2782: true })
    expect(parseLookup('_web._v1.consul', 'consul.')).toMatchObject({ kind: 'service', service: 'web', tag: 'v1' })
    expect(parseLookup('0a000001.addr.dc1.consul', 'consul.')).toEqual({ kind: 'addr', address: '10.0.0.1', dc: 'dc1' })
    expect(parseLookup('1.0.0.10.in-addr.arpa.', 'consul.')).toEqual({ kind: 'ptr', address: '10.0.0.1' })
    expect(parseLookup('example.com.', 'consul.')).toEqual({ kind: 'foreign' })
    expect(parseLookup('a.b.c.service.consul', 'consul.')).toEqual({ kind: 'invalid' })
  })
})

describe('DNS answers', () => {
  it('compresses names and matches dns-packet decoding', async () => {
    const { ask } = world()
    const srv = await ask('_web._tcp.service.consul', 'SRV', true)
    expect(srv.questions).toEqual([expect.objectContaining({ name: '_web._tcp.service.consul', type: 'SRV' })])
    expect(srv.answers?.every((r) => r.name === '_web._tcp.service.consul')).toBe(true)
  })
  it('answers node A and TXT meta', async () => {
    const { ask } = world()
    const a = await ask('node1.node.consul', 'A')
    expect(a.rcode).toBe('NOERROR')
    expect(a.flag_aa).toBe(true)
    expect(a.answers).toEqual([expect.objectContaining({ type: 'A', data: '10.0.0.1', ttl: 0 })])
    const txt = await ask('node1.node.dc1.consul', 'TXT')
    expect(txt.answers?.map((r) => String((r as { data: Buffer[] }).data[0]))).toEqual(['rack=r1'])
  })
  it('answers service A with only non-critical instances', async () => {
    const { ask } = world()
    const a = await ask('web.service.consul', 'A')
    expect(a.answers?.map((r) => (r as { data: string }).data).sort()).toEqual(['10.0.0.1', '10.1.1.2'])
    const tagged = await ask('v2.web.service.consul', 'A')
    expect(tagged.answers?.map((r) => (r as { data: string }).data)).toEqual(['10.1.1.2'])
  })
  it('answers SRV with node and addr targets and A additionals', async () => {
    const { ask } = world()
    for (const name of ['web.service.consul', '_web._tcp.service.consul']) {
      const srv = await ask(name, 'SRV')
      const targets = srv.answers?.map((r) => (r as { data: { target: string; port: number } }).data).sort((x, y) => x.port - y.port)
      expect(targets).toEqual([
        expect.objectContaining({ port: 8080, target: 'node1.node.dc1.consul', priority: 1, weight: 1 }),
        expect.objectContaining({ port: 8081, target: '0a010102.addr.dc1.consul' }),
      ])
      expect(srv.additionals?.map((r) => r.name).sort()).toEqual(['0a010102.addr.dc1.consul', 'node1.node.dc1.consul'])
    }
  })
  it('sets TC over UDP past the answer limit and returns everything over TCP', async () => {
    const { ask } = world()
    const udp = await ask('many.service.consul', 'SRV')
    expect(udp.flag_tc).toBe(true)
    expect(udp.answers).toHaveLength(3)
    const tcp = await ask('many.service.consul', 'SRV', true)
    expect(tcp.flag_tc).toBe(false)
    expect(tcp.answers).toHaveLength(10)
  })
  it('answers PTR, NXDOMAIN with SOA, and REFUSED for foreign names', async () => {
    const { ask } = world()
    const ptr = await ask('2.0.0.10.in-addr.arpa', 'PTR')
    expect(ptr.answers).toEqual([expect.objectContaining({ type: 'PTR', data: 'node2.node.dc1.consul' })])
    for (const name of ['nope.service.consul', 'nope.node.consul', 'web.service.dc9.consul', 'garbage.consul']) {
      const miss = await ask(name, 'A')
      expect(miss.rcode, name).toBe('NXDOMAIN')
      expect(miss.authorities?.[0]).toMatchObject({ type: 'SOA', data: expect.objectContaining({ mname: 'ns.consul', rname: 'hostmaster.consul' }) })
    }
    expect((await ask('example.com', 'A')).rcode).toBe('REFUSED')
  })
  it('drops a newly critical instance at once', async () => {
    const { ask, catalog } = world()
    catalog.applyCheckStatus(100, { Updates: [{ Node: 'node1', CheckID: 'serfHealth', Status: 'critical', Output: '' }] })
    const a = await ask('web.service.consul', 'A')
    expect(a.answers?.map((r) => (r as { data: string }).data)).toEqual(['10.1.1.2'])
  })
  it('survives random bytes: FORMERR with a header, a drop without', async () => {
    const { handler } = world()
    const rng = new Xoshiro128(1234)
    let answered = 0
    for (let i = 0; i < 1500; i++) {
      const bytes = Buffer.alloc(rng.int(80))
      for (let j = 0; j < bytes.length; j++) bytes[j] = rng.int(256)
      if (i % 3 === 0 && bytes.length >= 12) bytes[2] = bytes[2]! & 0x7f // make it look like a query
      const reply = await handler.handle(bytes, i % 2 === 0)
      if (reply !== undefined) { answered++; expect(() => packet.decode(reply)).not.toThrow() }
    }
    expect(answered).toBeGreaterThan(0)
    expect(handler.stat.formErr + handler.stat.dropped).toBeGreaterThan(0)
  }, 60_000)
})
