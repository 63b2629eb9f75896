/**
 * src/runtime/process.ts: ProcessRuntime runs lab nodes as detached `zx agent` processes on
 * 127.0.0.1, for machines without a Docker engine. Everything lives in the cluster folder
 * ($ZX_HOME/clusters/<name>/nodeN/): `data/` (the agent's data dir), `agent.log` (stdout and
 * stderr), `zx.pid`, `args.json` (the argv, so `start` can bring a stopped node back) and
 * `partitioned` (the marker of a SIGSTOP stand-in partition); the cluster folder's links.json
 * records cut links. A pid is trusted only while /proc/<pid>/cmdline still names this node, so
 * a reused pid is never signalled.
 * Partitions: on Linux every node binds its own loopback address (processBindAddress), so
 * `chaos partition` drops the traffic between two nodes' addresses with host iptables rules,
 * one link or all of a node's links, and heal deletes them. Without root or iptables (or for a
 * cluster started before nodes had their own addresses) SIGSTOP stands in for "cut off": the
 * node stops answering anyone, which is what peers see in a full partition.
 */
import { spawn } from 'node:child_process'
import { mkdir, open, readFile, rm, writeFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Writable } from 'node:stream'
import { LabError } from '../errors.js'
import { processAgentArgs, processBindAddress } from '../cluster/agent-args.js'
import { applyLink, hostIptablesUnusable, readLinks, removeLink, sweepHostRules, writeLinks, type CutLink } from './netfilter.js'
import { clusterDir } from '../cluster/state.js'
import { agentEntry, packageRoot } from './entry.js'
import { agentBundlePath } from './agent-bundle.js'
import { followFile, waitFor } from './wait.js'
import type { ClusterSpec, NodeState, NodeStatus, Runtime, StopSignal, UpReport } from './types.js'
import type { NodePlan } from '../cluster/layout.js'

/** processDefaults bound the waits of the process runtime. */
export const processDefaults = {
  stopGraceMs: 10_000,   // SIGTERM → SIGKILL, like `docker stop`
  pollMs: 50,
  startCheckMs: 3_000,   // how long a fresh child may take to exec before we call it failed
} as const

/** ProcessRuntime runs one cluster's nodes as local processes. */
export class ProcessRuntime implements Runtime {
  readonly kind = 'process' as const
  private readonly dir: string
  private bundle: string | undefined

  constructor(private readonly name: string, private readonly env: NodeJS.ProcessEnv = process.env) {
    this.dir = clusterDir(name, env)
  }

