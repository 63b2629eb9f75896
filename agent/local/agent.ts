/**
 * agent/local/agent.ts: the catalog side of a running agent, in one object: the check runner
 * and the agent's own registrations (restored from the data dir), anti-entropy into the
 * catalog over the agent's RPC router, the critical-service reaper, the event buffer fed by
 * LAN gossip, the DNS interface, and on servers the leader's membership reconciler. The HTTP
 * route areas find it through `catalogAgentOf(ctx)`; `ensureCatalogAgent(ctx)` starts it once
 * per AgentContext and `stopCatalogAgent(ctx)` shuts it down.
 */
import type { Clock, TimerHandle } from '../checks/clock.js'
import { systemClock } from '../checks/clock.js'
import { checkDefaults } from '../checks/definition.js'
import { realProbes } from '../checks/probes.js'
import { CheckRunner } from '../checks/runner.js'
import { createDnsBackend } from '../dns/backend.js'
import { DnsServer } from '../dns/server.js'
import type { AgentPlugin } from '../agent-plugins.js'
import type { AgentContext } from '../endpoints/context.js'
import { LeaderReconciler, withTimeout } from '../leader/reconcile-driver.js'
import { defaultNodeMeta, nodeTaggedAddresses } from '../leader/reconcile.js'
import type { CatalogTables } from '../state/catalog.js'
import type { NodeServices } from '../state/catalog-read.js'
import type { CheckRecord } from '../state/catalog-types.js'
import { EventBuffer } from './events.js'
import { loadLocalState, saveLocalState } from './persist.js'
import { LocalState } from './state.js'
import { AntiEntropy, type CatalogClient } from './sync.js'

const leaderRead = { minIndex: 0, waitMs: 0, mode: 'leader' as const }

/** syncCallTimeoutMs bounds one anti-entropy RPC, so a call lost in a leader change cannot wedge the loop. */
const syncCallTimeoutMs = 10_000

/** CatalogAgent bundles the agent-side catalog machinery. */
export class CatalogAgent {
  readonly runner: CheckRunner
  readonly state: LocalState
  readonly sync: AntiEntropy
  readonly events: EventBuffer
  dns: DnsServer | undefined
  reconciler: LeaderReconciler | undefined
  private reaper: TimerHandle | undefined
  private readonly unsubscribe: Array<() => void> = []
  private closed = false

  constructor(private readonly ctx: AgentContext, private readonly clock: Clock = systemClock) {
    const { config } = ctx
    // The runner reports into the state; the state is built right after, before any check runs.
    let state: LocalState | undefined
    this.runner = new CheckRunner({ clock, probes: realProbes, enableScriptChecks: config.enableScriptChecks, onResult: (id, status, output) => state?.onResult(id, status, output) })
    this.state = state = new LocalState({
      nodeName: config.nodeName, clock, runner: this.runner, enableScriptChecks: config.enableScriptChecks,
      persist: (snapshot) => saveLocalState(config.dataDir, snapshot),
      changed: () => this.sync?.trigger(),
    })
    const address = config.advertiseAddr
    this.sync = new AntiEntropy(this.state, rpcCatalogClient(ctx), {
      node: config.nodeName, id: ctx.nodeId, address, datacenter: config.datacenter,
      taggedAddresses: nodeTaggedAddresses(address), meta: defaultNodeMeta(),
    }, clock, undefined, (error) => ctx.log.debug?.('anti-entropy round failed', { error: (error as Error).message }))
    this.events = new EventBuffer(config.nodeName, () => [...this.state.services.values()].map((s) => ({ name: s.Service, tags: s.Tags })))
  }

  /** start restores registrations, starts the loops and binds DNS. */
  async start(): Promise<void> {
    const { ctx } = this
    const loaded = await loadLocalState(ctx.config.dataDir)
    if (loaded.problem !== undefined) ctx.log.warn(loaded.problem)
    this.state.restore(loaded.state)
    this.sync.start()
    this.scheduleReap()
    if (ctx.lan !== undefined) {
      for (const event of ctx.lan.userEvents()) this.events.add(event)
      this.unsubscribe.push(ctx.lan.onUserEvent((event) => this.events.add(event)))
      // A server appearing in gossip is the moment a client's failed sync can succeed.
      this.unsubscribe.push(ctx.lan.onMemberEvent((event) => {
        if (event.member.tags.role === 'consul' && (event.type === 'join' || event.type === 'alive')) this.sync.retryNow()
      }))
    }
    const catalog = ctx.server?.store.catalog as CatalogTables | undefined
    if (ctx.server !== undefined && catalog !== undefined) {
      this.reconciler = new LeaderReconciler(ctx, catalog)
      this.reconciler.start()
    }
    await this.startDns(catalog)
  }

