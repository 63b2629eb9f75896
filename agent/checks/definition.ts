/**
 * agent/checks/definition.ts: a health check as the agent runs it, decoded from the JSON that
 * /v1/agent/check/register and service registration bodies carry (CamelCase or snake_case, as
 * Consul accepts both). The decoded form keeps durations in ms; `toApiDefinition` turns it back
 * into the `Definition` object HealthCheck JSON shows.
 */
import { ZxError } from '../errors.js'
import { formatDuration, parseDurationMs } from './duration.js'

/** HealthStatus is a check's state; maintenance is reported as critical, as in Consul. */
export type HealthStatus = 'passing' | 'warning' | 'critical'

/** CheckKind is how a check gets its status: a runner (http, tcp, script, ttl) or only API calls. */
export type CheckKind = 'ttl' | 'http' | 'tcp' | 'script' | 'manual'

/** HttpCheckSpec is what an HTTP check requests. */
export interface HttpCheckSpec {
  url: string
  method: string
  header: Record<string, string[]>
  body: string
  tlsSkipVerify: boolean
}

/** CheckDefinition is one check as the agent stores and runs it. */
export interface CheckDefinition {
  checkId: string
  name: string
  serviceId: string
  notes: string
  kind: CheckKind
  intervalMs: number
  timeoutMs: number
  ttlMs: number
  http: HttpCheckSpec | undefined
  tcp: string | undefined
  args: string[] | undefined
  deregisterCriticalServiceAfterMs: number
  outputMaxSize: number
  successBeforePassing: number
  failuresBeforeCritical: number
  initialStatus: HealthStatus
}

/** checkDefaults are Consul's defaults for a check definition. */
export const checkDefaults = {
  timeoutMs: 10_000,               // Consul: HTTP/TCP/script timeout 10s unless given
  outputMaxSize: 4096,             // Consul: check_output_max_size 4096 bytes
  initialStatus: 'critical' as HealthStatus, // a new check is critical until proven healthy
  deregisterCriticalMinMs: 60_000, // Consul: DeregisterCriticalServiceAfter minimum 1m
  intervalMinMs: 1_000,            // Consul warns below 1s and raises the interval to 1s
  reapIntervalMs: 30_000,          // Consul: check_reap_interval 30s
} as const

/** normalizeKeys maps CamelCase and snake_case keys to one lower-case, underscore-free form. */
export function normalizeKeys(value: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>()
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, entry] of Object.entries(value)) out.set(key.replace(/_/g, '').toLowerCase(), entry)
  }
  return out
}

function str(fields: Map<string, unknown>, key: string, field: string): string {
  const value = fields.get(key)
  if (value === undefined || value === null) return ''
  if (typeof value !== 'string') throw new ZxError('ZX_ERR_BAD_REQUEST', `Request decode failed: ${field} must be a string`)
  return value
}

function duration(fields: Map<string, unknown>, key: string, field: string): number {
  const value = fields.get(key)
  return value === undefined || value === null || value === '' ? 0 : parseDurationMs(value, field)
}

function count(fields: Map<string, unknown>, key: string): number {
  const value = fields.get(key)
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : 0
}

/** parseStatus validates a status string (empty → undefined). */
export function parseStatus(value: unknown): HealthStatus | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (value === 'passing' || value === 'warning' || value === 'critical') return value
  throw new ZxError('ZX_ERR_BAD_REQUEST', `Invalid check status: "${String(value)}"`)
}

function headers(value: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return out
  for (const [name, entry] of Object.entries(value)) {
    const list = Array.isArray(entry) ? entry : [entry]
    out[name] = list.filter((item): item is string => typeof item === 'string')
  }
  return out
}

/**
 * parseCheckDefinition decodes one check body. `defaults` supplies the ID/name/service a service
 * registration gives its embedded checks. Throws ZX_ERR_BAD_REQUEST on invalid input.
 */
