/**
 * src/runtime/docker.ts: DockerRuntime runs lab nodes as containers, like the seed's
 * `docker run` lines: one user-defined network per cluster (containers find each other by
 * name, so `-join=node1` works), host ports on 127.0.0.1 (container port + 1000·(n−1)),
 * `--restart=always`, a named volume per node for /consul/data, and labels (`zx.cluster`,
 * `zx.node`, `zx.role`, `zx.plan`) that are the runtime's only record of what it created.
 * A full partition is `docker network disconnect`; a one-peer cut (`--from`) is a pair of
 * iptables rules in the node's netns (netfilter.ts). Heal undoes both.
 */
import Docker from 'dockerode'
import type { Writable } from 'node:stream'
import { LabError } from '../errors.js'
import { containerPorts, type NodePlan } from '../cluster/layout.js'
import { dockerAgentArgs, labJoinRetryMs } from '../cluster/agent-args.js'
import { clusterDir } from '../cluster/state.js'
import { applyLink, readLinks, removeLink, writeLinks } from './netfilter.js'
import type { ClusterSpec, NodeState, NodeStatus, Runtime, StopSignal, UpReport } from './types.js'

/** dockerLabels are the label keys the runtime sets and filters on. */
export const dockerLabels = { cluster: 'zx.cluster', node: 'zx.node', role: 'zx.role', plan: 'zx.plan' } as const

/** DockerRuntime runs one cluster's nodes as containers. */
export class DockerRuntime implements Runtime {
  readonly kind = 'docker' as const
  readonly network: string
  private readonly dir: string

  constructor(private readonly name: string, private readonly docker: Docker, private readonly image: () => Promise<string>, env: NodeJS.ProcessEnv = process.env) {
    this.network = `${name}-net`
    this.dir = clusterDir(name, env)
  }

  /** containerName is node1 for the default cluster (like the seed), else <cluster>-node1. */
  containerName(node: string): string {
    return this.name === 'zx' ? node : `${this.name}-${node}`
  }

  async up(spec: ClusterSpec, log: (line: string) => void): Promise<UpReport> {
    const report: UpReport = { started: [], alreadyRunning: [] }
    const [, existing] = await Promise.all([this.ensureNetwork(), this.list()])
    const byNode = new Map(existing.map((c) => [c.Labels[dockerLabels.node], c]))
    const toStart = spec.nodes.filter((plan) => {
      const state = byNode.get(plan.name)?.State
      if (state === 'running' || state === 'paused') { report.alreadyRunning.push(plan.name); return false }
      return true
    })
    const image = toStart.some((plan) => !byNode.has(plan.name)) ? await this.image() : undefined
    // Volumes and containers are created together, then every container starts at once: the
    // joiners retry node1 every labJoinRetryMs (their local config), so nobody waits for node1.
    const containers = await Promise.all(toStart.map(async (plan) => {
      const found = byNode.get(plan.name)
      return found !== undefined ? this.docker.getContainer(found.Id) : this.create(plan, spec.nodes, image!)
    }))
    if (containers.length > 0) report.firstSpawnAt = Date.now()
    await Promise.all(containers.map(async (container, i) => {
      const plan = toStart[i]!
      await container.start()
      log(`started ${this.containerName(plan.name)} (${plan.role}, http 127.0.0.1:${plan.ports.http})`)
    }))
    report.started.push(...toStart.map((plan) => plan.name))
    return report
  }

  async down(options: { volumes: boolean }): Promise<string[]> {
    const containers = (await this.list()).sort((a, b) => (a.Labels[dockerLabels.node] ?? '').localeCompare(b.Labels[dockerLabels.node] ?? '', 'en', { numeric: true }))
    for (const c of containers) await this.docker.getContainer(c.Id).remove({ force: true, v: false })
    const networks = await this.docker.listNetworks({ filters: { label: [`${dockerLabels.cluster}=${this.name}`] } })
    for (const n of networks) await this.docker.getNetwork(n.Id).remove().catch(() => {})
    if (options.volumes) {
      const volumes = await this.docker.listVolumes({ filters: { label: [`${dockerLabels.cluster}=${this.name}`] } })
      for (const v of volumes.Volumes ?? []) await this.docker.getVolume(v.Name).remove({ force: true })
    }
    return containers.map((c) => c.Labels[dockerLabels.node] ?? c.Id)
  }

  async status(): Promise<NodeStatus[]> {
    const [containers, links] = await Promise.all([this.list(), readLinks(this.dir)])
    return containers.map((c) => ({
      plan: JSON.parse(c.Labels[dockerLabels.plan] ?? '{}') as NodePlan,
      state: stateOf(c.State),
      id: c.Id.slice(0, 12),
      partitioned: !Object.keys(c.NetworkSettings?.Networks ?? {}).includes(this.network) || links.some((l) => l.node === c.Labels[dockerLabels.node]),
    })).sort((a, b) => a.plan.index - b.plan.index)
  }

