/**
 * agent/state/catalog.ts: the catalog tables of the replicated state: nodes, the service
 * instances registered on each node and the health checks of nodes and instances. Writes come
 * only from committed Raft commands (Register, Deregister, CheckStatus) and are deterministic;
 * a write that changes nothing leaves indexes alone, as Consul does, so idempotent anti-entropy
 * syncs do not wake blocking queries. Each write bumps, through the shared TableIndexes, the
 * tables it touched: `nodes`, `services`, `checks` and `service:<name>` for every service whose
 * health view changed (so a watch on one service is not woken by every other service).
 */
import type { TableIndexes } from './indexes.js'
import type { HealthStatus } from '../checks/definition.js'
import {
  sameJson,
  type CatalogApplyResult, type CheckRecord, type CheckStatusRequest, type DeregisterRequest,
  type NodeRecord, type RegisterRequest, type ServiceRecord,
} from './catalog-types.js'
import { CatalogReads } from './catalog-read.js'

/** catalogTables are the table names the catalog bumps (plus `service:<name>`). */
export const catalogTables = { nodes: 'nodes', services: 'services', checks: 'checks' } as const

/** serviceTable is the per-service index a health or catalog watch on one service waits on. */
export function serviceTable(name: string): string {
  return `service:${name}`
}

/** CatalogSnapshot is the catalog's part of a state snapshot. */
export interface CatalogSnapshot {
  nodes: NodeRecord[]
  services: Array<{ node: string; service: ServiceRecord }>
  checks: CheckRecord[]
}

/** HealthLossListener hears, during apply, of checks that went critical or away (sessions). */
export type HealthLossListener = (node: string, checkIds: string[] | 'node') => void

/** CatalogTables holds the catalog and applies catalog commands. */
export class CatalogTables extends CatalogReads {
  private healthLoss: HealthLossListener | undefined

  constructor(indexes: TableIndexes) {
    super(indexes)
  }

  /** onHealthLoss sets the (single) listener sessions use to invalidate themselves. */
  onHealthLoss(listener: HealthLossListener | undefined): void { this.healthLoss = listener }

  /** applyRegister upserts a node, optionally one service and checks, atomically. */
  applyRegister(index: number, req: RegisterRequest): CatalogApplyResult {
    if (!isRegisterShape(req)) return { ok: false, error: 'malformed register request' }
    const error = this.validateRegister(req)
    if (error !== undefined) return { ok: false, error }
    const touched = new Set<string>()
    const existing = this.nodes.get(req.Node)
    if (existing === undefined || !req.SkipNodeUpdate) this.upsertNode(index, req, existing, touched)
    if (req.Service !== undefined && req.Service !== null) this.upsertService(index, req.Node, req.Service, touched)
    const lost: string[] = []
    for (const check of req.Checks) this.upsertCheck(index, req.Node, check, touched, lost)
    this.bump(index, touched)
    if (lost.length > 0) this.healthLoss?.(req.Node, lost)
    return { ok: true }
  }

  private validateRegister(req: RegisterRequest): string | undefined {
    if (typeof req.Node !== 'string' || req.Node === '') return 'Must provide node'
    if (!this.nodes.has(req.Node) && req.SkipNodeUpdate && req.Address === '') return 'Must provide address'
    for (const check of req.Checks) {
      if (check.ServiceID === '') continue
      const known = this.services.get(req.Node)?.has(check.ServiceID) || req.Service?.ID === check.ServiceID
      if (!known) return `Unknown service ID '${check.ServiceID}' for check ID '${check.CheckID}'`
    }
    return undefined
  }

  private upsertNode(index: number, req: RegisterRequest, existing: NodeRecord | undefined, touched: Set<string>): void {
    const next: NodeRecord = {
      ID: req.ID || existing?.ID || '',
      Node: req.Node,
      Address: req.Address,
      Datacenter: req.Datacenter,
      TaggedAddresses: req.TaggedAddresses,
      Meta: req.NodeMeta,
      CreateIndex: existing?.CreateIndex ?? index,
      ModifyIndex: existing?.ModifyIndex ?? index,
    }
    if (existing !== undefined && sameJson(next, existing)) return
    this.nodes.set(req.Node, { ...next, ModifyIndex: index })
    touched.add(catalogTables.nodes)
    for (const service of this.services.get(req.Node)?.values() ?? []) touched.add(serviceTable(service.Service))
  }