  async up(spec: ClusterSpec, log: (line: string) => void): Promise<UpReport> {
    const report: UpReport = { started: [], alreadyRunning: [] }
    const toStart: Array<{ plan: NodePlan; args: string[] }> = []
    for (const plan of spec.nodes) {
      const current = await this.nodeStatus(plan)
      if (current.state === 'running' || current.state === 'paused') { report.alreadyRunning.push(plan.name); continue }
      const nodeDir = join(this.dir, plan.name)
      await mkdir(join(nodeDir, 'data'), { recursive: true })
      const args = processAgentArgs(plan, spec.nodes, join(nodeDir, 'data'), (n) => processBindAddress(this.name, n))
      await writeFile(join(nodeDir, 'args.json'), JSON.stringify({ plan, args }) + '\n')
      toStart.push({ plan, args })
    }
    // Every node starts at once: joins to node1 are retried every labJoinRetryMs, so nobody
    // waits for node1 to listen first, and the agents' start-up overlaps.
    if (toStart.length > 0) await this.prepareBundle(log)
    if (toStart.length > 0) report.firstSpawnAt = Date.now()
    const results = await Promise.allSettled(toStart.map(async ({ plan, args }) => {
      await this.spawnNode(plan.name, args)
      log(`started ${plan.name} (${plan.role}, http 127.0.0.1:${plan.ports.http})`)
    }))
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed !== undefined) throw failed.reason
    report.started.push(...toStart.map((t) => t.plan.name))
    return report
  }

  async down(options: { volumes: boolean }): Promise<string[]> {
    const nodes = await this.status()
    await this.removeLinks()
    await Promise.all(nodes.map((n) => this.stop(n.plan.name, 'TERM')))
    for (const n of nodes) {
      const nodeDir = join(this.dir, n.plan.name)
      if (options.volumes) await rm(nodeDir, { recursive: true, force: true })
      else await rm(join(nodeDir, 'partitioned'), { force: true })
    }
    return nodes.map((n) => n.plan.name)
  }

  async status(): Promise<NodeStatus[]> {
    let entries: string[]
    try {
      entries = await readdir(this.dir)
    } catch {
      return []
    }
    const result: NodeStatus[] = []
    for (const entry of entries.filter((e) => /^node\d+$/.test(e)).sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))) {
      const saved = await this.saved(entry).catch(() => undefined)
      if (saved === undefined) continue
      const status = await this.nodeStatus(saved.plan)
      const bind = bindOf(saved.args)
      result.push(bind === undefined || bind === '127.0.0.1' ? status : { ...status, gossipAddress: bind })
    }
    return result
  }

  async start(node: string): Promise<void> {
    const saved = await this.saved(node)
    const current = await this.nodeStatus(saved.plan)
    if (current.state === 'paused') return this.unpause(node)
    if (current.state === 'running') return
    await this.prepareBundle(() => {})
    await this.spawnNode(node, saved.args)
  }

  async stop(node: string, signal: StopSignal = 'TERM'): Promise<void> {
    const pid = await this.livePid(node)
    if (pid === undefined) return
    signalPid(pid, 'SIGCONT')  // a paused process cannot handle SIGTERM
    signalPid(pid, signal === 'KILL' ? 'SIGKILL' : 'SIGTERM')
    const gone = await waitFor(async () => !(await isOurs(pid, node)), processDefaults.stopGraceMs, processDefaults.pollMs)
    if (!gone) {
      signalPid(pid, 'SIGKILL')
      await waitFor(async () => !(await isOurs(pid, node)), 5_000, processDefaults.pollMs)
    }
  }

  async restart(node: string): Promise<void> {
    await this.stop(node, 'TERM')
    await this.start(node)
  }

  async kill(node: string, signal: StopSignal): Promise<void> {
    const pid = await this.requirePid(node)
    signalPid(pid, 'SIGCONT')
    signalPid(pid, signal === 'KILL' ? 'SIGKILL' : 'SIGTERM')
  }

  async pause(node: string): Promise<void> { signalPid(await this.requirePid(node), 'SIGSTOP') }
  async unpause(node: string): Promise<void> { signalPid(await this.requirePid(node), 'SIGCONT') }

  async partition(node: string, from?: string): Promise<string> {
    if (from === node) throw new LabError('ZX_ERR_USAGE', `cannot partition ${node} from itself`)
    await this.requirePid(node)
    const addresses = await this.bindAddresses()
    const own = addresses.get(node)
    const peers = from === undefined ? [...addresses.keys()].filter((n) => n !== node) : [from]
    for (const peer of peers) if (!addresses.has(peer)) throw new LabError('ZX_ERR_NODE_NOT_FOUND', `no node ${peer} in cluster ${this.name} (zx cluster status)`)
    const why = own === undefined || own === '127.0.0.1'
      ? 'its nodes share 127.0.0.1 (started before nodes had their own loopback addresses, or not on Linux)'
      : await hostIptablesUnusable()
    if (why !== undefined) {
      await this.pause(node)
      await writeFile(join(this.dir, node, 'partitioned'), 'SIGSTOP\n')
      return `${node} frozen with SIGSTOP as a stand-in for a network partition${from === undefined ? '' : ` (cut off from everyone, not only ${from})`}: ${why}`
    }
    const links = await readLinks(this.dir)
    const added: CutLink[] = []
    for (const peer of peers) {
      if (links.some((l) => l.node === node && l.from === peer)) continue
      const link: CutLink = { node, from: peer, peerAddress: addresses.get(peer)!, nodeAddress: own, cluster: this.name }
      await applyLink(undefined, link)
      added.push(link)
      await writeLinks(this.dir, [...links, ...added])
    }
    const list = peers.map((p) => `${p} (${addresses.get(p)})`).join(', ')
    return `${node} (${own}) cut off from ${list} in both directions (host iptables DROP rules)${from === undefined ? '' : '; every other link stays up'}`
  }

  async heal(): Promise<string[]> {
    const healed = new Set(await this.removeLinks())
    for (const n of await this.status()) {
      if (!n.partitioned) continue
      if (n.state === 'paused' && n.id !== undefined) signalPid(Number(n.id), 'SIGCONT')
      await rm(join(this.dir, n.plan.name, 'partitioned'), { force: true })
      healed.add(n.plan.name)
    }
    return [...healed]
  }

  /** removeLinks deletes every recorded cut link's host rules; returns the nodes that had any. */
  private async removeLinks(): Promise<string[]> {
    const links = await readLinks(this.dir)
    for (const link of links) await removeLink(undefined, link)
    if (links.length > 0) await writeLinks(this.dir, [])
    await sweepHostRules(this.name)
    return [...new Set(links.map((l) => l.node))]
  }

  /** bindAddresses maps each node to the -bind address of its saved argv. */
  private async bindAddresses(): Promise<Map<string, string>> {
    const result = new Map<string, string>()
    for (const n of await this.status()) {
      const bind = bindOf((await this.saved(n.plan.name)).args)
      if (bind !== undefined) result.set(n.plan.name, bind)
    }
    return result
  }

  async logs(node: string, options: { follow: boolean; out: Writable; signal?: AbortSignal; tail?: number }): Promise<void> {
    await this.saved(node)
    await followFile(join(this.dir, node, 'agent.log'), options)
  }

  /** prepareBundle picks the one-file agent unless a test's ZX_AGENT_BIN or ZX_AGENT_BUNDLE=0 says otherwise. */
  private async prepareBundle(log: (line: string) => void): Promise<void> {
    if ((this.env.ZX_AGENT_BIN ?? '') !== '' || this.env.ZX_AGENT_BUNDLE === '0') return
    this.bundle ??= await agentBundlePath(packageRoot(), log)
  }

  private async spawnNode(node: string, args: string[]): Promise<void> {
    const nodeDir = join(this.dir, node)
    const logFile = await open(join(nodeDir, 'agent.log'), 'a')
    try {
      const entry = agentEntry(this.env, this.bundle)
      const child = spawn(entry.command, [...entry.args, ...args], {
        detached: true, stdio: ['ignore', logFile.fd, logFile.fd], env: { ...this.env, ZX_LAB_NODE: node },
      })
      const pid = child.pid
      if (pid === undefined) throw new LabError('ZX_ERR_RUNTIME', `could not start ${node}: spawn gave no pid`)
      child.unref()
      await writeFile(join(nodeDir, 'zx.pid'), `${pid}\n`)
      // Right after spawn the child may not have exec'd yet (its cmdline is still ours), so
      // wait until it shows this node's argv or is gone; a crash at start is reported here.
      let exited = false
      child.once('exit', () => { exited = true })
      await waitFor(async () => exited || (await isOurs(pid, node)), processDefaults.startCheckMs, processDefaults.pollMs)
      if (exited || !(await isOurs(pid, node))) {
        const tail = (await readFile(join(nodeDir, 'agent.log'), 'utf8').catch(() => '')).split('\n').slice(-6).join('\n')
        throw new LabError('ZX_ERR_RUNTIME', `${node} exited right after start; last log lines:\n${tail}`)
      }
    } finally {
      await logFile.close()
    }
  }

  private async saved(node: string): Promise<{ plan: NodePlan; args: string[] }> {
    try {
      return JSON.parse(await readFile(join(this.dir, node, 'args.json'), 'utf8')) as { plan: NodePlan; args: string[] }
    } catch {
      throw new LabError('ZX_ERR_NODE_NOT_FOUND', `no node ${node} in cluster ${this.name} (zx cluster status)`)
    }
  }

  private async nodeStatus(plan: NodePlan): Promise<NodeStatus> {
    const pid = await this.livePid(plan.name)
    const partitioned = await stat(join(this.dir, plan.name, 'partitioned')).then(() => true, () => false) ||
      (await readLinks(this.dir)).some((l) => l.node === plan.name)
    let state: NodeState = 'stopped'
    if (pid !== undefined) state = (await procState(pid)) === 'T' ? 'paused' : 'running'
    else if (!(await stat(join(this.dir, plan.name)).then(() => true, () => false))) state = 'missing'
    return { plan, state, id: pid === undefined ? undefined : String(pid), partitioned }
  }

  private async livePid(node: string): Promise<number | undefined> {
    const text = await readFile(join(this.dir, node, 'zx.pid'), 'utf8').catch(() => '')
    const pid = Number(text.trim())
    if (!Number.isSafeInteger(pid) || pid <= 0) return undefined
    return (await isOurs(pid, node)) ? pid : undefined
  }

  private async requirePid(node: string): Promise<number> {
    const pid = await this.livePid(node)
    if (pid === undefined) throw new LabError('ZX_ERR_RUNTIME', `${node} is not running (zx cluster start ${node})`)
    return pid
  }
}

/** bindOf reads the -bind address out of a node's saved argv. */
function bindOf(args: string[]): string | undefined {
  return args.find((a) => a.startsWith('-bind='))?.slice('-bind='.length)
}

/** isOurs tells whether pid is alive and is this node's agent (guards against pid reuse). */
async function isOurs(pid: number, node: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
  if (cmdline === '') return false
  if ((await procState(pid)) === 'Z') return false
  return cmdline.split('\0').includes(`-node=${node}`)
}

async function procState(pid: number): Promise<string | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  return /\) (\S)/.exec(text)?.[1]
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal)
  } catch (error) {
    if ((error as { code?: string }).code !== 'ESRCH') throw error
  }
}
