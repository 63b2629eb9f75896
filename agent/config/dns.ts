/**
 * agent/config/dns.ts: the DNS interface's settings (Consul's `dns_config` block plus the
 * top-level `domain`), checked at start: a negative limit, a malformed service_ttl entry or a
 * zero recursor timeout stops the agent with a ZX_ERR_CONFIG message naming the key.
 */
import { dnsConfigDefaults } from './defaults.js'
import { parseDurationMs } from './duration.js'
import { configError, type FlatValue } from './schema.js'

/** DnsConfig is the DNS interface's validated configuration. TTLs are in seconds. */
export interface DnsConfig {
  domain: string
  allowStale: boolean
  maxStaleMs: number
  nodeTtlS: number
  /** serviceTtlS maps a service name (or a `prefix*` pattern, or `*`) to its TTL. */
  serviceTtlS: Readonly<Record<string, number>>
  udpAnswerLimit: number
  aRecordLimit: number
  enableTruncate: boolean
  onlyPassing: boolean
  recursorTimeoutMs: number
  disableCompression: boolean
}

type Get = <T extends FlatValue | undefined>(key: string, fallback: T) => T

/** buildDnsConfig reads `domain` and `dns_config.*` from the merged user config. */
export function buildDnsConfig(get: Get): DnsConfig {
  const domain = get('domain', dnsConfigDefaults.domain as string)
  if (!/^([A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?$/.test(domain)) throw configError(`domain "${domain}" is not a valid DNS name`)
  const serviceTtl = get<Readonly<Record<string, string>>>('dns_config.service_ttl', {})
  const serviceTtlS: Record<string, number> = {}
  for (const [name, text] of Object.entries(serviceTtl)) {
    if (name === '' || (name.includes('*') && name.indexOf('*') !== name.length - 1)) {
      throw configError(`dns_config.service_ttl: "${name}" is not a service name, a "prefix*" pattern or "*"`)
    }
    serviceTtlS[name] = ttlSeconds(text, `dns_config.service_ttl.${name}`)
  }
  const recursorTimeoutMs = durationMs(get('dns_config.recursor_timeout', undefined), dnsConfigDefaults.recursorTimeoutMs, 'dns_config.recursor_timeout')
  if (recursorTimeoutMs <= 0) throw configError('dns_config.recursor_timeout must be positive')
  return {
    domain: domain.endsWith('.') ? domain : `${domain}.`,
    allowStale: get('dns_config.allow_stale', dnsConfigDefaults.allowStale as boolean),
    maxStaleMs: durationMs(get('dns_config.max_stale', undefined), dnsConfigDefaults.maxStaleMs, 'dns_config.max_stale'),
    nodeTtlS: ttlSeconds(get('dns_config.node_ttl', '0s'), 'dns_config.node_ttl'),
    serviceTtlS: Object.freeze(serviceTtlS),
    udpAnswerLimit: limit(get('dns_config.udp_answer_limit', dnsConfigDefaults.udpAnswerLimit as number), 'dns_config.udp_answer_limit'),
    aRecordLimit: limit(get('dns_config.a_record_limit', dnsConfigDefaults.aRecordLimit as number), 'dns_config.a_record_limit'),
    enableTruncate: get('dns_config.enable_truncate', dnsConfigDefaults.enableTruncate as boolean),
    onlyPassing: get('dns_config.only_passing', dnsConfigDefaults.onlyPassing as boolean),
    recursorTimeoutMs,
    disableCompression: get('dns_config.disable_compression', dnsConfigDefaults.disableCompression as boolean),
  }
}

/** defaultDnsConfig is the DNS configuration of an agent that sets nothing. */
export function defaultDnsConfig(): DnsConfig {
  return buildDnsConfig(<T>(_key: string, fallback: T) => fallback)
}

/**
 * serviceTtlFor picks a service's TTL: its exact name first, then the longest matching
 * `prefix*` pattern, then `*`, else 0 (Consul's service_ttl lookup order).
 */
export function serviceTtlFor(serviceTtlS: Readonly<Record<string, number>>, service: string): number {
  const exact = serviceTtlS[service]
  if (exact !== undefined) return exact
  let best: string | undefined
  for (const pattern of Object.keys(serviceTtlS)) {
    if (pattern.length < 2 || !pattern.endsWith('*')) continue
    const prefix = pattern.slice(0, -1)
    if (service.startsWith(prefix) && (best === undefined || prefix.length > best.length - 1)) best = pattern
  }
  return serviceTtlS[best ?? '*'] ?? 0
}

function durationMs(text: string | undefined, fallback: number, key: string): number {
  if (text === undefined) return fallback
  const ms = parseDurationMs(text)
  if (ms === undefined) throw configError(`${key}: "${text}" is not a duration`)
  return ms
}

/** ttlSeconds turns a duration into a DNS TTL: whole seconds, at most 2^31−1 (RFC 2181 §8). */
function ttlSeconds(text: string, key: string): number {
  const seconds = Math.floor(durationMs(text, 0, key) / 1000)
  if (seconds > 0x7fff_ffff) throw configError(`${key}: ${text} is longer than a DNS TTL can be (68 years)`)
  return seconds
}

function limit(value: number, key: string): number {
  if (value < 0) throw configError(`${key} cannot be negative, got ${value}`)
  if (value > dnsConfigDefaults.limitMax) throw configError(`${key} must be at most ${dnsConfigDefaults.limitMax}, got ${value}`)
  return value
}