  private upsertService(index: number, node: string, spec: RegisterRequest['Service'] & object, touched: Set<string>): void {
    let onNode = this.services.get(node)
    if (onNode === undefined) { onNode = new Map(); this.services.set(node, onNode) }
    const existing = onNode.get(spec.ID)
    const next: ServiceRecord = { ...spec, CreateIndex: existing?.CreateIndex ?? index, ModifyIndex: existing?.ModifyIndex ?? index }
    if (existing !== undefined && sameJson(next, existing)) return
    if (existing !== undefined && existing.Service !== spec.Service) {
      this.unindexService(node, existing)
      touched.add(serviceTable(existing.Service))
    }
    onNode.set(spec.ID, { ...next, ModifyIndex: index })
    this.indexService(node, spec.Service, spec.ID)
    touched.add(catalogTables.services)
    touched.add(serviceTable(spec.Service))
    // Checks carry the service's name and tags; refresh them when those change.
    for (const check of this.checks.get(node)?.values() ?? []) {
      if (check.ServiceID !== spec.ID) continue
      if (check.ServiceName === spec.Service && sameJson(check.ServiceTags, spec.Tags)) continue
      this.checks.get(node)!.set(check.CheckID, { ...check, ServiceName: spec.Service, ServiceTags: spec.Tags, ModifyIndex: index })
      touched.add(catalogTables.checks)
    }
  }

  private upsertCheck(index: number, node: string, spec: RegisterRequest['Checks'][number], touched: Set<string>, lost: string[]): void {
    let onNode = this.checks.get(node)
    if (onNode === undefined) { onNode = new Map(); this.checks.set(node, onNode) }
    const existing = onNode.get(spec.CheckID)
    const service = spec.ServiceID === '' ? undefined : this.services.get(node)?.get(spec.ServiceID)
    const next: CheckRecord = {
      Node: node,
      CheckID: spec.CheckID,
      Name: spec.Name,
      Status: spec.Status,
      Notes: spec.Notes,
      Output: spec.Output,
      ServiceID: spec.ServiceID,
      ServiceName: service?.Service ?? '',
      ServiceTags: service?.Tags ?? [],
      Type: spec.Type,
      Definition: spec.Definition,
      CreateIndex: existing?.CreateIndex ?? index,
      ModifyIndex: existing?.ModifyIndex ?? index,
    }
    if (existing !== undefined && sameJson(next, existing)) return
    if (existing !== undefined && existing.ServiceID !== '' && existing.ServiceID !== spec.ServiceID) this.touchChecked(node, existing, touched)
    onNode.set(spec.CheckID, { ...next, ModifyIndex: index })
    this.touchChecked(node, next, touched)
    if (next.Status === 'critical' && existing?.Status !== 'critical') lost.push(spec.CheckID)
  }

  /** touchChecked marks the tables a check change affects: checks and the services it judges. */
  private touchChecked(node: string, check: CheckRecord, touched: Set<string>): void {
    touched.add(catalogTables.checks)
    if (check.ServiceID !== '') {
      const service = this.services.get(node)?.get(check.ServiceID)
      if (service !== undefined) touched.add(serviceTable(service.Service))
      return
    }
    for (const service of this.services.get(node)?.values() ?? []) touched.add(serviceTable(service.Service))
  }

  /** applyDeregister removes a check, a service (with its checks) or a whole node. */
  applyDeregister(index: number, req: DeregisterRequest): CatalogApplyResult {
    if (req === null || typeof req !== 'object' || typeof req.Node !== 'string' || req.Node === '') return { ok: false, error: 'Must provide node' }
    const touched = new Set<string>()
    const lost: string[] = []
    if (req.CheckID) this.deleteCheck(req.Node, req.CheckID, touched, lost)
    if (req.ServiceID) this.deleteService(req.Node, req.ServiceID, touched, lost)
    if (!req.CheckID && !req.ServiceID) {
      if (this.nodes.has(req.Node) || this.services.has(req.Node) || this.checks.has(req.Node)) {
        for (const id of [...this.services.get(req.Node)?.keys() ?? []]) this.deleteService(req.Node, id, touched, lost)
        for (const id of [...this.checks.get(req.Node)?.keys() ?? []]) this.deleteCheck(req.Node, id, touched, lost)
        this.nodes.delete(req.Node)
        this.services.delete(req.Node)
        this.checks.delete(req.Node)
        touched.add(catalogTables.nodes)
        this.bump(index, touched)
        this.healthLoss?.(req.Node, 'node')
        return { ok: true }
      }
    }
    this.bump(index, touched)
    if (lost.length > 0) this.healthLoss?.(req.Node, lost)
    return { ok: true }
  }

