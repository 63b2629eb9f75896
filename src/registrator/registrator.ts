/**
 * src/registrator/registrator.ts: the watcher and sync loop around the pure mapping. Start-up
 * follows gliderlabs/registrator: ping the agent (`/v1/status/leader`, retried per
 * --retry-attempts), reach the Docker engine, subscribe to container events, then sync every
 * running container; afterwards events add and remove services and `--resync` re-registers
 * everything. All catalog changes run one at a time on a serial queue, and the registrator keeps
 * what it believes is registered (`known`), so a repeated start event or a resync never creates
 * a second registration (re-PUTting the same ID is idempotent in Consul). Failed agent calls go
 * to a retry set instead of being lost; a dropped event stream is re-subscribed with backoff and
 * followed by a sync that catches whatever happened meanwhile.
 */
import { isLabError, LabError } from '../errors.js'
import type { AgentServices, RegistryClient } from './agent-client.js'
import { registratorDefaults } from './defaults.js'
import { describeDockerError } from './docker.js'
import { eventAction, JsonLineDecoder, watchedEvents, type DeregisterMode } from './events.js'
import { mapContainer, ownsServiceId, type ContainerInspect, type MappingConfig, type ServiceRegistration } from './mapping.js'

/** DockerSource is the slice of dockerode the registrator uses (tests pass a fake). */
export interface DockerSource {
  ping(): Promise<unknown>
  listContainers(options?: object): Promise<Array<{ Id: string }>>
  getContainer(id: string): { inspect(): Promise<ContainerInspect> }
  getEvents(options?: { filters?: Record<string, string[]> }): Promise<NodeJS.ReadableStream>
}

/** RegistratorConfig is MappingConfig plus the loop's own flags. */
export interface RegistratorConfig extends MappingConfig {
  deregister: DeregisterMode
  cleanup: boolean
  resyncSeconds: number
  retryAttempts: number       // agent pings at start: 0 once, -1 forever
  retryIntervalMs: number
  ttlRefreshSeconds: number
}

/** RegistratorStats are counters for logs, tests and the bench. */
export interface RegistratorStats { added: number; removed: number; failures: number; syncs: number; eventsDropped: number }

const short = (id: string): string => id.slice(0, 12)

/** Registrator registers the published ports of running containers with a Consul agent. */
export class Registrator {
  private readonly known = new Map<string, Map<string, ServiceRegistration>>()
  private readonly pendingRegister = new Map<string, { containerId: string; service: ServiceRegistration }>()
  private readonly pendingDeregister = new Set<string>()
  private readonly timers: NodeJS.Timeout[] = []
  private queue: Promise<void> = Promise.resolve()
  private stream: NodeJS.ReadableStream | undefined
  private stopped = false
  private readonly decoder = new JsonLineDecoder()
  /** stats counts what happened since start. */
  readonly stats: RegistratorStats = { added: 0, removed: 0, failures: 0, syncs: 0, eventsDropped: 0 }

  constructor(
    private readonly docker: DockerSource,
    private readonly agent: RegistryClient,
    private readonly config: RegistratorConfig,
    private readonly log: (line: string) => void,
  ) {}

  /** start pings the agent, reaches Docker, subscribes, syncs and arms the timers. */
  async start(): Promise<void> {
    await this.pingAgent()
    await this.waitForDocker()
    await this.subscribe()
    await this.sync({ quiet: false })
    this.log('listening for Docker events ...')
    if (this.config.resyncSeconds > 0) {
      this.every(this.config.resyncSeconds * 1000, () => this.sync({ quiet: true }))
    }
    this.every(this.config.retryIntervalMs, () => this.retryPending())
    if (this.config.ttlSeconds > 0 && this.config.ttlRefreshSeconds > 0) {
      this.every(this.config.ttlRefreshSeconds * 1000, () => this.refreshTtl())
    }
  }

  /** stop ends the event subscription and timers; registered services stay, like registrator's. */
  async stop(): Promise<void> {
    this.stopped = true
    for (const timer of this.timers) clearInterval(timer)
    const stream = this.stream as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined
    stream?.destroy?.()
    await this.queue.catch(() => {})
    await this.agent.close?.()
  }

  /** registered lists the service IDs the registrator believes are registered. */
  registered(): string[] {
    return [...this.known.values()].flatMap((services) => [...services.keys()]).sort()
  }

  /** sync registers every running container; with --cleanup it also removes what is ours and gone. */
  sync(options: { quiet: boolean }): Promise<void> {
    return this.serial(() => this.syncNow(options))
  }

  private async pingAgent(): Promise<void> {
    const attempts = this.config.retryAttempts
    for (let attempt = 0; ; attempt++) {
      try {
        const leader = await this.agent.leader()
        this.log(`consul: current leader ${leader === '' ? '(none yet)' : leader}`)
        return
      } catch (error) {
        const more = attempts < 0 || attempt < attempts
        this.log(`consul: ${message(error)}${more ? `; retrying in ${this.config.retryIntervalMs} ms (${attempt + 1}/${attempts < 0 ? '∞' : attempts})` : ''}`)
        if (!more || this.stopped) throw new LabError('ZX_ERR_AGENT_UNREACHABLE', `cannot reach the agent: ${message(error)}`, { cause: error })
        await delay(this.config.retryIntervalMs)
      }
    }
  }