export function parseCheckDefinition(body: unknown, defaults: { checkId?: string; name?: string; serviceId?: string } = {}): CheckDefinition {
  const fields = normalizeKeys(body)
  const name = str(fields, 'name', 'Name') || defaults.name || ''
  const checkId = str(fields, 'checkid', 'CheckID') || str(fields, 'id', 'ID') || defaults.checkId || name
  if (checkId === '') throw new ZxError('ZX_ERR_BAD_REQUEST', 'Missing check name')
  const args = fields.get('args') ?? fields.get('scriptargs')
  if (args !== undefined && args !== null && (!Array.isArray(args) || args.some((arg) => typeof arg !== 'string'))) {
    throw new ZxError('ZX_ERR_BAD_REQUEST', 'Request decode failed: Args must be a list of strings')
  }
  const httpUrl = str(fields, 'http', 'HTTP')
  const tcp = str(fields, 'tcp', 'TCP')
  const ttlMs = duration(fields, 'ttl', 'TTL')
  const kind: CheckKind = ttlMs > 0 ? 'ttl' : httpUrl ? 'http' : tcp ? 'tcp' : Array.isArray(args) && args.length > 0 ? 'script' : 'manual'
  let intervalMs = duration(fields, 'interval', 'Interval')
  if ((kind === 'http' || kind === 'tcp' || kind === 'script') && intervalMs <= 0) {
    throw new ZxError('ZX_ERR_BAD_REQUEST', 'Interval must be > 0 for Script, HTTP, H2PING, or TCP checks')
  }
  if (intervalMs > 0 && intervalMs < checkDefaults.intervalMinMs) intervalMs = checkDefaults.intervalMinMs
  let deregisterMs = duration(fields, 'deregistercriticalserviceafter', 'DeregisterCriticalServiceAfter')
  if (deregisterMs > 0 && deregisterMs < checkDefaults.deregisterCriticalMinMs) deregisterMs = checkDefaults.deregisterCriticalMinMs
  const outputMaxSize = count(fields, 'outputmaxsize') || checkDefaults.outputMaxSize
  return {
    checkId,
    name: name || checkId,
    serviceId: str(fields, 'serviceid', 'ServiceID') || defaults.serviceId || '',
    notes: str(fields, 'notes', 'Notes'),
    kind,
    intervalMs,
    timeoutMs: duration(fields, 'timeout', 'Timeout') || checkDefaults.timeoutMs,
    ttlMs,
    http: kind === 'http'
      ? { url: httpUrl, method: str(fields, 'method', 'Method') || 'GET', header: headers(fields.get('header')), body: str(fields, 'body', 'Body'), tlsSkipVerify: fields.get('tlsskipverify') === true }
      : undefined,
    tcp: kind === 'tcp' ? tcp : undefined,
    args: kind === 'script' ? (args as string[]) : undefined,
    deregisterCriticalServiceAfterMs: deregisterMs,
    outputMaxSize,
    successBeforePassing: count(fields, 'successbeforepassing'),
    failuresBeforeCritical: count(fields, 'failuresbeforecritical'),
    initialStatus: parseStatus(fields.get('status')) ?? checkDefaults.initialStatus,
  }
}

/** checkType is the HealthCheck `Type` field Consul reports for a kind ("" for manual checks). */
export function checkType(kind: CheckKind): string {
  return kind === 'manual' ? '' : kind
}

/** toApiDefinition renders the HealthCheck `Definition` object. */
export function toApiDefinition(definition: CheckDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (definition.intervalMs > 0) out.Interval = formatDuration(definition.intervalMs)
  if (definition.kind !== 'ttl' && definition.kind !== 'manual') out.Timeout = formatDuration(definition.timeoutMs)
  if (definition.ttlMs > 0) out.TTL = formatDuration(definition.ttlMs)
  if (definition.http) {
    out.HTTP = definition.http.url
    out.Method = definition.http.method
    out.Header = definition.http.header
    out.Body = definition.http.body
    out.TLSSkipVerify = definition.http.tlsSkipVerify
  }
  if (definition.tcp) out.TCP = definition.tcp
  if (definition.args) out.ScriptArgs = definition.args
  if (definition.deregisterCriticalServiceAfterMs > 0) out.DeregisterCriticalServiceAfter = formatDuration(definition.deregisterCriticalServiceAfterMs)
  return out
}

/** truncateOutput caps check output at `maxBytes` UTF-8 bytes, noting how much was dropped. */
export function truncateOutput(output: string, maxBytes: number): string {
  const bytes = Buffer.from(output, 'utf8')
  if (bytes.length <= maxBytes) return output
  return `${bytes.subarray(0, maxBytes).toString('utf8')} ... (captured ${maxBytes} of ${bytes.length} bytes)`
}
