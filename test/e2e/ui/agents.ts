/**
 * test/e2e/ui/agents.ts: runs a real lab cluster for the UI tests: three servers
 * (-bootstrap-expect=3) and one client, as `zx agent` child processes on 127.0.0.1 with ports
 * from H8's range (node n: HTTP 27000 + 100·(n−1), DNS +1, server RPC +2, LAN +3, WAN +4) and
 * fresh data dirs. ZX_AGENT_CMD overrides the command (default: node bin/run.js agent).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const repo = resolve(import.meta.dirname, '../../..')

/** RealNode is one agent process. */
export interface RealNode {
  name: string
  server: boolean
  httpPort: number
  lanPort: number
  dataDir: string
  child: ChildProcess | undefined
  log: string[]
}

/** portsOf gives node n's ports. */
export function portsOf(n: number) {
  const base = 27_000 + 100 * (n - 1)
  return { http: base, dns: base + 1, server: base + 2, lan: base + 3, wan: base + 4 }
}

/** RealCluster starts, kills and stops the four agents. */
export class RealCluster {
  readonly root = mkdtempSync(join(tmpdir(), 'zx-ui-cluster-'))
  readonly nodes: RealNode[] = [1, 2, 3, 4].map((n) => ({ name: `node${n}`, server: n <= 3, httpPort: portsOf(n).http, lanPort: portsOf(n).lan, dataDir: join(this.root, `node${n}`), child: undefined, log: [] }))

  /** start launches every agent; node2–4 retry-join node1. */
  start(): void {
    for (const node of this.nodes) this.launch(node)
  }

  private launch(node: RealNode): void {
    const n = Number(node.name.slice(4))
    const p = portsOf(n)
    const [cmd, ...base] = (process.env.ZX_AGENT_CMD ?? `node ${join(repo, 'bin/run.js')} agent`).split(' ')
    const args = [
      ...base, `-node=${node.name}`, `-data-dir=${node.dataDir}`, '-bind=127.0.0.1', '-client=127.0.0.1', '-ui', '-log-level=info',
      `-http-port=${p.http}`, `-dns-port=${p.dns}`, `-server-port=${p.server}`, `-serf-lan-port=${p.lan}`, `-serf-wan-port=${p.wan}`,
      ...(node.server ? ['-server', '-bootstrap-expect=3'] : []),
      ...this.nodes.filter((o) => o !== node && o.server).map((o) => `-retry-join=127.0.0.1:${o.lanPort}`),
    ]
    const child = spawn(cmd!, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] })
    const keep = (chunk: Buffer) => { node.log.push(chunk.toString()); if (node.log.length > 400) node.log.splice(0, 100) }
    child.stdout!.on('data', keep)
    child.stderr!.on('data', keep)
    node.child = child
  }

  /** byName finds a node. */
  byName(name: string): RealNode {
    return this.nodes.find((n) => n.name === name)!
  }

  /** kill sends SIGKILL to one agent and waits for it to exit. */
  async kill(name: string): Promise<void> {
    const node = this.byName(name)
    const child = node.child
    if (!child || child.exitCode !== null) return
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    child.kill('SIGKILL')
    await exited
    node.child = undefined
  }

  /** stop kills every agent still running and removes the data dirs. */
  async stop(): Promise<void> {
    for (const node of this.nodes) await this.kill(node.name)
    rmSync(this.root, { recursive: true, force: true })
  }

  /** logs returns the tail of every agent's output, for failure messages. */
  logs(): string {
    return this.nodes.map((n) => `--- ${n.name}\n${n.log.join('').slice(-3000)}`).join('\n')
  }
}

/** waitFor polls fn every 200 ms until it returns a value or timeoutMs passes. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const v = await fn()
      if (v !== undefined) return v
    } catch (error) {
      last = error
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`)
}

/** cpuTicks reads utime + stime (clock ticks, 100 per second on Linux) of a running process. */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[11]) + Number(fields[12])
}
