/**
 * agent/dns/handler.ts: the socket-free core of the DNS server: bytes in, bytes (or a drop) out.
 * Decoding, FORMERR for malformed messages with a header, answering from the backend, recursion
 * and SERVFAIL on backend errors all happen here, so the fuzz test drives it without sockets.
 * Plain A/SRV service queries take the pre-encoded fast path (fast.ts) unless compression is
 * disabled (dns_config.disable_compression: then dns-packet encodes every response uncompressed).
 */
import * as packet from 'dns-packet'
import type { Prng } from '../util/prng.js'
import type { DnsBackend } from './backend.js'
import { answerQuery, rcode, respond, type DnsAnswerConfig } from './answer.js'
import { encodeResponse } from './encode.js'
import { FastAnswers, readPlainQuery, type PlainQuery } from './fast.js'
import { parseLookup, type DnsLookup } from './names.js'
import { forwardQuery } from './recursor.js'

/** DnsStats are the server's counters. */
export interface DnsStats { queries: number; tcpQueries: number; formErr: number; dropped: number; servFail: number; recursed: number }

/** udpSizeLimits bound the UDP payload: RFC 1035's 512 without EDNS, at most 4096 with it. */
export const udpSizeLimits = { min: 512, max: 4096 } as const

/** DnsHandlerOptions configure a DnsHandler. */
export interface DnsHandlerOptions {
  backend: DnsBackend
  config: DnsAnswerConfig
  recursors: readonly string[]
  recursorTimeoutMs: number
  rng: Prng
  /** disableCompression encodes responses without name compression (and skips the fast path). */
  disableCompression: boolean
}

/** lookupMemoMax bounds the memo of parsed question names (hot names repeat). */
const lookupMemoMax = 4_096

/** DnsHandler answers raw DNS messages. */
export class DnsHandler {
  readonly stat: DnsStats = { queries: 0, tcpQueries: 0, formErr: 0, dropped: 0, servFail: 0, recursed: 0 }

  private readonly fast: FastAnswers
  private readonly lookups = new Map<string, DnsLookup>()

  constructor(private readonly options: DnsHandlerOptions) {
    this.fast = new FastAnswers(options.config, options.rng)
  }

  /** handle answers one message; undefined means drop. Never throws. */
  async handle(message: Buffer, overTcp: boolean): Promise<Buffer | undefined> {
    this.stat.queries++
    if (!this.options.disableCompression) {
      const plain = readPlainQuery(message)
      if (plain !== undefined) {
        const answered = await this.fastPath(message, plain, overTcp)
        if (answered !== undefined) return answered
      }
    }
    let query: packet.DecodedPacket
    try {
      query = packet.decode(message)
    } catch {
      return this.formErr(message)
    }
    if (query.type === 'response') { this.stat.dropped++; return undefined }
    try {
      const reply = await answerQuery(query, this.options.backend, this.options.config, overTcp ? 0 : udpSize(query), this.options.rng)
      if (reply.kind === 'response') return (this.options.disableCompression ? undefined : encodeResponse(reply.packet, message)) ?? packet.encode(reply.packet)
      return await this.recurse(query, message)
    } catch {
      this.stat.servFail++
      return encodeOrDrop(respond(query, this.options.config, rcode.servFail, [], [], []), this.stat)
    }
  }

  /** fastPath answers a plain service query from pre-encoded records, or returns undefined. */
  private async fastPath(message: Buffer, plain: PlainQuery, overTcp: boolean): Promise<Buffer | undefined> {
    const config = this.options.config
    let lookup = this.lookups.get(plain.name)
    if (lookup === undefined) {
      lookup = parseLookup(plain.name, config.domain)
      if (this.lookups.size >= lookupMemoMax) this.lookups.clear()
      this.lookups.set(plain.name, lookup)
    }
    if ((lookup.kind !== 'service' && lookup.kind !== 'node') || (lookup.dc !== undefined && lookup.dc !== config.datacenter.toLowerCase())) return undefined
    try {
      if (lookup.kind === 'node') {
        const pending = this.options.backend.node(lookup.node)
        const node = pending instanceof Promise ? await pending : pending
        return node === undefined ? undefined : this.fast.answerNode(message, plain, node)
      }
      const pending = this.options.backend.serviceInstances(lookup.service, lookup.tag)
      const instances = pending instanceof Promise ? await pending : pending
      return this.fast.answer(message, plain, lookup.service, instances, overTcp)
    } catch {
      return undefined // the general path answers SERVFAIL
    }
  }

  private async recurse(query: packet.DecodedPacket, message: Buffer): Promise<Buffer | undefined> {
    const recursors = this.options.recursors
    if (recursors.length === 0) return encodeOrDrop(respond(query, this.options.config, rcode.refused, [], [], []), this.stat)
    this.stat.recursed++
    const answer = await forwardQuery(message, recursors, this.options.recursorTimeoutMs)
    if (answer !== undefined) return answer
    this.stat.servFail++
    return encodeOrDrop(respond(query, this.options.config, rcode.servFail, [], [], []), this.stat)
  }

  /** formErr answers an undecodable message that at least has a header, echoing its id. */
  private formErr(message: Buffer): Buffer | undefined {
    if (message.length < 12 || (message.readUInt16BE(2) & 0x8000) !== 0) { this.stat.dropped++; return undefined }
    this.stat.formErr++
    const response = Buffer.alloc(12)
    response.writeUInt16BE(message.readUInt16BE(0), 0)
    response.writeUInt16BE(0x8000 | (message.readUInt16BE(2) & 0x7800) | rcode.formErr, 2)
    return response
  }
}

function udpSize(query: packet.DecodedPacket): number {
  const opt = query.additionals?.find((record) => record.type === 'OPT') as { udpPayloadSize?: number } | undefined
  const advertised = opt?.udpPayloadSize ?? 0
  return Math.min(udpSizeLimits.max, Math.max(udpSizeLimits.min, advertised))
}

function encodeOrDrop(reply: ReturnType<typeof respond>, stat: DnsStats): Buffer | undefined {
  if (reply.kind !== 'response') return undefined
  try {
    return packet.encode(reply.packet)
  } catch {
    stat.dropped++
    return undefined
  }
}
