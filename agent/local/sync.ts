/**
 * agent/local/sync.ts: anti-entropy, the loop that keeps the catalog's copy of this node equal
 * to the agent's own registrations (Consul's agent/ae + local state sync). Two kinds of round:
 *
 * - a partial sync pushes only what changed locally (a registration, a status flip); it runs as
 *   soon as a change is signalled, so a health change reaches the servers within one RPC;
 * - a full sync reads the node's services and checks from the catalog, marks every difference
 *   dirty, deregisters what the agent does not own any more, and then pushes. It runs at start
 *   and every fullIntervalMs, repairing drift such as a catalog deregister done behind the
 *   agent's back (which is why such deletes "do not stick" in Consul).
 *
 * Rounds never overlap; a failed round is retried with backoff and leaves the dirty marks set.
 * The leader owns `serfHealth` and the `consul` service, so the agent never touches them.
 */
import type { Clock, TimerHandle } from '../checks/clock.js'
import type { NodeServices } from '../state/catalog-read.js'
import type { CheckRecord, CheckSpec, DeregisterRequest, RegisterRequest, ServiceSpec } from '../state/catalog-types.js'
import type { LocalState } from './state.js'

/** CatalogClient is how anti-entropy reads and writes the catalog (RPC to the servers). */
export interface CatalogClient {
  nodeServices(node: string): Promise<NodeServices | undefined>
  nodeChecks(node: string): Promise<CheckRecord[]>
  register(request: RegisterRequest): Promise<void>
  deregister(request: DeregisterRequest): Promise<void>
}

/** NodeIdentity is how this agent registers its node. */
export interface NodeIdentity {
  node: string
  id: string
  address: string
  datacenter: string
  taggedAddresses: Record<string, string>
  meta: Record<string, string>
}

/** antiEntropyDefaults are the loop's timings. */
export const antiEntropyDefaults = {
  fullIntervalMs: 60_000,   // Consul: ae_interval 1m (before cluster-size scaling)
  retryMinMs: 500,          // first retry after a failed round
  retryMaxMs: 15_000,       // backoff cap while the servers are unreachable
} as const

/** serverOwnedChecks are check IDs the leader manages (serfHealth), never anti-entropy. */
export const serverOwnedChecks = new Set(['serfHealth'])
/** serverOwnedServices are service IDs the leader manages (consul), never anti-entropy. */
export const serverOwnedServices = new Set(['consul'])

/** AntiEntropyStats count rounds for metrics and tests. */
export interface AntiEntropyStats { full: number; partial: number; failures: number; registers: number; deregisters: number }

/** AntiEntropy syncs a LocalState into the catalog. */
export class AntiEntropy {
  readonly stats: AntiEntropyStats = { full: 0, partial: 0, failures: 0, registers: 0, deregisters: 0 }
  private running = false
  private wantFull = false
  private wantPartial = false
  private timer: TimerHandle | undefined
  private retryMs: number = antiEntropyDefaults.retryMinMs
  private stopped = false
  private lastRoundFailed = false
  private idleWaiters: Array<() => void> = []