  async start(node: string): Promise<void> {
    const c = await this.require(node)
    if (c.State === 'paused') return this.unpause(node)
    if (c.State !== 'running') await this.docker.getContainer(c.Id).start()
  }

  async stop(node: string, signal: StopSignal = 'TERM'): Promise<void> {
    const c = await this.require(node)
    if (c.State === 'paused') await this.docker.getContainer(c.Id).unpause()
    if (c.State === 'running' || c.State === 'paused') await this.docker.getContainer(c.Id).stop({ t: signal === 'KILL' ? 0 : 10 })
  }

  async restart(node: string): Promise<void> {
    await this.docker.getContainer((await this.require(node)).Id).restart({ t: 10 })
  }

  async kill(node: string, signal: StopSignal): Promise<void> {
    // `docker stop` marks the container as stopped by hand, so --restart=always leaves it down;
    // t=0 makes the engine follow SIGTERM with SIGKILL at once.
    const c = await this.require(node)
    if (c.State === 'paused') await this.docker.getContainer(c.Id).unpause()
    await this.docker.getContainer(c.Id).stop({ t: signal === 'KILL' ? 0 : 10 })
  }

  async pause(node: string): Promise<void> { await this.docker.getContainer((await this.require(node)).Id).pause() }
  async unpause(node: string): Promise<void> { await this.docker.getContainer((await this.require(node)).Id).unpause() }

  async partition(node: string, from?: string): Promise<string> {
    const c = await this.require(node)
    if (from === undefined) {
      await this.docker.getNetwork(this.network).disconnect({ Container: c.Id, Force: true })
      return `${node} disconnected from ${this.network}`
    }
    if (from === node) throw new LabError('ZX_ERR_USAGE', `cannot partition ${node} from itself`)
    const [self, peer] = await Promise.all([this.docker.getContainer(c.Id).inspect(), this.docker.getContainer((await this.require(from)).Id).inspect()])
    const peerAddress = peer.NetworkSettings.Networks[this.network]?.IPAddress
    if (self.State.Pid <= 0) throw new LabError('ZX_ERR_RUNTIME', `${node} is not running (zx cluster start ${node})`)
    if (peerAddress === undefined || peerAddress === '') throw new LabError('ZX_ERR_RUNTIME', `${from} has no address on ${this.network} (already partitioned? zx chaos heal)`)
    const link = { node, from, peerAddress }
    await applyLink(self.State.Pid, link)
    const links = await readLinks(this.dir)
    await writeLinks(this.dir, [...links.filter((l) => !(l.node === node && l.from === from)), link])
    return `${node} cut off from ${from} (${peerAddress}) in both directions; every other link stays up`
  }

  async heal(): Promise<string[]> {
    const healed = new Set<string>()
    const links = await readLinks(this.dir)
    for (const link of links) {
      const c = await this.find(link.node)
      const pid = c === undefined ? 0 : (await this.docker.getContainer(c.Id).inspect()).State.Pid
      if (pid > 0) await removeLink(pid, link)  // a stopped container lost its rules with its netns
      healed.add(link.node)
    }
    if (links.length > 0) await writeLinks(this.dir, [])
    for (const n of await this.status()) {
      if (n.id === undefined || !(await this.disconnected(n.id))) continue
      await this.docker.getNetwork(this.network).connect({ Container: n.id, EndpointConfig: { Aliases: [n.plan.name] } })
      healed.add(n.plan.name)
    }
    return [...healed]
  }

  private async disconnected(id: string): Promise<boolean> {
    const info = await this.docker.getContainer(id).inspect()
    return info.NetworkSettings.Networks[this.network] === undefined
  }

  async logs(node: string, options: { follow: boolean; out: Writable; signal?: AbortSignal; tail?: number }): Promise<void> {
    const container = this.docker.getContainer((await this.require(node)).Id)
    const tail = options.tail ?? -1
    if (!options.follow) {
      const buffer = await container.logs({ stdout: true, stderr: true, follow: false, ...(tail >= 0 ? { tail } : {}) })
      options.out.write(demux(buffer))
      return
    }
    const stream = await container.logs({ stdout: true, stderr: true, follow: true, ...(tail >= 0 ? { tail } : {}) })
    await new Promise<void>((resolve) => {
      this.docker.modem.demuxStream(stream, options.out, options.out)
      stream.on('end', resolve)
      options.signal?.addEventListener('abort', () => { (stream as unknown as { destroy: () => void }).destroy(); resolve() }, { once: true })
    })
  }

