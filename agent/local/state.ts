/**
 * agent/local/state.ts: the services and checks registered on this agent (/v1/agent/service/*,
 * /v1/agent/check/*). The agent owns them: anti-entropy copies them into the catalog and removes
 * catalog entries the agent no longer has. Each mutation is persisted before the API answers,
 * starts or stops the check's runner, and marks what anti-entropy must push. A status change
 * is pushed at once; an output-only change waits for the next full sync, as Consul's
 * check_update_interval does, so chatty checks do not flood Raft.
 */
import { ZxError } from '../errors.js'
import type { Clock } from '../checks/clock.js'
import { checkType, normalizeKeys, parseCheckDefinition, toApiDefinition, truncateOutput, type CheckDefinition, type HealthStatus } from '../checks/definition.js'
import type { CheckRunner } from '../checks/runner.js'
import { normalizeService, type CheckSpec, type ServiceSpec } from '../state/catalog-types.js'
import type { PersistedState } from './persist.js'

/** LocalCheck is a check the agent runs, with its current result. */
export interface LocalCheck {
  definition: CheckDefinition
  status: HealthStatus
  output: string
  /** criticalSinceMs is when the check last went critical (the reaper's clock). */
  criticalSinceMs: number | undefined
}

/** maintenanceCheckId is the check Consul adds while a service is in maintenance. */
export function maintenanceCheckId(serviceId: string): string {
  return `_service_maintenance:${serviceId}`
}

/** nodeMaintenanceCheckId is the check Consul adds while the whole node is in maintenance. */
export const nodeMaintenanceCheckId = '_node_maintenance'

const defaultMaintenanceReason = 'Maintenance mode is enabled for this service, but no reason was provided. This is a default message.'

/** LocalStateOptions wire a LocalState to its runner, clock and persistence. */
export interface LocalStateOptions {
  nodeName: string
  clock: Clock
  runner: CheckRunner
  enableScriptChecks: boolean
  persist: (state: PersistedState) => Promise<void>
  /** changed is called after every mutation that anti-entropy should push promptly. */
  changed: () => void
}

/** LocalState holds the agent's own registrations. */
export class LocalState {
  readonly services = new Map<string, ServiceSpec>()
  readonly checks = new Map<string, LocalCheck>()
  /** dirty lists services and checks whose catalog copy must be refreshed (or removed). */
  readonly dirtyServices = new Set<string>()
  readonly dirtyChecks = new Set<string>()
  private persisting: Promise<void> = Promise.resolve()

  constructor(private readonly options: LocalStateOptions) {}

  /** restore loads persisted registrations at start (no persistence round trip). */
  restore(state: PersistedState): void {
    for (const service of state.services) { this.services.set(service.ID, service); this.dirtyServices.add(service.ID) }
    for (const check of state.checks) {
      if (check.definition.kind === 'script' && !this.options.enableScriptChecks) continue
      if (check.definition.serviceId !== '' && !this.services.has(check.definition.serviceId)) continue
      const status = check.definition.kind === 'ttl' ? check.status : check.definition.initialStatus
      this.setCheck(check.definition, status, check.definition.kind === 'ttl' ? check.output : '')
    }
  }

  /** registerService adds or replaces a service and its embedded checks. */
  async registerService(body: unknown, replaceExistingChecks: boolean): Promise<void> {
    const spec = normalizeService(body)
    const fields = normalizeKeys(body)
    const definitions: CheckDefinition[] = []
    const single = fields.get('check')
    const many = fields.get('checks')
    if (single !== undefined && single !== null) {
      definitions.push(parseCheckDefinition(single, { checkId: `service:${spec.ID}`, name: `Service '${spec.Service}' check`, serviceId: spec.ID }))
    }
    if (Array.isArray(many)) {
      many.forEach((check, i) => definitions.push(parseCheckDefinition(check, { checkId: `service:${spec.ID}:${i + 1}`, name: `Service '${spec.Service}' check`, serviceId: spec.ID })))
    } else if (many !== undefined && many !== null) {
      throw new ZxError('ZX_ERR_BAD_REQUEST', 'Request decode failed: Checks must be a list')
    }
    for (const definition of definitions) {
      definition.serviceId = spec.ID
      this.validateCheck(definition)
    }
    this.services.set(spec.ID, spec)
    this.dirtyServices.add(spec.ID)
    if (replaceExistingChecks) {
      const keep = new Set(definitions.map((definition) => definition.checkId))
      for (const [id, check] of this.checks) {
        if (check.definition.serviceId === spec.ID && !keep.has(id) && id !== maintenanceCheckId(spec.ID)) this.dropCheck(id)
      }
    }
    for (const definition of definitions) this.addCheckDefinition(definition)
    this.options.changed()
    await this.save()
  }

