/**
 * agent/dns/fast.ts: the hot path for service lookups (A and SRV). A plain query (one IN
 * question, no answers, at most an EDNS OPT) is read straight from its bytes; the answer
 * records of every healthy instance are encoded once per (backend instance list, question)
 * and kept until the backend hands out a new list (LocalDnsBackend does when the service's
 * catalog index moves, CachedDnsBackend when its entry expires). A response is then a header,
 * the copied question and a random choice of those pre-encoded records: the shuffle runs over
 * record indices, so no query allocates records, names or maps. Every pre-encoded name points
 * into the question (offset 12) or is written in full, and an SRV's ADDITIONAL address record
 * points to its target inside the answer, patched when the answer's offset is known.
 * Node A lookups keep their one encoded record per DnsNode object (LocalDnsBackend returns the
 * same object while the node's record is unchanged).
 * Anything else (PTR, NXDOMAIN, AAAA, TXT, odd headers) returns undefined and takes the
 * general path in handler.ts.
 */
import type { Prng } from '../util/prng.js'
import { serviceTtlFor } from '../config/dns.js'
import { answerLimits, type DnsAnswerConfig } from './answer.js'
import type { DnsInstance, DnsNode } from './backend.js'
import { bareDomain, encodeHexIp, isIPv4 } from './names.js'

/** PlainQuery is a plain query read from its bytes. */
export interface PlainQuery {
  id: number
  rd: boolean
  /** name is the lower-cased question name without the trailing dot. */
  name: string
  qtype: number
  /** questionEnd is the offset just past the question (name, type, class). */
  questionEnd: number
  /** udpSize is the advertised EDNS payload size (512 without EDNS), clamped to [512, 4096]. */
  udpSize: number
}

const typeA = 1
const typeSrv = 33
const typeOpt = 41

/** readPlainQuery reads a plain query, or returns undefined for anything the fast path leaves alone. */
export function readPlainQuery(message: Buffer): PlainQuery | undefined {
  if (message.length < 17) return undefined
  const flags = message.readUInt16BE(2)
  if ((flags & 0xf800) !== 0) return undefined // a response, or an opcode other than QUERY
  if (message.readUInt16BE(4) !== 1 || message.readUInt16BE(6) !== 0 || message.readUInt16BE(8) !== 0) return undefined
  const additionals = message.readUInt16BE(10)
  if (additionals > 1) return undefined
  let at = 12
  let name = ''
  for (let labels = 0; ; labels++) {
    if (at >= message.length || labels > 127) return undefined
    const length = message[at]!
    if (length === 0) break
    if (length > 63 || at + 1 + length > message.length) return undefined
    name += (labels === 0 ? '' : '.') + message.toString('latin1', at + 1, at + 1 + length)
    at += 1 + length
  }
  const questionEnd = at + 5
  if (questionEnd > message.length || message.readUInt16BE(at + 3) !== 1) return undefined
  let udpSize = 512
  if (additionals === 1) {
    // Only an EDNS OPT pseudo-record with the root name, ending the message, is accepted here.
    if (questionEnd + 11 > message.length || message[questionEnd] !== 0 || message.readUInt16BE(questionEnd + 1) !== typeOpt) return undefined
    if (questionEnd + 11 + message.readUInt16BE(questionEnd + 9) !== message.length) return undefined
    udpSize = Math.min(4096, Math.max(512, message.readUInt16BE(questionEnd + 3)))
  } else if (questionEnd !== message.length) {
    return undefined
  }
  return { id: message.readUInt16BE(0), rd: (flags & 0x0100) !== 0, name: name.toLowerCase(), qtype: message.readUInt16BE(at + 1), questionEnd, udpSize }
}

/** EncodedRecords are one question's answer records, pre-encoded. */
interface EncodedRecords {
  answers: Buffer[]
  /** additionals[i] is answers[i]'s ADDITIONAL record (SRV target address) or undefined. */
  additionals: Array<Buffer | undefined>
  /** targetAt is where an SRV answer's target name starts inside its bytes. */
  targetAt: number
}

const srvTargetAt = 2 + 10 + 6

/** tcpMessageBytesMax is the largest DNS message a TCP length prefix can carry (RFC 1035 §4.2.2). */
const tcpMessageBytesMax = 65_535

/**
 * FastAnswers answers plain A/SRV service queries from pre-encoded records. One instance per
 * DnsHandler; its caches are bounded (a WeakMap keyed by the backend's lists, ≤ 64 questions each).
 */
export class FastAnswers {
  private readonly encoded = new WeakMap<readonly DnsInstance[], Map<string, EncodedRecords | null>>()
  private order = new Int32Array(64)

  constructor(private readonly config: DnsAnswerConfig, private readonly rng: Prng) {}

