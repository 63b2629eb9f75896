/**
 * agent/agent.ts: a running zx agent. start() wires, in order: node id → (servers) state store,
 * RPC listener, Raft → LAN gossip → the AgentContext and its RPC methods → HTTP API → joins →
 * (servers) bootstrap and the leader loop. leave() is Consul's graceful leave: a leader hands
 * leadership over first, a server asks to be removed from the Raft configuration only when the
 * rest keeps a quorum, then we leave gossip; shutdown() closes everything without leaving.
 */
import { join } from 'node:path'
import type { Logger } from './agent-log.js'
import { buildContext, buildHttpApi } from './agent-context.js'
import { lanTags, gossipProfileFor, type GossipStarter } from './agent-gossip.js'
import { runJoins } from './agent-join.js'
import { leaderDefaults } from './config/defaults.js'
import { resolveNodeId } from './config/node-id.js'
import type { RuntimeConfig } from './config/types.js'
import type { AgentContext } from './endpoints/context.js'
import type { GossipPool } from './gossip/api.js'
import { Keyring } from './gossip/crypto.js'
import type { HttpApi } from './http/server.js'
import type { RouteArea } from './http/route.js'
import { runBootstrap } from './leader/bootstrap.js'
import { LeaderLoop } from './leader/leader.js'
import { isAlive, quorum, serverMembers } from './leader/servers.js'
import { agentPlugins, type AgentPlugin } from './agent-plugins.js'
import { RaftNode } from './raft/node.js'
import { RpcClientPool } from './rpc/client-pool.js'
import { RpcServer } from './rpc/server.js'
import { CatalogTables } from './state/catalog.js'
import { Fsm } from './state/fsm.js'

/** AgentDeps are the pluggable parts (gossip implementation, extra route areas). */
export interface AgentDeps {
  startGossip: GossipStarter
  extraRoutes?: (ctx: AgentContext) => RouteArea[]
  /** plugins default to agentPlugins (agent-plugins.ts). */
  plugins?: readonly AgentPlugin[]
}

/** Agent is one running agent (server or client). */
export class Agent {
  private leaderLoop: LeaderLoop | undefined
  private stopJoins: (() => void) | undefined
  private stopBootstrap: (() => void) | undefined
  private closing: Promise<void> | undefined
  private readonly pluginStops: (() => Promise<void> | void)[] = []
  /** done resolves with the exit code once the agent has shut down (leave, fatal join failure). */
  readonly done: Promise<number>
  private finish!: (code: number) => void

  private constructor(
    readonly ctx: AgentContext,
    private readonly http: HttpApi,
    private readonly lan: GossipPool,
    private readonly rpcServer: RpcServer | undefined,
    private readonly pool: RpcClientPool,
    private readonly raft: RaftNode | undefined,
  ) {
    this.done = new Promise((resolve) => { this.finish = resolve })
  }

  /** start brings an agent up from a validated config. */
  static async start(config: RuntimeConfig, deps: AgentDeps, log: Logger): Promise<Agent> {
    const nodeId = resolveNodeId(config.dataDir, config.nodeId)
    log.info('starting agent', { node: config.nodeName, id: nodeId, server: config.server, datacenter: config.datacenter })
    const pool = new RpcClientPool({ log: log.named('rpc'), bindAddr: config.bindAddr })
    let rpcServer: RpcServer | undefined
    let raft: RaftNode | undefined
    let fsm: Fsm | undefined
    const cleanups: (() => Promise<void>)[] = [async () => pool.close()]
    try {
      if (config.server) {
        fsm = Fsm.create({ catalogFactory: (indexes) => new CatalogTables(indexes) })
        rpcServer = await RpcServer.listen({ host: config.bindAddr, port: config.ports.server, log: log.named('rpc') })
        cleanups.push(async () => rpcServer!.close())
        raft = await RaftNode.open({
          id: nodeId, dataDir: join(config.dataDir, 'raft'), bindAddress: config.bindAddr,
          advertiseAddress: `${config.advertiseAddr}:${config.ports.server}`, fsm, rpc: rpcServer, pool,
          tickMs: config.raft.tickMs, electionTicks: config.raft.electionTicks, log: log.named('raft'),
        })
        cleanups.push(async () => raft!.close())
      }
      const keyring = config.encrypt === undefined ? undefined : new Keyring([config.encrypt])
      const lan = await deps.startGossip({
        name: config.nodeName, bindAddr: config.bindAddr, bindPort: config.ports.serfLan,
        advertiseAddr: config.advertiseAddr, advertisePort: config.ports.serfLan,
        tags: lanTags(config, nodeId), keyring,
        profile: gossipProfileFor(config), dataDir: config.dataDir, poolName: 'lan', log: log.named('serf.lan'),
      })
      cleanups.push(async () => lan.close())
      if (raft !== undefined) {
        // Raft dials servers where gossip sees them now, not where the configuration last stored
        // them: a server restarted with a new IP is reachable again at once.
        const liveRaft = raft
        const refresh = (): void => { for (const s of serverMembers(lan, config.datacenter)) liveRaft.setLiveAddress(s.id, s.address) }
        refresh()
        const unsubscribe = lan.onMemberEvent(refresh)
        cleanups.push(async () => { unsubscribe() })
      }
      let wan: GossipPool | undefined
      if (config.server) {
        wan = await deps.startGossip({
          name: `${config.nodeName}.${config.datacenter}`, bindAddr: config.bindAddr, bindPort: config.ports.serfWan,
          advertiseAddr: config.advertiseAddr, advertisePort: config.ports.serfWan,
          tags: lanTags(config, nodeId), keyring,
          profile: gossipProfileFor(config) === 'local' ? 'local' : 'wan', dataDir: config.dataDir, poolName: 'wan', log: log.named('serf.wan'),
        })
        cleanups.push(async () => wan!.close())
      }
      let agent: Agent | undefined
      const ctx = buildContext({
        config, nodeId, raft, fsm, lan, wan, transport: pool, log,
        servers: () => serverMembers(lan, config.datacenter).filter((s) => isAlive(s.status)).map((s) => s.address),
        control: {
          leave: () => agent!.leave(),
          join: (addresses, overWan) => (overWan ? wan ?? lan : lan).join(addresses),
          forceLeave: (node, prune, overWan) => (overWan ? wan ?? lan : lan).forceLeave(node, prune),
        },
      })
      if (rpcServer !== undefined) for (const name of ctx.rpc.names()) rpcServer.handle(name, (args) => ctx.rpc.handleRemote(name, args))
      const http = buildHttpApi(ctx, deps.extraRoutes?.(ctx) ?? [])
      const ports = await http.listen(config.clientAddrs, config.ports.http)
      log.info('HTTP API listening', { addresses: config.clientAddrs.join(','), port: ports[0] })
      agent = new Agent(ctx, http, lan, rpcServer, pool, raft)
      agent.begin()
      await agent.startPlugins(deps.plugins ?? agentPlugins)
      return agent
    } catch (error) {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
      throw error
    }
  }

