/**
 * agent/dns/answer.ts: builds the DNS response for one query from a DnsBackend, as Consul's DNS
 * interface answers: A/AAAA (and TXT node meta) for nodes, A for healthy service instances in
 * random order, SRV with `<node>.node.<dc>.<domain>` targets (or `<hexip>.addr…` when the service
 * has its own address) and the target's A record in ADDITIONAL, PTR for in-addr.arpa, NXDOMAIN
 * with the SOA in AUTHORITY for unknown names. A plain (non-EDNS, 512-byte) UDP answer holds at
 * most udp_answer_limit records; A/AAAA/ANY answers at most a_record_limit over any transport;
 * every UDP answer is cut to the client's payload size. Cutting sets TC when enable_truncate
 * (or when the size forced it), so the client retries over TCP.
 */
import * as packet from 'dns-packet'
import type { Prng } from '../util/prng.js'
import type { DnsBackend, DnsInstance, DnsNode } from './backend.js'
import { serviceTtlFor } from '../config/dns.js'
import { bareDomain, encodeHexIp, isIPv4, isIPv6, parseLookup } from './names.js'

/** DnsAnswerConfig is what shapes answers (Consul's dns_config). */
export interface DnsAnswerConfig {
  domain: string
  datacenter: string
  nodeTtl: number
  /** serviceTtlS maps service names, `prefix*` patterns and `*` to TTLs (dns_config.service_ttl). */
  serviceTtlS: Readonly<{ [service: string]: number }>
  /** udpAnswerLimit caps answers in a plain 512-byte UDP response (udp_answer_limit, default 3; 0 = none). */
  udpAnswerLimit: number
  /** aRecordLimit caps A/AAAA/ANY service answers over UDP and TCP (a_record_limit; 0 = none). */
  aRecordLimit: number
  /** enableTruncate sets TC when UDP answers were trimmed, so resolvers retry over TCP. */
  enableTruncate: boolean
  recursionAvailable: boolean
}

/** plainUdpBytes is RFC 1035's UDP payload limit; udp_answer_limit applies only at this size. */
export const plainUdpBytes = 512

/** rcode names the response codes this server uses (RFC 1035 §4.1.1). */
export const rcode = { noError: 0, formErr: 1, servFail: 2, nxDomain: 3, notImp: 4, refused: 5 } as const

type Record = packet.Answer

/** DnsReply is a response to send, or a request to forward the query to the recursors. */
export type DnsReply = { kind: 'response'; packet: packet.Packet } | { kind: 'recurse' }

/** answerQuery answers one decoded query. `udpSizeMax` is 0 for TCP. */
export async function answerQuery(query: packet.DecodedPacket, backend: DnsBackend, config: DnsAnswerConfig, udpSizeMax: number, rng: Prng): Promise<DnsReply> {
  const question = query.questions?.[0]
  if (question === undefined) return respond(query, config, rcode.formErr, [], [], [])
  const opcode = (query as { opcode?: string }).opcode
  if (opcode !== undefined && opcode !== 'QUERY') return respond(query, config, rcode.notImp, [], [], [])
  const qtype = question.type as string
  const lookup = parseLookup(question.name, config.domain)
  const domain = bareDomain(config.domain)
  switch (lookup.kind) {
    case 'foreign': return { kind: 'recurse' }
    case 'invalid': return nxdomain(query, config)
    case 'ptr': {
      const node = await backend.nodeByAddress(lookup.address)
      if (node === undefined) return config.recursionAvailable ? { kind: 'recurse' } : nxdomain(query, config)
      return respond(query, config, rcode.noError, [{ type: 'PTR', name: question.name, ttl: config.nodeTtl, class: 'IN', data: `${node.name}.node.${config.datacenter}.${domain}` }], [], [])
    }
    case 'addr': {
      if (!sameDc(lookup, config)) return nxdomain(query, config)
      const records = qtype === 'A' || qtype === 'ANY' ? [addressRecord(question.name, lookup.address, config.nodeTtl)] : []
      return respond(query, config, rcode.noError, records, records.length === 0 ? [soa(config)] : [], [])
    }
    case 'node': {
      if (!sameDc(lookup, config)) return nxdomain(query, config)
      const node = await backend.node(lookup.node)
      if (node === undefined) return nxdomain(query, config)
      const records = nodeRecords(question.name, qtype, node, config)
      return respond(query, config, rcode.noError, records, records.length === 0 ? [soa(config)] : [], [])
    }
    case 'service': {
      if (!sameDc(lookup, config)) return nxdomain(query, config)
      const instances = await backend.serviceInstances(lookup.service, lookup.tag)
      if (instances.length === 0) return nxdomain(query, config)
      const ttl = serviceTtlFor(config.serviceTtlS, lookup.service)
      return serviceResponse(query, question, lookup.rfc2782, shuffled(instances, rng), config, udpSizeMax, ttl)
    }
    default: { const never: never = lookup; throw new Error(`unknown lookup ${JSON.stringify(never)}`) }
  }
}