  /**
   * answer builds the response to `query` (raw bytes `message`) about `service` from its
   * healthy `instances`; undefined sends the query down the general path.
   */
  answer(message: Buffer, query: PlainQuery, service: string, instances: readonly DnsInstance[], overTcp: boolean): Buffer | undefined {
    if (instances.length === 0 || (query.qtype !== typeA && query.qtype !== typeSrv)) return undefined
    const records = this.recordsFor(message, query, service, instances)
    if (records === null) return undefined
    const udpSizeMax = overTcp ? 0 : query.udpSize
    const { trimAt, capAt } = answerLimits(this.config, query.qtype === typeSrv, udpSizeMax)
    const total = records.answers.length
    const take = Math.min(total, trimAt, capAt)
    // Cutting at udp_answer_limit is a trim (TC when enable_truncate); a_record_limit is not.
    let tc = take < total && take === trimAt && trimAt < capAt && this.config.enableTruncate
    const picked = this.pick(total, take)
    const questionBytes = query.questionEnd - 12
    let answersCount = take
    let additionalsCount = 0
    let size = 12 + questionBytes
    for (let i = 0; i < take; i++) size += records.answers[picked[i]!]!.length
    for (let i = 0; i < take; i++) {
      const extra = records.additionals[picked[i]!]
      if (extra === undefined) break
      size += extra.length
      additionalsCount++
    }
    // Cut to the client's payload size (a TCP message to 64 KiB): ADDITIONAL records go first,
    // then answers, and TC is set.
    const sizeMax = udpSizeMax > 0 ? udpSizeMax : tcpMessageBytesMax
    while (size > sizeMax && additionalsCount > 0) { size -= records.additionals[picked[--additionalsCount]!]!.length; tc = true }
    while (size > sizeMax && answersCount > 0) { size -= records.answers[picked[--answersCount]!]!.length; tc = true }
    const out = Buffer.allocUnsafe(size)
    this.header(out, query, tc, answersCount, additionalsCount)
    message.copy(out, 12, 12, query.questionEnd)
    let at = 12 + questionBytes
    const answerAt = this.answerOffsets(answersCount)
    for (let i = 0; i < answersCount; i++) {
      answerAt[i] = at
      at += records.answers[picked[i]!]!.copy(out, at)
    }
    for (let i = 0; i < additionalsCount; i++) {
      const extra = records.additionals[picked[i]!]!
      extra.copy(out, at)
      out.writeUInt16BE(0xc000 | (answerAt[i]! + records.targetAt), at)
      at += extra.length
    }
    return out
  }

  private readonly nodeAnswers = new WeakMap<DnsNode, Buffer>()

  /** answerNode answers a plain A query for a node with an IPv4 address; undefined otherwise. */
  answerNode(message: Buffer, query: PlainQuery, node: DnsNode): Buffer | undefined {
    if (query.qtype !== typeA || !isIPv4(node.address)) return undefined
    let record = this.nodeAnswers.get(node)
    if (record === undefined) {
      record = addressRecord(undefined, node.address, this.config.nodeTtl)
      this.nodeAnswers.set(node, record)
    }
    const out = Buffer.allocUnsafe(query.questionEnd + record.length)
    this.header(out, query, false, 1, 0)
    message.copy(out, 12, 12, query.questionEnd)
    record.copy(out, query.questionEnd)
    return out
  }

  private header(out: Buffer, query: PlainQuery, tc: boolean, answers: number, additionals: number): void {
    out.writeUInt16BE(query.id, 0)
    let flags = 0x8000 | 0x0400 // response, authoritative
    if (query.rd) flags |= 0x0100
    if (tc) flags |= 0x0200
    if (this.config.recursionAvailable) flags |= 0x0080
    out.writeUInt16BE(flags, 2)
    out.writeUInt16BE(1, 4)
    out.writeUInt16BE(answers, 6)
    out.writeUInt16BE(0, 8)
    out.writeUInt16BE(additionals, 10)
  }

  private offsets = new Int32Array(16)
  private answerOffsets(count: number): Int32Array {
    if (this.offsets.length < count) this.offsets = new Int32Array(count * 2)
    return this.offsets
  }

  /** pick chooses `take` of `total` indices uniformly at random, in random order (partial Fisher–Yates). */
  private pick(total: number, take: number): Int32Array {
    if (this.order.length < total) this.order = new Int32Array(total * 2)
    const order = this.order
    for (let i = 0; i < total; i++) order[i] = i
    for (let i = 0; i < take; i++) {
      const j = i + this.rng.int(total - i)
      const swap = order[j]!
      order[j] = order[i]!
      order[i] = swap
    }
    return order
  }