  private begin(): void {
    const { config, log } = this.ctx
    const joins = runJoins(this.lan, config, log.named('join'), () => {
      log.error('retry_join attempts exhausted; shutting down')
      void this.shutdown().then(() => this.finish(1))
    })
    this.stopJoins = joins.stop
    if (this.raft === undefined || this.ctx.server === undefined) return
    if (config.bootstrap || config.bootstrapExpect > 0) {
      const boot = runBootstrap({
        raft: this.raft, lan: this.lan, router: this.ctx.rpc, dc: config.datacenter,
        expect: config.bootstrap ? 1 : config.bootstrapExpect,
        self: { id: this.ctx.nodeId, address: `${config.advertiseAddr}:${config.ports.server}` }, log: log.named('bootstrap'),
      })
      this.stopBootstrap = boot.stop
    } else if (this.raft.hasState()) log.info('raft data found, rejoining the existing configuration')
    this.leaderLoop = new LeaderLoop(this.ctx)
    this.leaderLoop.start()
  }

  private async startPlugins(plugins: readonly AgentPlugin[]): Promise<void> {
    for (const plugin of plugins) {
      try {
        const stop = await plugin.start(this.ctx)
        if (typeof stop === 'function') this.pluginStops.push(stop)
      } catch (error) {
        await this.shutdown()
        throw new Error(`starting ${plugin.name}: ${(error as Error).message}`, { cause: error })
      }
    }
  }

  /** leave gracefully leaves the cluster and shuts down. */
  async leave(): Promise<void> {
    if (this.closing !== undefined) return this.closing
    const { log } = this.ctx
    log.info('gracefully leaving the cluster')
    this.closing = (async () => {
      await this.leaveRaft().catch((error: Error) => log.warn('raft leave step failed', { error: error.message }))
      await this.ctx.wan?.leave(leaderDefaults.leaveDrainMs).catch((error: Error) => log.warn('WAN gossip leave failed', { error: error.message }))
      await this.lan.leave(leaderDefaults.leaveDrainMs).catch((error: Error) => log.warn('gossip leave failed', { error: error.message }))
      await this.close()
      log.info('graceful leave complete')
    })()
    await this.closing
    this.finish(0)
  }

  private async leaveRaft(): Promise<void> {
    const raft = this.raft
    if (raft === undefined) return
    const status = raft.status()
    const voters = status.configuration.filter((s) => s.voter)
    if (status.role === 'leader' && voters.length > 1) {
      this.ctx.log.info('transferring leadership before leaving')
      await withTimeout(raft.transferLeadership(), leaderDefaults.leaveTransferTimeoutMs)
    }
    if (!voters.some((s) => s.id === this.ctx.nodeId) || voters.length <= 1) return
    const members = new Map(serverMembers(this.lan, this.ctx.config.datacenter).map((m) => [m.id, m]))
    const othersAlive = voters.filter((s) => s.id !== this.ctx.nodeId && isAlive(members.get(s.id)?.status ?? 'failed')).length
    if (othersAlive < quorum(voters.length - 1)) {
      this.ctx.log.warn('not removing this server from Raft: the rest would lose quorum')
      return
    }
    await this.ctx.rpc.call('Operator.RaftRemovePeer', { id: this.ctx.nodeId })
  }

  /** shutdown stops without leaving (kill-style; the cluster sees us fail). */
  async shutdown(): Promise<void> {
    if (this.closing === undefined) this.closing = this.close()
    await this.closing
    this.finish(0)
  }

  private async close(): Promise<void> {
    this.stopJoins?.()
    this.stopBootstrap?.()
    this.leaderLoop?.stop()
    for (const stop of this.pluginStops.reverse()) await Promise.resolve(stop()).catch(() => undefined)
    await this.http.close().catch(() => undefined)
    await this.raft?.close().catch(() => undefined)
    await this.ctx.wan?.close().catch(() => undefined)
    await this.lan.close().catch(() => undefined)
    await this.rpcServer?.close().catch(() => undefined)
    await this.pool.close()
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([promise, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref?.())])
}
