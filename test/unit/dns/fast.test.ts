// Goal: the pre-encoded fast path (agent/dns/fast.ts) answers exactly what the general path
// answers (same records, flags and limits), picks instances uniformly, honours EDNS sizes and
// drops instances as soon as the catalog changes. Method: two DnsHandlers over the same
// LocalDnsBackend, one with disable_compression (general path, dns-packet encoding) and one
// default (fast path); decode both replies with dns-packet and compare.
import * as packet from 'dns-packet'
import { describe, expect, it } from 'vitest'
import { defaultDnsConfig } from '../../../agent/config/dns.js'
import { LocalDnsBackend } from '../../../agent/dns/backend.js'
import { readPlainQuery } from '../../../agent/dns/fast.js'
import { createDnsHandler } from '../../../agent/dns/server.js'
import { CatalogTables } from '../../../agent/state/catalog.js'
import { normalizeRegister } from '../../../agent/state/catalog-types.js'
import { TableIndexes } from '../../../agent/state/indexes.js'
import { Xoshiro128 } from '../../../agent/util/prng.js'

function world() {
  const catalog = new CatalogTables(new TableIndexes())
  const reg = (i: number, body: unknown) => expect(catalog.applyRegister(i, normalizeRegister(body, { datacenter: 'dc1' }))).toEqual({ ok: true })
  reg(1, { Node: 'node1', Address: '10.0.0.1', Check: { CheckID: 'serfHealth', Status: 'passing' } })
  reg(2, { Node: 'Node2', Address: '10.0.0.2', Check: { CheckID: 'serfHealth', Status: 'passing' } })
  reg(3, { Node: 'node1', Address: '10.0.0.1', Service: { ID: 'web1', Service: 'web', Tags: ['v1'], Port: 8080 } })
  reg(4, { Node: 'Node2', Address: '10.0.0.2', Service: { ID: 'web2', Service: 'web', Tags: ['v2'], Port: 8081, Address: '10.1.1.2' } })
  for (let i = 0; i < 10; i++) reg(10 + i, { Node: `big${i}`, Address: `10.2.0.${i}`, Service: { Service: 'many', Port: 9000 + i } })
  const backend = new LocalDnsBackend(catalog)
  const fast = createDnsHandler({ backend, datacenter: 'dc1', rng: new Xoshiro128(3) })
  const slow = createDnsHandler({ backend, datacenter: 'dc1', rng: new Xoshiro128(3), config: { ...defaultDnsConfig(), disableCompression: true } })
  return { catalog, fast, slow }
}

function query(name: string, type: string, edns?: number): Buffer {
  const additionals = edns === undefined ? [] : [{ type: 'OPT' as const, name: '.', udpPayloadSize: edns }]
  return packet.encode({ type: 'query', id: 4242, flags: packet.RECURSION_DESIRED, questions: [{ type: type as 'A', name }], additionals } as packet.Packet)
}

// Names compare case-insensitively (RFC 1035 §2.3.3): a compressed target may point into a mixed-case question.
const show = (records: packet.Answer[] | undefined) => (records ?? []).map((r) => JSON.stringify([r.type, r.name, r.ttl, (r as { data: unknown }).data]).toLowerCase()).sort()

describe('DNS fast path', () => {
  it('reads only plain queries', () => {
    expect(readPlainQuery(query('web.service.consul', 'SRV'))).toMatchObject({ id: 4242, rd: true, name: 'web.service.consul', qtype: 33, udpSize: 512 })
    expect(readPlainQuery(query('WEB.service.consul', 'A', 1232))).toMatchObject({ name: 'web.service.consul', qtype: 1, udpSize: 1232 })
    const response = query('web.service.consul', 'A')
    response[2] = response[2]! | 0x80
    expect(readPlainQuery(response)).toBeUndefined()
    expect(readPlainQuery(query('web.service.consul', 'A').subarray(0, 20))).toBeUndefined()
    expect(readPlainQuery(Buffer.concat([query('web.service.consul', 'A'), Buffer.from([0])]))).toBeUndefined()
  })

  it('answers what the general path answers', async () => {
    const { fast, slow } = world()
    const cases: Array<[string, string, boolean, number | undefined]> = [
      ['web.service.consul', 'SRV', false, undefined], ['_web._tcp.service.consul', 'SRV', true, undefined],
      ['web.service.dc1.consul', 'A', false, 1232], ['v2.web.service.consul', 'A', false, undefined],
      ['WEB.Service.Consul', 'SRV', false, undefined], ['many.service.consul', 'SRV', true, undefined],
      ['many.service.consul', 'A', false, 4096], ['node1.node.consul', 'A', false, undefined], ['node2.node.dc1.consul', 'A', true, undefined],
    ]
    for (const [name, type, tcp, edns] of cases) {
      const bytes = query(name, type, edns)
      const a = packet.decode((await fast.handle(bytes, tcp))!)
      const b = packet.decode((await slow.handle(bytes, tcp))!)
      const what = `${name} ${type} tcp=${tcp}`
      expect(a.id, what).toBe(4242)
      expect(a.flags, what).toBe(b.flags)
      expect(a.questions, what).toEqual(b.questions)
      expect(show(a.answers), what).toEqual(show(b.answers))
      expect(show(a.additionals), what).toEqual(show(b.additionals))
    }
  })

  it('applies udp_answer_limit to plain UDP only, with TC, and fits EDNS sizes', async () => {
    const { fast } = world()
    const plain = packet.decode((await fast.handle(query('many.service.consul', 'SRV'), false))!)
    expect(plain.answers).toHaveLength(3)
    expect(plain.additionals).toHaveLength(3)
    expect(plain.flag_tc).toBe(true)
    for (const answer of plain.answers!) {
      const target = (answer as packet.SrvAnswer).data.target
      expect(plain.additionals!.some((extra) => extra.name === target)).toBe(true)
    }
    const edns = packet.decode((await fast.handle(query('many.service.consul', 'SRV', 4096), false))!)
    expect(edns.answers).toHaveLength(10)
    expect(edns.flag_tc).toBe(false)
    const tight = packet.decode((await fast.handle(query('many.service.consul', 'SRV', 520), false))!)
    const size = (await fast.handle(query('many.service.consul', 'SRV', 520), false))!.length
    expect(size).toBeLessThanOrEqual(520)
    expect(tight.flag_tc).toBe(true)
    expect(tight.additionals!.length).toBeLessThan(10)
  })

  it('picks each instance about equally often', async () => {
    const { fast } = world()
    const counts = new Map<number, number>()
    for (let i = 0; i < 2_000; i++) {
      const reply = packet.decode((await fast.handle(query('many.service.consul', 'SRV'), false))!)
      const ports = reply.answers!.map((a) => (a as packet.SrvAnswer).data.port)
      expect(new Set(ports).size).toBe(3)
      for (const port of ports) counts.set(port, (counts.get(port) ?? 0) + 1)
    }
    expect(counts.size).toBe(10)
    for (const count of counts.values()) expect(Math.abs(count - 600)).toBeLessThan(120)
  })

  it('stops answering with an instance once it turns critical', async () => {
    const { fast, catalog } = world()
    expect(packet.decode((await fast.handle(query('web.service.consul', 'A'), false))!).answers).toHaveLength(2)
    catalog.applyCheckStatus(100, { Updates: [{ Node: 'node1', CheckID: 'serfHealth', Status: 'critical', Output: '' }] })
    const after = packet.decode((await fast.handle(query('web.service.consul', 'A'), false))!)
    expect(after.answers?.map((r) => (r as { data: string }).data)).toEqual(['10.1.1.2'])
  })
})