function sameDc(lookup: { dc: string | undefined }, config: DnsAnswerConfig): boolean {
  return lookup.dc === undefined || lookup.dc === config.datacenter.toLowerCase()
}

function addressRecord(name: string, address: string, ttl: number): Record {
  if (isIPv4(address)) return { type: 'A', name, ttl, class: 'IN', data: address }
  if (isIPv6(address)) return { type: 'AAAA', name, ttl, class: 'IN', data: address }
  return { type: 'CNAME', name, ttl, class: 'IN', data: address }
}

function nodeRecords(name: string, type: string, node: DnsNode, config: DnsAnswerConfig): Record[] {
  const records: Record[] = []
  const address = addressRecord(name, node.address, config.nodeTtl)
  if (type === 'ANY' || type === address.type || (address.type === 'CNAME' && (type === 'A' || type === 'AAAA'))) records.push(address)
  if (type === 'ANY' || type === 'TXT') {
    for (const [key, value] of Object.entries(node.meta)) {
      records.push({ type: 'TXT', name, ttl: config.nodeTtl, class: 'IN', data: key.startsWith('rfc1035-') ? value : `${key}=${value}` })
    }
  }
  return records
}

function srvTarget(instance: DnsInstance, config: DnsAnswerConfig): string {
  const domain = bareDomain(config.domain)
  if (instance.address !== instance.nodeAddress) {
    const hex = encodeHexIp(instance.address)
    if (hex !== undefined) return `${hex}.addr.${config.datacenter}.${domain}`
    if (!isIPv6(instance.address)) return instance.address
  }
  return `${instance.node}.node.${config.datacenter}.${domain}`
}

/** answerLimits says how many service answers a response may hold and whether cutting there is a trim (TC). */
export function answerLimits(config: DnsAnswerConfig, wantSrv: boolean, udpSizeMax: number): { trimAt: number; capAt: number } {
  const trimAt = udpSizeMax > 0 && udpSizeMax <= plainUdpBytes && config.udpAnswerLimit > 0 ? config.udpAnswerLimit : Infinity
  const capAt = !wantSrv && config.aRecordLimit > 0 ? config.aRecordLimit : Infinity
  return { trimAt, capAt }
}

function serviceResponse(query: packet.DecodedPacket, question: packet.Question, rfc2782: boolean, instances: Iterable<DnsInstance>, config: DnsAnswerConfig, udpSizeMax: number, ttl: number): DnsReply {
  const qtype = question.type as string
  const wantSrv = qtype === 'SRV' || (rfc2782 && qtype === 'ANY')
  const answers: Record[] = []
  const additionals: Record[] = []
  const seen = new Set<string>()
  const { trimAt, capAt } = answerLimits(config, wantSrv, udpSizeMax)
  let trimmed = false
  for (const instance of instances) {
    if (answers.length >= capAt) break
    if (answers.length >= trimAt) { trimmed = true; break }
    if (wantSrv) {
      const target = srvTarget(instance, config)
      answers.push({ type: 'SRV', name: question.name, ttl, class: 'IN', data: { priority: 1, weight: instance.weight, port: instance.port, target } })
      if (isIPv4(instance.address) || isIPv6(instance.address)) additionals.push(addressRecord(target, instance.address, ttl))
    } else if (qtype === 'A' || qtype === 'AAAA' || qtype === 'ANY') {
      if (seen.has(instance.address)) continue
      seen.add(instance.address)
      const record = addressRecord(question.name, instance.address, ttl)
      if (qtype === 'ANY' || record.type === qtype || record.type === 'CNAME') answers.push(record)
    }
  }
  const reply = respond(query, config, rcode.noError, answers, answers.length === 0 ? [soa(config)] : [], additionals)
  return fitUdp(reply, udpSizeMax, trimmed && config.enableTruncate)
}