  constructor(
    private readonly state: LocalState,
    private readonly client: CatalogClient,
    private readonly identity: NodeIdentity,
    private readonly clock: Clock,
    private readonly fullIntervalMs: number = antiEntropyDefaults.fullIntervalMs,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** start runs a full sync now and then every fullIntervalMs. */
  start(): void { this.requestFull() }

  /** stop ends the loop (a round in flight finishes). */
  stop(): void {
    this.stopped = true
    if (this.timer !== undefined) this.clock.clearTimer(this.timer)
  }

  /** requestFull asks for a full sync as soon as possible. */
  requestFull(): void { this.wantFull = true; void this.loop() }

  /** trigger asks for a partial sync of the dirty registrations. */
  trigger(): void { this.wantPartial = true; void this.loop() }

  /** retryNow skips the backoff after a failed round (a server just joined gossip). */
  retryNow(): void {
    if (this.lastRoundFailed) this.requestFull()
  }

  /** idle resolves when no round is running or wanted (tests). */
  idle(): Promise<void> {
    if (!this.running && !this.wantFull && !this.wantPartial) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private async loop(): Promise<void> {
    if (this.running || this.stopped) return
    this.running = true
    try {
      while ((this.wantFull || this.wantPartial) && !this.stopped) {
        const full = this.wantFull
        this.wantFull = false
        this.wantPartial = false
        try {
          if (full) await this.syncFull()
          else await this.syncChanges()
          this.retryMs = antiEntropyDefaults.retryMinMs
          this.lastRoundFailed = false
          if (full) this.schedule(this.fullIntervalMs, true)
        } catch (error) {
          this.stats.failures++
          this.lastRoundFailed = true
          // A failed partial round retries as a full one: it also repairs anything half-pushed.
          this.onError(error)
          this.schedule(this.retryMs, true)
          this.retryMs = Math.min(this.retryMs * 2, antiEntropyDefaults.retryMaxMs)
          break
        }
      }
    } finally {
      this.running = false
      if (!this.wantFull && !this.wantPartial) for (const resolve of this.idleWaiters.splice(0)) resolve()
    }
  }

  private schedule(delayMs: number, full: boolean): void {
    if (this.stopped) return
    if (this.timer !== undefined) this.clock.clearTimer(this.timer)
    this.timer = this.clock.setTimer(delayMs, () => {
      this.timer = undefined
      if (full) this.requestFull()
      else this.trigger()
    })
  }

  /** syncFull compares the catalog with local state, marks differences and pushes them. */
  async syncFull(): Promise<void> {
    this.stats.full++
    const { node } = this.identity
    const remote = await this.client.nodeServices(node)
    const remoteChecks = await this.client.nodeChecks(node)
    if (remote === undefined || !this.nodeMatches(remote)) await this.registerNode()
    const remoteServices = new Map((remote?.Services ?? []).map((service) => [service.ID, service]))
    for (const [id, service] of remoteServices) {
      if (serverOwnedServices.has(id)) continue
      const local = this.state.services.get(id)
      if (local === undefined || !sameService(local, service)) this.state.dirtyServices.add(id)
    }
    for (const id of this.state.services.keys()) if (!remoteServices.has(id)) this.state.dirtyServices.add(id)
    const byId = new Map(remoteChecks.map((check) => [check.CheckID, check]))
    for (const [id, check] of byId) {
      if (serverOwnedChecks.has(id) || serverOwnedServices.has(check.ServiceID)) continue
      const local = this.state.checks.get(id)
      if (local === undefined || !sameCheck(this.state.catalogCheck(local), check)) this.state.dirtyChecks.add(id)
    }
    for (const id of this.state.checks.keys()) if (!byId.has(id)) this.state.dirtyChecks.add(id)
    await this.syncChanges(false)
  }

  private nodeMatches(remote: NodeServices): boolean {
    const { Node } = remote
    return Node.Address === this.identity.address && Node.ID === this.identity.id
      && JSON.stringify(Node.TaggedAddresses) === JSON.stringify(this.identity.taggedAddresses)
      && JSON.stringify(Node.Meta) === JSON.stringify(this.identity.meta)
  }

  private base(): Omit<RegisterRequest, 'Service' | 'Checks'> {
    const { identity } = this
    return {
      Node: identity.node, ID: identity.id, Address: identity.address, Datacenter: identity.datacenter,
      TaggedAddresses: identity.taggedAddresses, NodeMeta: identity.meta, SkipNodeUpdate: false,
    }
  }

  private async registerNode(): Promise<void> {
    await this.client.register({ ...this.base(), Service: undefined, Checks: [] })
    this.stats.registers++
  }

  /** syncChanges pushes dirty services (with their checks) and dirty checks. */
  async syncChanges(count = true): Promise<void> {
    if (count) this.stats.partial++
    const { node } = this.identity
    for (const id of [...this.state.dirtyServices]) {
      this.state.dirtyServices.delete(id)
      const service = this.state.services.get(id)
      try {
        if (service === undefined) {
          await this.client.deregister({ Node: node, ServiceID: id })
          this.stats.deregisters++
        } else {
          const checks = this.state.serviceChecks(id)
          for (const check of checks) this.state.dirtyChecks.delete(check.definition.checkId)
          await this.client.register({ ...this.base(), Service: service, Checks: checks.map((check) => this.state.catalogCheck(check)) })
          this.stats.registers++
        }
      } catch (error) {
        this.state.dirtyServices.add(id)
        throw error
      }
    }
    for (const id of [...this.state.dirtyChecks]) {
      this.state.dirtyChecks.delete(id)
      const check = this.state.checks.get(id)
      try {
        if (check === undefined) {
          await this.client.deregister({ Node: node, CheckID: id })
          this.stats.deregisters++
        } else {
          await this.client.register({ ...this.base(), Service: undefined, Checks: [this.state.catalogCheck(check)] })
          this.stats.registers++
        }
      } catch (error) {
        this.state.dirtyChecks.add(id)
        if (check !== undefined && check.definition.serviceId !== '') this.state.dirtyServices.add(check.definition.serviceId)
        throw error
      }
    }
  }
}

const serviceFields = ['ID', 'Service', 'Tags', 'Address', 'TaggedAddresses', 'Meta', 'Port', 'Weights', 'EnableTagOverride', 'Kind'] as const

/** sameService compares the registered fields of two service instances. */
export function sameService(a: ServiceSpec, b: ServiceSpec): boolean {
  return serviceFields.every((field) => JSON.stringify(a[field]) === JSON.stringify(b[field]))
}

const checkFields = ['CheckID', 'Name', 'Status', 'Notes', 'Output', 'ServiceID', 'Type', 'Definition'] as const

/** sameCheck compares the registered fields of two checks. */
export function sameCheck(a: CheckSpec, b: CheckSpec): boolean {
  return checkFields.every((field) => JSON.stringify(a[field]) === JSON.stringify(b[field]))
}
