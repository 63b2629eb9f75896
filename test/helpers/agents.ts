/**
 * test/helpers/agents.ts: real `zx agent` processes on 127.0.0.1 for integration tests. Each
 * node gets compact ports base + 10·(n−1) + k and its own data dir; servers use the seed's
 * `-server -bootstrap-expect=3` and join node1's gossip port. Processes are killed in cleanup
 * whatever happened, so a failing test never leaves agents behind.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, openSync, closeSync } from 'node:fs'
import { join, resolve } from 'node:path'

const runJs = resolve(import.meta.dirname, '../../bin/run.js')

/** AgentSpec is one node of a test cluster. */
export interface AgentSpec {
  name: string
  index: number
  server: boolean
}

/** TestCluster starts, kills and restarts real agent processes. */
export class TestCluster {
  private readonly children = new Map<string, ChildProcess>()

  constructor(readonly root: string, readonly basePort: number, readonly specs: AgentSpec[], private readonly extraArgs: string[] = []) {}

  /** port returns node n's port k (0 server, 1 serf lan, 2 serf wan, 4 http, 5 dns). */
  port(index: number, k: number): number {
    return this.basePort + 10 * (index - 1) + k
  }

  http(name: string): string {
    return `http://127.0.0.1:${this.port(this.spec(name).index, 4)}`
  }

  spec(name: string): AgentSpec {
    const spec = this.specs.find((s) => s.name === name)
    if (!spec) throw new Error(`no node ${name}`)
    return spec
  }

  /** start launches one node (again); its log is appended to <root>/<name>.log. */
  start(name: string): void {
    const spec = this.spec(name)
    const dataDir = join(this.root, name)
    mkdirSync(dataDir, { recursive: true })
    const args = [runJs, 'agent', `-node=${name}`, `-data-dir=${dataDir}`, '-bind=127.0.0.1', '-client=127.0.0.1',
      `-server-port=${this.port(spec.index, 0)}`, `-serf-lan-port=${this.port(spec.index, 1)}`, `-serf-wan-port=${this.port(spec.index, 2)}`,
      `-http-port=${this.port(spec.index, 4)}`, `-dns-port=${this.port(spec.index, 5)}`, ...this.extraArgs]
    if (spec.server) args.push('-server', '-bootstrap-expect=3')
    const seeds = this.specs.filter((s) => s.server && s.name !== name).map((s) => `127.0.0.1:${this.port(s.index, 1)}`)
    for (const seed of seeds) args.push(`-retry-join=${seed}`)
    args.push('-retry-interval=1s')
    const log = openSync(join(this.root, `${name}.log`), 'a')
    const child = spawn(process.execPath, args, { stdio: ['ignore', log, log] })
    closeSync(log)
    this.children.set(name, child)
  }

  startAll(): void {
    for (const spec of this.specs) this.start(spec.name)
  }

  /** kill sends SIGKILL and waits for the process to be gone. */
  async kill(name: string): Promise<void> {
    const child = this.children.get(name)
    this.children.delete(name)
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const gone = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await gone
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.children.keys()].map((name) => this.kill(name)))
  }

  running(name: string): boolean {
    const child = this.children.get(name)
    return child !== undefined && child.exitCode === null && child.signalCode === null
  }
}

/** until polls fn until it returns a value, or throws after timeoutMs. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await fn()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** leaderOf asks one agent for the leader; undefined while there is none. */
export async function leaderOf(http: string): Promise<string | undefined> {
  const res = await fetch(`${http}/v1/status/leader`, { signal: AbortSignal.timeout(1_000) })
  const leader = (await res.json()) as string
  return leader === '' ? undefined : leader
}