/** fitUdp drops records from the end until the encoded response fits, setting TC if it had to. */
function fitUdp(reply: DnsReply, udpSizeMax: number, truncated: boolean): DnsReply {
  if (reply.kind !== 'response' || udpSizeMax <= 0) return reply
  const response = reply.packet
  let tc = truncated
  if (estimateLength(response) <= udpSizeMax && !tc) return reply
  while (packet.encodingLength(response) > udpSizeMax && ((response.additionals?.length ?? 0) > 0 || (response.answers?.length ?? 0) > 0)) {
    if ((response.additionals?.length ?? 0) > 0) response.additionals!.pop()
    else response.answers!.pop()
    tc = true
  }
  if (tc) response.flags = (response.flags ?? 0) | packet.TRUNCATED_RESPONSE
  return reply
}

/** estimateLength is a cheap upper bound of a response's encoded size (no compression assumed). */
function estimateLength(response: packet.Packet): number {
  let total = 12
  for (const question of response.questions ?? []) total += question.name.length + 2 + 4
  for (const record of [...response.answers ?? [], ...response.authorities ?? [], ...response.additionals ?? []]) {
    total += record.name.length + 2 + 10
    const data = (record as { data?: unknown }).data
    if (typeof data === 'string') total += data.length + 2
    else if (Array.isArray(data)) total += data.reduce((sum: number, part: unknown) => sum + String(part).length + 1, 0)
    else if (Buffer.isBuffer(data)) total += data.length + 1
    else if (record.type === 'SRV') total += (data as packet.SrvData).target.length + 8
    else if (record.type === 'SOA') total += (data as packet.SoaData).mname.length + (data as packet.SoaData).rname.length + 24
    else total += 512
  }
  return total
}

/**
 * shuffled yields the items in random order lazily (Fisher–Yates one step per item taken), so
 * a UDP answer capped at a few records costs a few random draws even for a large service.
 */
function* shuffled<T>(items: readonly T[], rng: Prng): Generator<T> {
  const order = items.slice()
  for (let i = 0; i < order.length; i++) {
    const j = i + rng.int(order.length - i)
    const pick = order[j]!
    order[j] = order[i]!
    order[i] = pick
    yield pick
  }
}

/** soa is the authority record of NXDOMAIN and empty answers. */
function soa(config: DnsAnswerConfig): Record {
  const domain = bareDomain(config.domain)
  return {
    type: 'SOA', name: domain, ttl: 0, class: 'IN',
    data: { mname: `ns.${domain}`, rname: `hostmaster.${domain}`, serial: Math.floor(Date.now() / 1000) >>> 0, refresh: 3600, retry: 600, expire: 86400, minimum: 0 },
  }
}

function nxdomain(query: packet.DecodedPacket, config: DnsAnswerConfig): DnsReply {
  return respond(query, config, rcode.nxDomain, [], [soa(config)], [])
}

/** respond builds a response packet echoing the query's id, question and RD bit. */
export function respond(query: packet.DecodedPacket, config: DnsAnswerConfig, code: number, answers: Record[], authorities: Record[], additionals: Record[]): DnsReply {
  let flags = packet.AUTHORITATIVE_ANSWER | code
  if (query.flag_rd) flags |= packet.RECURSION_DESIRED
  if (config.recursionAvailable) flags |= packet.RECURSION_AVAILABLE
  return {
    kind: 'response',
    packet: { type: 'response', id: query.id ?? 0, flags, questions: query.questions ?? [], answers, authorities, additionals },
  }
}