  private recordsFor(message: Buffer, query: PlainQuery, service: string, instances: readonly DnsInstance[]): EncodedRecords | null {
    let perList = this.encoded.get(instances)
    if (perList === undefined) { perList = new Map(); this.encoded.set(instances, perList) }
    const key = `${query.qtype}:${query.name}`
    let records = perList.get(key)
    if (records === undefined) {
      records = encodeRecords(message, query, service, instances, this.config)
      if (perList.size >= 64) perList.delete(perList.keys().next().value!)
      perList.set(key, records)
    }
    return records
  }
}

/** encodeRecords pre-encodes a question's answers, or returns null when one cannot be encoded here. */
function encodeRecords(message: Buffer, query: PlainQuery, service: string, instances: readonly DnsInstance[], config: DnsAnswerConfig): EncodedRecords | null {
  const ttl = serviceTtlFor(config.serviceTtlS, service)
  const suffixes = questionSuffixes(message, query.questionEnd)
  const answers: Buffer[] = []
  const additionals: Array<Buffer | undefined> = []
  if (query.qtype === typeA) {
    const seen = new Set<string>()
    for (const instance of instances) {
      if (seen.has(instance.address)) continue
      seen.add(instance.address)
      if (!isIPv4(instance.address)) return null
      answers.push(addressRecord(undefined, instance.address, ttl))
      additionals.push(undefined)
    }
    return { answers, additionals, targetAt: 0 }
  }
  const domain = bareDomain(config.domain)
  for (const instance of instances) {
    if (!isIPv4(instance.address) || !isIPv4(instance.nodeAddress)) return null
    const target = instance.address !== instance.nodeAddress
      ? `${encodeHexIp(instance.address)}.addr.${config.datacenter}.${domain}`
      : `${instance.node}.node.${config.datacenter}.${domain}`
    const name = encodeName(target, suffixes)
    if (name === undefined) return null
    const answer = Buffer.allocUnsafe(srvTargetAt + name.length)
    answer.writeUInt16BE(0xc00c, 0)
    answer.writeUInt16BE(typeSrv, 2)
    answer.writeUInt16BE(1, 4)
    answer.writeUInt32BE(ttl >>> 0, 6)
    answer.writeUInt16BE(6 + name.length, 10)
    answer.writeUInt16BE(1, 12) // priority
    answer.writeUInt16BE(instance.weight & 0xffff, 14)
    answer.writeUInt16BE(instance.port & 0xffff, 16)
    name.copy(answer, srvTargetAt)
    answers.push(answer)
    additionals.push(addressRecord(0, instance.address, ttl))
  }
  return { answers, additionals, targetAt: srvTargetAt }
}

/** addressRecord encodes an A record owned by the question (pointer 12) or by a pointer patched later. */
function addressRecord(owner: number | undefined, address: string, ttl: number): Buffer {
  const record = Buffer.allocUnsafe(16)
  record.writeUInt16BE(owner === undefined ? 0xc00c : 0xc000 | owner, 0)
  record.writeUInt16BE(typeA, 2)
  record.writeUInt16BE(1, 4)
  record.writeUInt32BE(ttl >>> 0, 6)
  record.writeUInt16BE(4, 10)
  const octets = address.split('.')
  for (let i = 0; i < 4; i++) record[12 + i] = Number(octets[i])
  return record
}

/** questionSuffixes maps every suffix of the question name (lower case) to its offset. */
function questionSuffixes(message: Buffer, questionEnd: number): Map<string, number> {
  const out = new Map<string, number>()
  const labels: Array<{ at: number; text: string }> = []
  for (let at = 12; at < questionEnd - 4 && message[at]! > 0; at += 1 + message[at]!) {
    labels.push({ at, text: message.toString('latin1', at + 1, at + 1 + message[at]!).toLowerCase() })
  }
  for (let i = 0; i < labels.length; i++) out.set(labels.slice(i).map((label) => label.text).join('.'), labels[i]!.at)
  return out
}

/** encodeName writes a name whose longest suffix found in the question becomes a pointer. */
function encodeName(name: string, suffixes: Map<string, number>): Buffer | undefined {
  const labels = name.split('.').filter((label) => label !== '')
  const parts: Buffer[] = []
  for (let i = 0; i < labels.length; i++) {
    const pointer = suffixes.get(labels.slice(i).join('.').toLowerCase())
    if (pointer !== undefined && pointer < 0x3fff) {
      parts.push(Buffer.from([0xc0 | (pointer >> 8), pointer & 0xff]))
      return Buffer.concat(parts)
    }
    const bytes = Buffer.from(labels[i]!, 'utf8')
    if (bytes.length === 0 || bytes.length > 63) return undefined
    parts.push(Buffer.from([bytes.length]), bytes)
  }
  parts.push(Buffer.from([0]))
  return Buffer.concat(parts)
}