  /** deregisterService removes a service and its checks (no-op when absent, as Consul). */
  async deregisterService(id: string): Promise<void> {
    if (!this.services.has(id)) return
    for (const [checkId, check] of this.checks) if (check.definition.serviceId === id) this.dropCheck(checkId)
    this.services.delete(id)
    this.dirtyServices.add(id)
    this.options.changed()
    await this.save()
  }

  /** registerCheck adds a standalone or service check. */
  async registerCheck(body: unknown): Promise<void> {
    const definition = parseCheckDefinition(body)
    if (definition.serviceId !== '' && !this.services.has(definition.serviceId)) {
      throw new ZxError('ZX_ERR_BAD_REQUEST', `ServiceID "${definition.serviceId}" does not exist`)
    }
    this.validateCheck(definition)
    this.addCheckDefinition(definition)
    await this.save()
  }

  /** deregisterCheck removes a check (no-op when absent). */
  async deregisterCheck(id: string): Promise<void> {
    if (!this.checks.has(id)) return
    this.dropCheck(id)
    await this.save()
  }

  /** updateTtl is pass/warn/fail/update on a TTL check: sets the result and re-arms the TTL. */
  async updateTtl(id: string, status: HealthStatus, output: string): Promise<void> {
    const check = this.checks.get(id)
    if (check === undefined) throw new ZxError('ZX_ERR_NOT_FOUND', `Unknown check ID "${id}". Ensure that the check ID is passed, not the check name.`)
    if (check.definition.kind !== 'ttl') throw new ZxError('ZX_ERR_INTERNAL', `CheckID "${id}" does not have associated TTL`, { status: 500 })
    this.options.runner.ttlTouch(id)
    this.setResult(id, status, output)
    await this.save()
  }

  /** setServiceMaintenance adds or removes the critical `_service_maintenance:<id>` check. */
  async setServiceMaintenance(serviceId: string, enable: boolean, reason: string): Promise<void> {
    if (!this.services.has(serviceId)) throw new ZxError('ZX_ERR_NOT_FOUND', `Unknown service ID "${serviceId}"`)
    const id = maintenanceCheckId(serviceId)
    if (!enable) { if (this.checks.has(id)) this.dropCheck(id); await this.save(); return }
    const definition = parseCheckDefinition({ CheckID: id, Name: 'Service Maintenance Mode', Notes: reason || defaultMaintenanceReason, ServiceID: serviceId, Status: 'critical' })
    this.setCheck(definition, 'critical', '')
    await this.save()
  }

  /** setNodeMaintenance adds or removes the critical `_node_maintenance` check (/v1/agent/maintenance). */
  async setNodeMaintenance(enable: boolean, reason: string): Promise<void> {
    const id = nodeMaintenanceCheckId
    if (!enable) { if (this.checks.has(id)) this.dropCheck(id); await this.save(); return }
    const notes = reason || 'Maintenance mode is enabled for this node, but no reason was provided. This is a default message.'
    this.setCheck(parseCheckDefinition({ CheckID: id, Name: 'Node Maintenance Mode', Notes: notes, Status: 'critical' }), 'critical', '')
    await this.save()
  }

  /** onResult records a runner's result (status changes are pushed at once). */
  onResult(id: string, status: HealthStatus, output: string): void {
    if (!this.checks.has(id)) return
    this.setResult(id, status, output)
    void this.save().catch(() => {})
  }

