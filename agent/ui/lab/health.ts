/**
 * agent/ui/lab/health.ts: health arithmetic for the Services and Nodes views, on Consul's
 * /v1/health JSON. An instance is as healthy as its worst check (node checks such as serfHealth
 * included); a service's summary counts checks by status over all its instances, as Consul's
 * UI does. Pure: the UI and tests call it.
 */

/** CheckStatus is a Consul health check status. */
export type CheckStatus = 'passing' | 'warning' | 'critical'

/** HealthCheckLike is the part of Consul's HealthCheck JSON these functions read. */
export interface HealthCheckLike {
  Node: string
  CheckID: string
  Status: string
  ServiceID?: string
  ServiceName?: string
}

/** HealthSummary counts checks by status and names the worst. */
export interface HealthSummary {
  passing: number
  warning: number
  critical: number
  worst: CheckStatus
}

/** normalizeStatus maps any status string to one of the three (unknown → critical). */
export function normalizeStatus(status: string): CheckStatus {
  return status === 'passing' || status === 'warning' ? status : 'critical'
}

/** summarize counts a list of checks; no checks at all is passing. */
export function summarize(checks: HealthCheckLike[]): HealthSummary {
  const s: HealthSummary = { passing: 0, warning: 0, critical: 0, worst: 'passing' }
  for (const c of checks) s[normalizeStatus(c.Status)] += 1
  s.worst = s.critical > 0 ? 'critical' : s.warning > 0 ? 'warning' : 'passing'
  return s
}

/** ServiceEntryLike is the part of a /v1/health/service/:name entry read here. */
export interface ServiceEntryLike {
  Node: { Node: string }
  Service: { ID: string; Service: string }
  Checks: HealthCheckLike[]
}

/** ServiceSummary is one row of the Services view. */
export interface ServiceSummary extends HealthSummary {
  name: string
  instances: number
  /** instancesByStatus counts instances by their worst check. */
  instancesByStatus: Record<CheckStatus, number>
}

/** summarizeService folds a service's health entries into its list row. */
export function summarizeService(name: string, entries: ServiceEntryLike[]): ServiceSummary {
  const all = entries.flatMap((e) => e.Checks)
  const byStatus: Record<CheckStatus, number> = { passing: 0, warning: 0, critical: 0 }
  for (const e of entries) byStatus[summarize(e.Checks).worst] += 1
  return { name, instances: entries.length, instancesByStatus: byStatus, ...summarize(all) }
}

/** matchesFilter tells whether a service row passes the name text and status filters. */
export function matchesFilter(row: { name: string; worst: CheckStatus }, text: string, status: CheckStatus | 'any'): boolean {
  if (status !== 'any' && row.worst !== status) return false
  return row.name.toLowerCase().includes(text.trim().toLowerCase())
}

/** checksByNode groups checks by node name. */
export function checksByNode(checks: HealthCheckLike[]): Map<string, HealthCheckLike[]> {
  const out = new Map<string, HealthCheckLike[]>()
  for (const c of checks) {
    const list = out.get(c.Node) ?? []
    list.push(c)
    out.set(c.Node, list)
  }
  return out
}

/** memberStatusName maps Consul's numeric /v1/agent/members Status to its name. */
export function memberStatusName(status: number): 'none' | 'alive' | 'leaving' | 'left' | 'failed' {
  switch (status) {
    case 1: return 'alive'
    case 2: return 'leaving'
    case 3: return 'left'
    case 4: return 'failed'
    default: return 'none'
  }
}