  private async startDns(catalog: CatalogTables | undefined): Promise<void> {
    const { config } = this.ctx
    if (config.ports.dns < 0) return
    // dns_config decides where answers come from: this server's own state (stale allowed, no
    // max_stale bound), stale reads through the servers bounded by max_stale, or leader reads.
    const backend = createDnsBackend({
      config: config.dns, catalog, clock: this.clock,
      call: (method, args) => this.ctx.rpc.call(method, args) as Promise<{ value: unknown }>,
    })
    try {
      this.dns = await DnsServer.start({
        bindAddress: config.clientAddrs[0] ?? '127.0.0.1', port: config.ports.dns, backend,
        datacenter: config.datacenter, recursors: config.recursors, config: config.dns,
      })
      this.ctx.log.info('DNS interface listening', { port: this.dns.port })
    } catch (error) {
      this.ctx.log.warn('DNS interface not started', { error: (error as Error).message })
    }
  }

  private scheduleReap(): void {
    this.reaper = this.clock.setTimer(checkDefaults.reapIntervalMs, () => {
      for (const id of this.state.reapable(this.clock.nowMs())) {
        this.ctx.log.info('reaping service with a long-critical check', { service: id })
        void this.state.deregisterService(id).catch(() => {})
      }
      if (!this.closed) this.scheduleReap()
    })
  }

  /** close stops every loop, the runners and the DNS listener. */
  async close(): Promise<void> {
    this.closed = true
    for (const off of this.unsubscribe.splice(0)) off()
    if (this.reaper !== undefined) this.clock.clearTimer(this.reaper)
    this.reconciler?.stop()
    this.sync.stop()
    this.runner.stopAll()
    await this.dns?.close()
  }
}

/** rpcCatalogClient reaches the catalog through the agent's RPC router (servers or forwarded). */
export function rpcCatalogClient(ctx: AgentContext): CatalogClient {
  return {
    nodeServices: async (node) => ((await withTimeout(ctx.rpc.call('Catalog.NodeServices', { node, query: leaderRead }), syncCallTimeoutMs, 'catalog read')) as { value: NodeServices | undefined }).value ?? undefined,
    nodeChecks: async (node) => ((await withTimeout(ctx.rpc.call('Health.NodeChecks', { node, query: leaderRead }), syncCallTimeoutMs, 'catalog read')) as { value: CheckRecord[] }).value,
    register: async (req) => { await withTimeout(ctx.rpc.call('Catalog.Register', { req }), syncCallTimeoutMs, 'catalog register') },
    deregister: async (req) => { await withTimeout(ctx.rpc.call('Catalog.Deregister', { req }), syncCallTimeoutMs, 'catalog deregister') },
  }
}

const agents = new WeakMap<AgentContext, { agent: CatalogAgent; started: Promise<void> }>()

/** ensureCatalogAgent creates and starts the CatalogAgent of a context once. */
export function ensureCatalogAgent(ctx: AgentContext): CatalogAgent {
  let entry = agents.get(ctx)
  if (entry === undefined) {
    const agent = new CatalogAgent(ctx)
    const started = agent.start().catch((error: Error) => ctx.log.warn('catalog agent start failed', { error: error.message }))
    entry = { agent, started }
    agents.set(ctx, entry)
  }
  return entry.agent
}

/** catalogAgentOf returns the started CatalogAgent (waiting for its start to finish). */
export async function catalogAgentOf(ctx: AgentContext): Promise<CatalogAgent> {
  const agent = ensureCatalogAgent(ctx)
  await agents.get(ctx)!.started
  return agent
}

/** stopCatalogAgent shuts a context's CatalogAgent down (agent shutdown, tests). */
export async function stopCatalogAgent(ctx: AgentContext): Promise<void> {
  const entry = agents.get(ctx)
  if (entry === undefined) return
  agents.delete(ctx)
  await entry.started
  await entry.agent.close()
}

/** catalogPlugin starts the CatalogAgent with the agent and stops it on close (agent-plugins.ts). */
export const catalogPlugin: AgentPlugin = {
  name: 'catalog',
  start: async (ctx) => {
    await catalogAgentOf(ctx)
    return () => stopCatalogAgent(ctx)
  },
}
