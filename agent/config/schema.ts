/**
 * agent/config/schema.ts: the user-facing configuration vocabulary. Both JSON config keys
 * (Consul's snake_case names) and command-line flags are described here once, so the flag
 * parser and the file loader accept exactly the same settings and reject everything else.
 */
import { ZxError } from '../errors.js'
import { parseDurationMs } from './duration.js'

/** ValueKind is how one setting's value is read. */
export type ValueKind = 'bool' | 'int' | 'string' | 'strings' | 'duration' | 'durations'

/** UserConfig is user input after parsing: a tree of Consul keys with checked scalar types. */
export type UserConfig = { [key: string]: UserValue }
/** UserValue is one parsed value in a UserConfig. */
export type UserValue = boolean | number | string | string[] | UserConfig
/** FlatValue is one checked setting; 'durations' maps (dns_config.service_ttl) are name → duration. */
export type FlatValue = boolean | number | string | string[] | Readonly<Record<string, string>>

/** configKeys maps every accepted JSON key (dotted for nested objects) to its kind. */
export const configKeys: Record<string, ValueKind> = {
  server: 'bool',
  bootstrap: 'bool',
  bootstrap_expect: 'int',
  bind_addr: 'string',
  advertise_addr: 'string',
  client_addr: 'string',
  data_dir: 'string',
  datacenter: 'string',
  node_name: 'string',
  node_id: 'string',
  encrypt: 'string',
  start_join: 'strings',
  retry_join: 'strings',
  retry_interval: 'duration',
  retry_max: 'int',
  rejoin_after_leave: 'bool',
  log_level: 'string',
  ui: 'bool',
  'ui_config.enabled': 'bool',
  pid_file: 'string',
  enable_syslog: 'bool',
  protocol: 'int',
  'ports.http': 'int',
  'ports.dns': 'int',
  'ports.server': 'int',
  'ports.serf_lan': 'int',
  'ports.serf_wan': 'int',
  'performance.raft_multiplier': 'int',
  enable_script_checks: 'bool',
  skip_leave_on_interrupt: 'bool',
  leave_on_terminate: 'bool',
  recursors: 'strings',
  domain: 'string',
  'limits.http_max_conns_per_client': 'int',
  // dns_config (Consul's names; meaning and defaults in agent/config/dns.ts)
  'dns_config.allow_stale': 'bool',
  'dns_config.max_stale': 'duration',
  'dns_config.node_ttl': 'duration',
  'dns_config.service_ttl': 'durations',
  'dns_config.udp_answer_limit': 'int',
  'dns_config.a_record_limit': 'int',
  'dns_config.enable_truncate': 'bool',
  'dns_config.only_passing': 'bool',
  'dns_config.recursor_timeout': 'duration',
  'dns_config.disable_compression': 'bool',
}

/** FlagSpec says which config key a flag sets; `repeat` flags append to a list. */
export interface FlagSpec {
  key: string
  kind: ValueKind
}

/** flagSpecs maps every accepted flag name (without dashes) to its config key. */
export const flagSpecs: Record<string, FlagSpec> = {
  server: { key: 'server', kind: 'bool' },
  bootstrap: { key: 'bootstrap', kind: 'bool' },
  'bootstrap-expect': { key: 'bootstrap_expect', kind: 'int' },
  bind: { key: 'bind_addr', kind: 'string' },
  advertise: { key: 'advertise_addr', kind: 'string' },
  client: { key: 'client_addr', kind: 'string' },
  'data-dir': { key: 'data_dir', kind: 'string' },
  datacenter: { key: 'datacenter', kind: 'string' },
  dc: { key: 'datacenter', kind: 'string' },
  node: { key: 'node_name', kind: 'string' },
  'node-id': { key: 'node_id', kind: 'string' },
  encrypt: { key: 'encrypt', kind: 'string' },
  join: { key: 'start_join', kind: 'strings' },
  'retry-join': { key: 'retry_join', kind: 'strings' },
  'retry-interval': { key: 'retry_interval', kind: 'duration' },
  'retry-max': { key: 'retry_max', kind: 'int' },
  rejoin: { key: 'rejoin_after_leave', kind: 'bool' },
  'log-level': { key: 'log_level', kind: 'string' },
  ui: { key: 'ui', kind: 'bool' },
  'pid-file': { key: 'pid_file', kind: 'string' },
  syslog: { key: 'enable_syslog', kind: 'bool' },
  protocol: { key: 'protocol', kind: 'int' },
  'http-port': { key: 'ports.http', kind: 'int' },
  'dns-port': { key: 'ports.dns', kind: 'int' },
  'server-port': { key: 'ports.server', kind: 'int' },
  'serf-lan-port': { key: 'ports.serf_lan', kind: 'int' },
  'serf-wan-port': { key: 'ports.serf_wan', kind: 'int' },
  'enable-script-checks': { key: 'enable_script_checks', kind: 'bool' },
  recursor: { key: 'recursors', kind: 'strings' },
  domain: { key: 'domain', kind: 'string' },
}

/** checkValue validates one raw value against its kind; `where` names the source in errors. */
export function checkValue(kind: ValueKind, raw: unknown, where: string): FlatValue {
  switch (kind) {
    case 'bool':
      if (typeof raw === 'boolean') return raw
      if (raw === 'true') return true
      if (raw === 'false') return false
      throw configError(`${where}: expected a boolean, got ${JSON.stringify(raw)}`)
    case 'int': {
      const value = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value
      throw configError(`${where}: expected an integer, got ${JSON.stringify(raw)}`)
    }
    case 'string':
      if (typeof raw === 'string') return raw
      throw configError(`${where}: expected a string, got ${JSON.stringify(raw)}`)
    case 'strings':
      if (typeof raw === 'string') return [raw]
      if (Array.isArray(raw) && raw.every((item) => typeof item === 'string')) return [...raw] as string[]
      throw configError(`${where}: expected a list of strings, got ${JSON.stringify(raw)}`)
    case 'duration': {
      if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0) return `${raw}s`
      if (typeof raw === 'string' && parseDurationMs(raw) !== undefined) return raw
      throw configError(`${where}: expected a duration like "30s", got ${JSON.stringify(raw)}`)
    }
    case 'durations': {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw configError(`${where}: expected an object of name → duration, got ${JSON.stringify(raw)}`)
      const out: Record<string, string> = {}
      for (const [name, value] of Object.entries(raw as Record<string, unknown>)) out[name] = checkValue('duration', value, `${where}.${name}`) as string
      return Object.freeze(out)
    }
  }
}

/** configError builds the ZX_ERR_CONFIG error every config problem is reported with. */
export function configError(message: string): ZxError {
  return new ZxError('ZX_ERR_CONFIG', message)
}