  private setResult(id: string, status: HealthStatus, output: string): void {
    const check = this.checks.get(id)!
    const trimmed = truncateOutput(output, check.definition.outputMaxSize)
    const statusChanged = check.status !== status
    if (!statusChanged && check.output === trimmed) return
    check.output = trimmed
    if (statusChanged) {
      check.status = status
      check.criticalSinceMs = status === 'critical' ? this.options.clock.nowMs() : undefined
      this.dirtyChecks.add(id)
      this.options.changed()
    }
  }

  private validateCheck(definition: CheckDefinition): void {
    if (definition.kind === 'script' && !this.options.enableScriptChecks) {
      throw new ZxError('ZX_ERR_BAD_REQUEST', "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true")
    }
  }

  private addCheckDefinition(definition: CheckDefinition): void {
    const existing = this.checks.get(definition.checkId)
    // Re-registering the same check keeps its current result (no flap back to critical).
    const same = existing !== undefined && JSON.stringify(existing.definition) === JSON.stringify(definition)
    this.setCheck(definition, same ? existing.status : definition.initialStatus, same ? existing.output : '')
  }

  private setCheck(definition: CheckDefinition, status: HealthStatus, output: string): void {
    const existing = this.checks.get(definition.checkId)
    const keepsClock = existing !== undefined && existing.status === 'critical' && status === 'critical'
    this.checks.set(definition.checkId, {
      definition, status, output,
      criticalSinceMs: status !== 'critical' ? undefined : keepsClock ? existing.criticalSinceMs : this.options.clock.nowMs(),
    })
    this.dirtyChecks.add(definition.checkId)
    this.options.runner.start(definition)
    this.options.changed()
  }

  private dropCheck(id: string): void {
    this.options.runner.stop(id)
    this.checks.delete(id)
    this.dirtyChecks.add(id)
    this.options.changed()
  }

  /** save persists the registrations; writes are serialised so the newest state lands last. */
  save(): Promise<void> {
    const snapshot: PersistedState = {
      version: 1,
      services: [...this.services.values()],
      checks: [...this.checks.values()].map((check) => ({ definition: check.definition, status: check.status, output: check.output })),
    }
    this.persisting = this.persisting.catch(() => {}).then(() => this.options.persist(snapshot))
    return this.persisting
  }

  /** catalogCheck renders a local check as the catalog registers it. */
  catalogCheck(check: LocalCheck): CheckSpec {
    return {
      CheckID: check.definition.checkId,
      Name: check.definition.name,
      Status: check.status,
      Notes: check.definition.notes,
      Output: check.output,
      ServiceID: check.definition.serviceId,
      Type: checkType(check.definition.kind),
      Definition: toApiDefinition(check.definition),
    }
  }

  /** agentCheck renders a local check as /v1/agent/checks shows it (HealthCheck JSON). */
  agentCheck(check: LocalCheck): Record<string, unknown> {
    const service = this.services.get(check.definition.serviceId)
    return {
      Node: this.options.nodeName,
      ...this.catalogCheck(check),
      ServiceName: service?.Service ?? '',
      ServiceTags: service?.Tags ?? [],
      CreateIndex: 0,
      ModifyIndex: 0,
    }
  }

  /** serviceChecks lists the checks of one service (sorted by ID). */
  serviceChecks(serviceId: string): LocalCheck[] {
    return [...this.checks.values()].filter((check) => check.definition.serviceId === serviceId)
      .sort((a, b) => (a.definition.checkId < b.definition.checkId ? -1 : 1))
  }

  /** reapable lists services whose check has been critical longer than its DeregisterCriticalServiceAfter. */
  reapable(nowMs: number): string[] {
    const out = new Set<string>()
    for (const check of this.checks.values()) {
      const after = check.definition.deregisterCriticalServiceAfterMs
      if (after <= 0 || check.definition.serviceId === '' || check.criticalSinceMs === undefined) continue
      if (nowMs - check.criticalSinceMs >= after) out.add(check.definition.serviceId)
    }
    return [...out]
  }
}