  private async create(plan: NodePlan, nodes: NodePlan[], image: string): Promise<Docker.Container> {
    const labels = {
      [dockerLabels.cluster]: this.name, [dockerLabels.node]: plan.name, [dockerLabels.role]: plan.role, [dockerLabels.plan]: JSON.stringify(plan),
    }
    const volume = `${this.name}-${plan.name}-data`
    await this.docker.createVolume({ Name: volume, Labels: { [dockerLabels.cluster]: this.name, [dockerLabels.node]: plan.name } })
    const bindings = portBindings(plan)
    const container = await this.docker.createContainer({
      name: this.containerName(plan.name), Hostname: plan.name, Image: image, Cmd: dockerAgentArgs(plan, nodes), Labels: labels,
      Env: [`CONSUL_LOCAL_CONFIG=${JSON.stringify(localConfig(plan, nodes))}`],
      ExposedPorts: Object.fromEntries(Object.keys(bindings).map((k) => [k, {}])),
      HostConfig: {
        PortBindings: bindings, RestartPolicy: { Name: 'always' }, NetworkMode: this.network,
        Mounts: [{ Type: 'volume', Source: volume, Target: '/consul/data' }],
      },
      NetworkingConfig: { EndpointsConfig: { [this.network]: { Aliases: [plan.name] } } },
    })
    return container
  }

  private async ensureNetwork(): Promise<void> {
    const existing = await this.docker.listNetworks({ filters: { name: [this.network] } })
    if (existing.some((n) => n.Name === this.network)) return
    await this.docker.createNetwork({ Name: this.network, Driver: 'bridge', Labels: { [dockerLabels.cluster]: this.name } })
  }

  private async list(): Promise<Docker.ContainerInfo[]> {
    return this.docker.listContainers({ all: true, filters: { label: [`${dockerLabels.cluster}=${this.name}`] } })
  }

  private async find(node: string): Promise<Docker.ContainerInfo | undefined> {
    return (await this.list()).find((c) => c.Labels[dockerLabels.node] === node)
  }

  private async require(node: string): Promise<Docker.ContainerInfo> {
    const c = await this.find(node)
    if (c === undefined) throw new LabError('ZX_ERR_NODE_NOT_FOUND', `no container for ${node} in cluster ${this.name} (zx cluster status)`)
    return c
  }
}

/**
 * localConfig is a node's CONSUL_LOCAL_CONFIG (the official image's hook, not a flag): the
 * seed's leave behaviour, and for joiners a short join retry, since all containers start at once.
 */
export function localConfig(plan: NodePlan, nodes: NodePlan[]): Record<string, unknown> {
  const config: Record<string, unknown> = plan.role === 'server' ? { skip_leave_on_interrupt: true } : { leave_on_terminate: true }
  const first = nodes.find((n) => n.role === 'server')
  if (first !== undefined && plan.name !== first.name) config.retry_interval = `${labJoinRetryMs}ms`
  return config
}

/** portBindings maps node n's container ports to 127.0.0.1 host ports (seed table). */
export function portBindings(plan: NodePlan): Record<string, Array<{ HostIp: string; HostPort: string }>> {
  const bind = (port: number) => [{ HostIp: '127.0.0.1', HostPort: String(port) }]
  const p = plan.ports
  return {
    [`${containerPorts.server}/tcp`]: bind(p.server),
    [`${containerPorts.serfLan}/tcp`]: bind(p.serfLan), [`${containerPorts.serfLan}/udp`]: bind(p.serfLan),
    [`${containerPorts.serfWan}/tcp`]: bind(p.serfWan), [`${containerPorts.serfWan}/udp`]: bind(p.serfWan),
    [`${containerPorts.legacy}/tcp`]: bind(p.legacy),
    [`${containerPorts.http}/tcp`]: bind(p.http),
    [`${containerPorts.dns}/tcp`]: bind(p.dns), [`${containerPorts.dns}/udp`]: bind(p.dns),
  }
}

function stateOf(state: string): NodeState {
  switch (state) {
    case 'running': case 'restarting': return 'running'
    case 'paused': return 'paused'
    default: return 'stopped'
  }
}

/** demux splits Docker's multiplexed log frames (8-byte headers) into plain bytes. */
export function demux(buffer: Buffer): Buffer {
  const parts: Buffer[] = []
  let offset = 0
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4)
    if (buffer[offset]! > 2 || buffer[offset + 1] !== 0) return buffer  // not multiplexed (TTY)
    parts.push(buffer.subarray(offset + 8, offset + 8 + size))
    offset += 8 + size
  }
  return Buffer.concat(parts)
}