  private deleteCheck(node: string, checkId: string, touched: Set<string>, lost: string[]): void {
    const check = this.checks.get(node)?.get(checkId)
    if (check === undefined) return
    this.touchChecked(node, check, touched)
    this.checks.get(node)!.delete(checkId)
    lost.push(checkId)
  }

  private deleteService(node: string, serviceId: string, touched: Set<string>, lost: string[]): void {
    const service = this.services.get(node)?.get(serviceId)
    if (service === undefined) return
    for (const check of [...this.checks.get(node)?.values() ?? []]) {
      if (check.ServiceID === serviceId) this.deleteCheck(node, check.CheckID, touched, lost)
    }
    this.services.get(node)!.delete(serviceId)
    this.unindexService(node, service)
    touched.add(catalogTables.services)
    touched.add(serviceTable(service.Service))
  }

  /** applyCheckStatus sets status and output of existing checks (unknown ones are skipped). */
  applyCheckStatus(index: number, req: CheckStatusRequest): CatalogApplyResult {
    if (req === null || typeof req !== 'object' || !Array.isArray(req.Updates)) return { ok: false, error: 'Missing check updates' }
    const touched = new Set<string>()
    const lostByNode = new Map<string, string[]>()
    for (const update of req.Updates) {
      if (update === null || typeof update !== 'object') continue
      const check = this.checks.get(update.Node)?.get(update.CheckID)
      if (check === undefined || !isStatus(update.Status)) continue
      const output = typeof update.Output === 'string' ? update.Output : ''
      if (check.Status === update.Status && check.Output === output) continue
      this.checks.get(update.Node)!.set(update.CheckID, { ...check, Status: update.Status, Output: output, ModifyIndex: index })
      this.touchChecked(update.Node, check, touched)
      if (update.Status === 'critical' && check.Status !== 'critical') {
        lostByNode.set(update.Node, [...lostByNode.get(update.Node) ?? [], update.CheckID])
      }
    }
    this.bump(index, touched)
    for (const [node, ids] of lostByNode) this.healthLoss?.(node, ids)
    return { ok: true }
  }

  private bump(index: number, touched: Set<string>): void {
    for (const table of touched) this.indexes.bump(table, index)
  }

  /** snapshot returns the catalog as plain data (records are immutable, so no deep copy). */
  snapshot(): CatalogSnapshot {
    const services: CatalogSnapshot['services'] = []
    for (const [node, onNode] of this.services) for (const service of onNode.values()) services.push({ node, service })
    const checks: CheckRecord[] = []
    for (const onNode of this.checks.values()) checks.push(...onNode.values())
    return { nodes: [...this.nodes.values()], services, checks }
  }

  /** restore replaces the catalog with snapshot data (table indexes are restored by the store). */
  restore(data: unknown): void {
    this.clear()
    const snapshot = (data ?? {}) as Partial<CatalogSnapshot>
    for (const node of snapshot.nodes ?? []) this.nodes.set(node.Node, node)
    for (const { node, service } of snapshot.services ?? []) {
      let onNode = this.services.get(node)
      if (onNode === undefined) { onNode = new Map(); this.services.set(node, onNode) }
      onNode.set(service.ID, service)
      this.indexService(node, service.Service, service.ID)
    }
    for (const check of snapshot.checks ?? []) {
      let onNode = this.checks.get(check.Node)
      if (onNode === undefined) { onNode = new Map(); this.checks.set(check.Node, onNode) }
      onNode.set(check.CheckID, check)
    }
  }

  /** nodeExists tells whether a node is registered (sessions: "Missing node registration"). */
  nodeExists(node: string): boolean { return this.nodes.has(node) }

  /** checkStatus is a check's status, or undefined when it is not registered. */
  checkStatus(node: string, checkId: string): HealthStatus | undefined {
    return this.checks.get(node)?.get(checkId)?.Status
  }
}

/** isRegisterShape guards apply against a malformed log entry (apply must never throw). */
function isRegisterShape(req: unknown): req is RegisterRequest {
  if (req === null || typeof req !== 'object') return false
  const r = req as Partial<RegisterRequest>
  if (typeof r.Node !== 'string' || typeof r.Address !== 'string' || !Array.isArray(r.Checks)) return false
  if (r.Service !== undefined && r.Service !== null && (typeof r.Service !== 'object' || typeof r.Service.ID !== 'string' || typeof r.Service.Service !== 'string' || !Array.isArray(r.Service.Tags))) return false
  return r.Checks.every((check) => check !== null && typeof check === 'object' && typeof check.CheckID === 'string' && typeof check.ServiceID === 'string')
}

function isStatus(value: unknown): value is HealthStatus {
  return value === 'passing' || value === 'warning' || value === 'critical'
}