  private async waitForDocker(): Promise<void> {
    let backoff: number = registratorDefaults.eventBackoffMs
    for (;;) {
      try {
        await this.docker.ping()
        return
      } catch (error) {
        this.log(`docker: ${describeDockerError(error)}; retrying in ${backoff} ms`)
        if (this.stopped) throw new LabError('ZX_ERR_NO_DOCKER', describeDockerError(error))
        await delay(backoff)
        backoff = Math.min(backoff * 2, registratorDefaults.eventBackoffMsMax)
      }
    }
  }

  private async subscribe(): Promise<void> {
    const stream = await this.docker.getEvents({ filters: { type: ['container'], event: [...watchedEvents] } })
    this.stream = stream
    stream.on('data', (chunk: string | Uint8Array) => {
      for (const event of this.decoder.push(chunk)) {
        const action = eventAction(event, this.config.deregister)
        if (action.kind !== 'ignore') void this.serial(() => this.apply(action))
      }
      this.stats.eventsDropped = this.decoder.dropped
    })
    let ended = false
    const onEnd = (why: string): void => {
      if (ended || this.stopped) return
      ended = true
      this.log(`docker: event stream ${why}; reconnecting`)
      void this.resubscribe()
    }
    stream.on('end', () => onEnd('ended'))
    stream.on('close', () => onEnd('closed'))
    stream.on('error', (error: unknown) => onEnd(`failed: ${message(error)}`))
  }

  private async resubscribe(): Promise<void> {
    let backoff: number = registratorDefaults.eventBackoffMs
    while (!this.stopped) {
      await delay(backoff)
      try {
        await this.subscribe()
        this.log('docker: event stream re-established; syncing')
        await this.sync({ quiet: true })
        return
      } catch (error) {
        this.log(`docker: ${describeDockerError(error)}; retrying in ${backoff} ms`)
        backoff = Math.min(backoff * 2, registratorDefaults.eventBackoffMsMax)
      }
    }
  }

  private async apply(action: Exclude<ReturnType<typeof eventAction>, { kind: 'ignore' }>): Promise<void> {
    switch (action.kind) {
      case 'add': return this.addContainer(action.id, { quiet: false, force: false })
      case 'remove': return this.removeContainer(action.id, action.why)
      case 'keep': if (this.known.has(action.id)) this.log(`kept: ${short(action.id)} ${action.why}`); return
      case 'check': {
        const inspect = await this.inspect(action.id)
        if (inspect === undefined) return this.removeContainer(action.id, 'gone')
        if (inspect.State?.Running === true) return
        const code = inspect.State?.ExitCode ?? 0
        if (this.config.deregister === 'always' || code === 0 || code > 128) return this.removeContainer(action.id, `exited ${code}`)
        return
      }
      default: { const never: never = action; throw new Error(`unknown action ${JSON.stringify(never)}`) }
    }
  }

  private async addContainer(id: string, options: { quiet: boolean; force: boolean; agentView?: AgentServices }): Promise<void> {
    const inspect = await this.inspect(id)
    if (inspect === undefined) return this.removeContainer(id, 'gone')
    if (inspect.State?.Running === false) return
    const { services, ignored } = mapContainer(inspect, this.config)
    if (!options.quiet) for (const item of ignored) this.log(`ignored: ${short(id)} ${item.reason}`)
    const previous = this.known.get(id) ?? new Map<string, ServiceRegistration>()
    const next = new Map(services.map((service) => [service.ID, service]))
    for (const [serviceId] of previous) if (!next.has(serviceId)) await this.deregister(id, serviceId)
    for (const service of services) {
      const same = JSON.stringify(previous.get(service.ID)) === JSON.stringify(service)
      if (same && !options.force) continue
      // A resync only has to repair what the agent lost or changed: skip a PUT whose result the agent already shows.
      if (same && options.agentView !== undefined && agentHas(options.agentView, service)) continue
      await this.register(id, service, { announce: !same })
    }
  }

  private async register(containerId: string, service: ServiceRegistration, options: { announce: boolean }): Promise<void> {
    try {
      await this.agent.register(service)
    } catch (error) {
      this.stats.failures++
      if (isRejected(error)) {
        // The agent refused this body (4xx): retrying the same registration cannot succeed.
        this.pendingRegister.delete(service.ID)
        this.log(`register rejected: ${short(containerId)} ${service.ID}: ${message(error)}`)
        return
      }
      if (!this.pendingRegister.has(service.ID)) this.log(`register failed: ${short(containerId)} ${service.ID}: ${message(error)} (will retry)`)
      this.pendingRegister.set(service.ID, { containerId, service })
      return
    }
    this.pendingRegister.delete(service.ID)
    this.pendingDeregister.delete(service.ID)
    const services = this.known.get(containerId) ?? new Map<string, ServiceRegistration>()
    services.set(service.ID, service)
    this.known.set(containerId, services)
    if (options.announce) { this.stats.added++; this.log(`added: ${short(containerId)} ${service.ID}`) }
  }

