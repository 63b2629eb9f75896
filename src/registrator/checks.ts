/**
 * src/registrator/checks.ts: the Consul check registrator attaches to a service, from the
 * SERVICE_CHECK_* metadata. The first kind present wins, in registrator's order: HTTP, HTTPS,
 * TTL, TCP. CHECK_INTERVAL (default 10s), CHECK_TIMEOUT, CHECK_INITIAL_STATUS and
 * CHECK_DEREGISTER_AFTER modify it. Script checks (CHECK_CMD/CHECK_SCRIPT) are not supported:
 * the zx agent does not run scripts for registered services.
 */
import type { Metadata } from './metadata.js'

/** CheckDefinition is the `Check` object of PUT /v1/agent/service/register. */
export interface CheckDefinition {
  HTTP?: string
  Method?: string
  TCP?: string
  TTL?: string
  TLSSkipVerify?: boolean
  Interval?: string
  Timeout?: string
  Status?: string
  DeregisterCriticalServiceAfter?: string
}

/** checkFor builds the check for a service reachable at address:port, or undefined for none. */
export function checkFor(metadata: Metadata, address: string, port: number, defaultInterval: string): CheckDefinition | undefined {
  const host = address.includes(':') ? `[${address}]` : address
  let check: CheckDefinition | undefined
  if (metadata.check_http !== undefined) {
    check = { HTTP: `http://${host}:${port}${withSlash(metadata.check_http)}`, Interval: metadata.check_interval ?? defaultInterval }
    if (metadata.check_http_method !== undefined) check.Method = metadata.check_http_method
  } else if (metadata.check_https !== undefined) {
    check = { HTTP: `https://${host}:${port}${withSlash(metadata.check_https)}`, Interval: metadata.check_interval ?? defaultInterval }
    if (metadata.check_https_method !== undefined) check.Method = metadata.check_https_method
    if (metadata.check_tls_skip_verify !== undefined) check.TLSSkipVerify = truthy(metadata.check_tls_skip_verify)
  } else if (metadata.check_ttl !== undefined) {
    check = { TTL: metadata.check_ttl }
  } else if (metadata.check_tcp !== undefined && truthy(metadata.check_tcp)) {
    check = { TCP: `${host}:${port}`, Interval: metadata.check_interval ?? defaultInterval }
  }
  if (check === undefined) return undefined
  if (metadata.check_timeout !== undefined && check.TTL === undefined) check.Timeout = metadata.check_timeout
  if (metadata.check_initial_status !== undefined) check.Status = metadata.check_initial_status
  if (metadata.check_deregister_after !== undefined) check.DeregisterCriticalServiceAfter = metadata.check_deregister_after
  return check
}

function withSlash(path: string): string {
  return path.startsWith('/') ? path : `/${path}`
}

function truthy(value: string): boolean {
  return !['', '0', 'false', 'no', 'off'].includes(value.toLowerCase())
}
