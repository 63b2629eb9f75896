/**
 * agent/dns/names.ts: turns a question name into what it asks for, following Consul's DNS
 * interface: `<node>.node[.<dc>].<domain>`, `[<tag>.]<service>.service[.<dc>].<domain>`, RFC 2782
 * `_<service>._<tag|tcp>[.service][.<dc>].<domain>`, `<hexip>.addr[.<dc>].<domain>` and reverse
 * `d.c.b.a.in-addr.arpa`. Anything else is 'foreign' (recursors) or 'invalid' (NXDOMAIN). Pure:
 * no state, no I/O.
 */

const bare = new Map<string, string>()

/** bareDomain lower-cases a domain and drops its trailing dot ("consul." → "consul"), memoised. */
export function bareDomain(domain: string): string {
  let out = bare.get(domain)
  if (out === undefined) {
    out = domain.toLowerCase().replace(/\.$/, '')
    if (bare.size < 64) bare.set(domain, out)
  }
  return out
}

/** DnsLookup is what one question name asks for. */
export type DnsLookup =
  | { kind: 'node'; node: string; dc: string | undefined }
  | { kind: 'service'; service: string; tag: string | undefined; dc: string | undefined; rfc2782: boolean }
  | { kind: 'addr'; address: string; dc: string | undefined }
  | { kind: 'ptr'; address: string }
  | { kind: 'foreign' }
  | { kind: 'invalid' }

const typeLabels = new Set(['node', 'service', 'addr', 'query'])

/** parseLookup interprets a question name (case-insensitive) against the agent's domain. */
export function parseLookup(qname: string, domain: string): DnsLookup {
  const lower = qname.toLowerCase()
  const name = lower.endsWith('.') ? lower.slice(0, -1) : lower
  const suffix = bareDomain(domain)
  if (name.endsWith('.in-addr.arpa')) return parseReverse(name)
  if (name !== suffix && !name.endsWith(`.${suffix}`)) return { kind: 'foreign' }
  const labels = name === suffix ? [] : name.slice(0, name.length - suffix.length - 1).split('.')
  if (labels.length === 0 || labels.some((label) => label === '')) return { kind: 'invalid' }
  if (labels.length >= 2 && labels[0]!.startsWith('_') && labels[1]!.startsWith('_')) return parseRfc2782(labels)
  let dc: string | undefined
  let typeAt = labels.length - 1
  if (!typeLabels.has(labels[typeAt]!) && typeAt >= 1 && typeLabels.has(labels[typeAt - 1]!)) {
    dc = labels[typeAt]
    typeAt--
  }
  const type = labels[typeAt]
  const head = labels.slice(0, typeAt)
  switch (type) {
    case 'node':
      // Node names may themselves contain dots in Consul only with care; join what is left.
      return head.length >= 1 ? { kind: 'node', node: head.join('.'), dc } : { kind: 'invalid' }
    case 'service':
      if (head.length === 1) return { kind: 'service', service: head[0]!, tag: undefined, dc, rfc2782: false }
      if (head.length === 2) return { kind: 'service', service: head[1]!, tag: head[0]!, dc, rfc2782: false }
      return { kind: 'invalid' }
    case 'addr': {
      const address = head.length === 1 ? decodeHexIp(head[0]!) : undefined
      return address === undefined ? { kind: 'invalid' } : { kind: 'addr', address, dc }
    }
    default:
      return { kind: 'invalid' }
  }
}

function parseRfc2782(labels: string[]): DnsLookup {
  const service = labels[0]!.slice(1)
  const protocolOrTag = labels[1]!.slice(1)
  let rest = labels.slice(2)
  if (rest[0] === 'service') rest = rest.slice(1)
  if (service === '' || protocolOrTag === '' || rest.length > 1) return { kind: 'invalid' }
  const tag = protocolOrTag === 'tcp' ? undefined : protocolOrTag
  return { kind: 'service', service, tag, dc: rest[0], rfc2782: true }
}

function parseReverse(name: string): DnsLookup {
  const octets = name.slice(0, -'.in-addr.arpa'.length).split('.')
  if (octets.length !== 4 || octets.some((octet) => !/^\d{1,3}$/.test(octet) || Number(octet) > 255)) return { kind: 'foreign' }
  return { kind: 'ptr', address: octets.reverse().join('.') }
}

/** decodeHexIp decodes the `<hexip>` of an .addr name (8 hex digits = IPv4). */
export function decodeHexIp(hex: string): string | undefined {
  if (!/^[0-9a-f]{8}$/.test(hex)) return undefined
  return [0, 2, 4, 6].map((at) => parseInt(hex.slice(at, at + 2), 16)).join('.')
}

const dottedQuad = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

/** encodeHexIp encodes an IPv4 address as the `<hexip>` label Consul uses in SRV targets. */
export function encodeHexIp(address: string): string | undefined {
  const match = dottedQuad.exec(address)
  if (match === null) return undefined
  let out = ''
  for (let i = 1; i <= 4; i++) {
    const octet = Number(match[i])
    if (octet > 255) return undefined
    out += octet.toString(16).padStart(2, '0')
  }
  return out
}

/** isIPv4 tells whether a string is a dotted-quad IPv4 address (hot in DNS answers: one regex). */
export function isIPv4(address: string): boolean {
  const match = dottedQuad.exec(address)
  return match !== null && Number(match[1]) <= 255 && Number(match[2]) <= 255 && Number(match[3]) <= 255 && Number(match[4]) <= 255
}

/** isIPv6 tells whether a string looks like an IPv6 address. */
export function isIPv6(address: string): boolean {
  return address.includes(':') && /^[0-9a-fA-F:.]+$/.test(address)
}