  private async removeContainer(id: string, why: string): Promise<void> {
    const ids = new Set(this.known.get(id)?.keys() ?? [])
    for (const [serviceId, pending] of this.pendingRegister) if (pending.containerId === id) ids.add(serviceId)
    for (const serviceId of ids) await this.deregister(id, serviceId, why)
  }

  private async deregister(containerId: string, serviceId: string, why?: string): Promise<void> {
    this.pendingRegister.delete(serviceId)
    const services = this.known.get(containerId)
    services?.delete(serviceId)
    if (services !== undefined && services.size === 0) this.known.delete(containerId)
    try {
      await this.agent.deregister(serviceId)
    } catch (error) {
      this.stats.failures++
      if (!this.pendingDeregister.has(serviceId)) this.log(`deregister failed: ${serviceId}: ${message(error)} (will retry)`)
      this.pendingDeregister.add(serviceId)
      return
    }
    this.pendingDeregister.delete(serviceId)
    this.stats.removed++
    this.log(`removed: ${short(containerId)} ${serviceId}${why === undefined ? '' : ` (${why})`}`)
  }

  private async syncNow(options: { quiet: boolean }): Promise<void> {
    let running: Array<{ Id: string }>
    try {
      running = await this.docker.listContainers({})
    } catch (error) {
      this.log(`sync skipped: ${describeDockerError(error)}`)
      return
    }
    this.stats.syncs++
    const ids = running.map((container) => container.Id)
    // With registrations already made, one GET tells which of them the agent still holds.
    const agentView = this.known.size === 0 ? undefined : await this.agent.services().catch(() => undefined)
    await pool(ids, registratorDefaults.syncConcurrency, async (id) => {
      // One container that cannot be inspected must not stop the others from syncing.
      try { await this.addContainer(id, { quiet: options.quiet, force: true, agentView }) } catch (error) {
        this.log(`sync: ${short(id)}: ${describeDockerError(error)}`)
      }
    })
    if (!this.config.cleanup) return
    const alive = new Set(ids)
    for (const containerId of [...this.known.keys()]) {
      if (!alive.has(containerId)) await this.removeContainer(containerId, 'container not running')
    }
    await this.removeDangling()
  }

  private async removeDangling(): Promise<void> {
    let services
    try {
      services = await this.agent.services()
    } catch (error) {
      this.log(`cleanup skipped: ${message(error)}`)
      return
    }
    const ours = new Set([...this.registered(), ...this.pendingRegister.keys()])
    for (const serviceId of Object.keys(services)) {
      if (ours.has(serviceId) || !ownsServiceId(this.config.hostname, serviceId)) continue
      await this.deregister('(dangling)', serviceId, 'no such container')
    }
  }

  private retryPending(): Promise<void> {
    if (this.pendingRegister.size === 0 && this.pendingDeregister.size === 0) return Promise.resolve()
    return this.serial(async () => {
      for (const { containerId, service } of [...this.pendingRegister.values()]) {
        await this.register(containerId, service, { announce: true })
      }
      for (const serviceId of [...this.pendingDeregister]) await this.deregister('retry', serviceId)
    })
  }

  private async refreshTtl(): Promise<void> {
    for (const services of this.known.values()) {
      for (const service of services.values()) {
        if (service.Check?.TTL === undefined) continue
        await this.agent.passTtl(`service:${service.ID}`).catch((error: unknown) => this.log(`ttl refresh failed: ${service.ID}: ${message(error)}`))
      }
    }
  }

  private async inspect(id: string): Promise<ContainerInspect | undefined> {
    try {
      return await this.docker.getContainer(id).inspect()
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined
      throw error
    }
  }

  private serial(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(() => (this.stopped ? undefined : work())).catch((error: unknown) => {
      this.log(`error: ${isLabError(error) ? error.message : describeDockerError(error)}`)
    })
    this.queue = next
    return next
  }

  private every(ms: number, work: () => Promise<void>): void {
    const timer = setInterval(() => { void work() }, ms)
    timer.unref()
    this.timers.push(timer)
  }
}

async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!)
  })
  await Promise.all(lanes)
}

/** agentHas tells whether the agent's copy of a service matches what we would register. */
function agentHas(view: AgentServices, service: ServiceRegistration): boolean {
  const held = view[service.ID]
  if (held === undefined) return false
  return held.Service === service.Name && held.Port === service.Port && held.Address === service.Address &&
    JSON.stringify(held.Tags ?? []) === JSON.stringify(service.Tags) &&
    JSON.stringify(sortedEntries(held.Meta ?? {})) === JSON.stringify(sortedEntries(service.Meta))
}

function sortedEntries(record: Record<string, string>): Array<[string, string]> {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b))
}

function isRejected(error: unknown): boolean {
  if (!isLabError(error, 'ZX_ERR_API')) return false
  const status = Number(error.details?.status)
  return status >= 400 && status < 500 && status !== 429
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
