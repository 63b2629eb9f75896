/**
 * agent/dns/encode.ts: a fast encoder for the responses this server builds (A, AAAA, CNAME, PTR,
 * SRV, TXT, SOA), with RFC 1035 §4.1.4 name compression. It copies the question straight from
 * the query bytes, so every answer owner name equal to the question is a two-byte pointer, and
 * an SRV target written once is pointed to by its ADDITIONAL address record. Profiling showed
 * dns-packet's generic name encoding dominating the cost of a query; this keeps a hot service
 * lookup to a few small writes. Anything it does not know returns undefined and the caller
 * falls back to dns-packet.
 */
import type * as packet from 'dns-packet'

const typeCodes: Record<string, number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33 }

/** questionEnd returns the offset just past the first question of a query, or -1. */
export function questionEnd(query: Buffer): number {
  let at = 12
  for (let labels = 0; labels < 128; labels++) {
    if (at >= query.length) return -1
    const length = query[at]!
    if (length === 0) return at + 1 + 4 <= query.length ? at + 1 + 4 : -1
    if ((length & 0xc0) !== 0) return -1
    at += 1 + length
  }
  return -1
}

class Writer {
  buffer = Buffer.allocUnsafe(1024)
  length = 0
  /** names maps a lower-cased name to the offset it was first written at (compression). */
  readonly names = new Map<string, number>()

  ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + extra))
    this.buffer.copy(next, 0, 0, this.length)
    this.buffer = next
  }
  u8(value: number): void { this.ensure(1); this.buffer[this.length++] = value }
  u16(value: number): void { this.ensure(2); this.buffer.writeUInt16BE(value, this.length); this.length += 2 }
  u32(value: number): void { this.ensure(4); this.buffer.writeUInt32BE(value >>> 0, this.length); this.length += 4 }
  bytes(data: Buffer): void { this.ensure(data.length); data.copy(this.buffer, this.length); this.length += data.length }

  /** name writes a domain name, ending in a pointer to the longest suffix already written. */
  name(value: string): boolean {
    const trimmed = value.endsWith('.') ? value.slice(0, -1) : value
    if (trimmed === '') { this.u8(0); return true }
    const lower = trimmed.toLowerCase()
    let start = 0
    while (start <= trimmed.length) {
      const seen = this.names.get(start === 0 ? lower : lower.slice(start))
      if (seen !== undefined) { this.u16(0xc000 | seen); return true }
      let end = trimmed.indexOf('.', start)
      if (end < 0) end = trimmed.length
      const length = Buffer.byteLength(trimmed.slice(start, end), 'utf8')
      if (length === 0 || length > 63) return false
      if (this.length < 0x3fff) this.names.set(start === 0 ? lower : lower.slice(start), this.length)
      this.ensure(1 + length)
      this.buffer[this.length++] = length
      this.length += this.buffer.write(trimmed.slice(start, end), this.length, 'utf8')
      start = end + 1
    }
    this.u8(0)
    return true
  }
}

function writeRecord(w: Writer, record: packet.Answer): boolean {
  const code = typeCodes[record.type]
  if (code === undefined) return false
  if (!w.name(record.name)) return false
  w.u16(code)
  w.u16(1) // class IN
  w.u32((record as { ttl?: number }).ttl ?? 0)
  const lengthAt = w.length
  w.u16(0)
  const start = w.length
  const data = (record as { data: unknown }).data
  switch (record.type) {
    case 'A': {
      const octets = String(data).split('.').map(Number)
      if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255))) return false
      for (const octet of octets) w.u8(octet)
      break
    }
    case 'AAAA': return false
    case 'CNAME':
    case 'PTR':
    case 'NS': if (!w.name(String(data))) return false; break
    case 'SRV': {
      const srv = data as packet.SrvData
      w.u16(srv.priority ?? 0); w.u16(srv.weight ?? 0); w.u16(srv.port)
      if (!w.name(srv.target)) return false
      break
    }
    case 'TXT': {
      const parts = Array.isArray(data) ? data : [data]
      for (const part of parts) {
        const bytes = Buffer.isBuffer(part) ? part : Buffer.from(String(part), 'utf8')
        if (bytes.length > 255) return false
        w.u8(bytes.length); w.bytes(bytes)
      }
      break
    }
    case 'SOA': {
      const soa = data as packet.SoaData
      if (!w.name(soa.mname) || !w.name(soa.rname)) return false
      w.u32(soa.serial ?? 0); w.u32(soa.refresh ?? 0); w.u32(soa.retry ?? 0); w.u32(soa.expire ?? 0); w.u32(soa.minimum ?? 0)
      break
    }
    default: return false
  }
  w.buffer.writeUInt16BE(w.length - start, lengthAt)
  return true
}

/**
 * encodeResponse encodes `response` answering the raw `query` (whose first question is copied
 * as is), or returns undefined when a record cannot be encoded here.
 */
export function encodeResponse(response: packet.Packet, query: Buffer): Buffer | undefined {
  const end = questionEnd(query)
  if (end < 0) return undefined
  const w = new Writer()
  const answers = response.answers ?? []
  const authorities = response.authorities ?? []
  const additionals = response.additionals ?? []
  w.u16(response.id ?? 0)
  w.u16(0x8000 | ((response.flags ?? 0) & 0x7fff))
  w.u16(1); w.u16(answers.length); w.u16(authorities.length); w.u16(additionals.length)
  const question = (response.questions ?? [])[0]
  if (question === undefined) return undefined
  w.bytes(query.subarray(12, end))
  // Every suffix of the question name can be pointed to: "web.service.consul", "service.consul", "consul".
  for (let at = 12; at < end - 4 && query[at]! > 0; at += 1 + query[at]!) {
    w.names.set(readName(query, at), at)
  }
  for (const record of [...answers, ...authorities, ...additionals]) if (!writeRecord(w, record)) return undefined
  return w.buffer.subarray(0, w.length)
}

function readName(buffer: Buffer, start: number): string {
  const labels: string[] = []
  for (let at = start; at < buffer.length && buffer[at]! > 0 && labels.length < 128; at += 1 + buffer[at]!) {
    labels.push(buffer.toString('utf8', at + 1, at + 1 + buffer[at]!))
  }
  return labels.join('.').toLowerCase()
}
