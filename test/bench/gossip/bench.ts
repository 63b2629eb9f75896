// Benchmark: zx gossip vs HashiCorp Serf as real processes on 127.0.0.1, same (LAN) timing
// profile. For N = 5, 10, 20, 40: time from join until every agent sees all N alive; from
// SIGKILL of one agent until the last survivor marks it failed; from a graceful leave (SIGINT)
// until every remaining agent saw it leave. Also the RSS of one gossip-only agent.
// Run: npx esbuild test/bench/gossip/bench.ts --bundle --platform=node --format=esm --outfile=/tmp/zx-bench/bench.mjs
//      npx esbuild test/bench/gossip/agent.ts --bundle --platform=node --format=esm --outfile=/tmp/zx-bench/agent.mjs
//      REPS=3 node /tmp/zx-bench/bench.mjs [5,10,20,40]   (REPS: runs per N, medians reported)
// Ports: zx 22200+i, serf 22500+i (gossip) and 22800+i (RPC).
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync, chmodSync, rmSync } from 'node:fs'
import { createInterface } from 'node:readline'

interface Ev { t: number; ev: string; self: string; who: string }
interface Agent { name: string; proc: ChildProcess; port: number }

const dir = '/tmp/zx-bench'
const sizes = (process.argv[2] ?? '5,10,20,40').split(',').map(Number)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

// Polling stays cheap (an index, 20 ms apart) so the harness does not steal CPU from the agents.
async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) { if (cond()) return true; await sleep(20) }
  return cond()
}

/** EventIndex keeps the first time each (observer, event, subject) was seen. */
class EventIndex {
  private readonly first = new Map<string, number>()
  add(e: Ev): void {
    const key = `${e.self}|${e.ev}|${e.who}`
    if (!this.first.has(key)) this.first.set(key, e.t)
  }
  get(self: string, ev: string, who: string): number | undefined {
    return this.first.get(`${self}|${ev}|${who}`)
  }
  value(self: string): number | undefined {
    return this.first.get(`${self}|rss|`)
  }
}

function lastSeen(events: EventIndex, ev: string, who: string, observers: string[]): number | undefined {
  let last = 0
  for (const o of observers) {
    const t = events.get(o, ev, who)
    if (t === undefined) return undefined
    last = Math.max(last, t)
  }
  return last
}

function allSeeAll(events: EventIndex, ev: string, names: string[]): number | undefined {
  let last = 0
  for (const o of names) for (const w of names) {
    if (o === w) continue
    const t = events.get(o, ev, w)
    if (t === undefined) return undefined
    last = Math.max(last, t)
  }
  return last
}

interface Result { n: number; convergeS?: number; killS?: number; leaveS?: number; rssMb?: number }

async function scenario(
  n: number, start: (i: number) => Agent, events: () => EventIndex, join: (a: Agent, first: Agent) => void,
  evNames: { join: string; failed: string; leave: string }, rss: (a: Agent) => Promise<number>, ready: () => Promise<void>,
): Promise<Result> {
  const agents = Array.from({ length: n }, (_, i) => start(i))
  await ready()
  const names = agents.map((a) => a.name)
  const t0 = Date.now()
  for (const a of agents.slice(1)) join(a, agents[0]!)
  const ok = await until(() => allSeeAll(events(), evNames.join, names) !== undefined, 60_000)
  const result: Result = { n }
  if (ok) result.convergeS = (allSeeAll(events(), evNames.join, names)! - t0) / 1000
  const joinedAt = names.map((x) => events().get(x, 'joined', '')).filter((t): t is number => t !== undefined)
  if (joinedAt.length > 0) console.error(`  ${names[0]}…: last join call returned after ${((Math.max(...joinedAt) - t0) / 1000).toFixed(2)} s`)
  await sleep(2_000)
  result.rssMb = (await rss(agents[1]!)) / 1e6
  const victim = agents[n - 1]!
  const t1 = Date.now()
  victim.proc.kill('SIGKILL')
  const survivors = names.filter((x) => x !== victim.name)
  if (await until(() => lastSeen(events(), evNames.failed, victim.name, survivors) !== undefined, 90_000)) {
    result.killS = (lastSeen(events(), evNames.failed, victim.name, survivors)! - t1) / 1000
  }
  const leaver = agents[n - 2]!
  const remaining = survivors.filter((x) => x !== leaver.name)
  const t2 = Date.now()
  leaver.proc.kill('SIGINT')
  if (await until(() => lastSeen(events(), evNames.leave, leaver.name, remaining) !== undefined, 60_000)) {
    result.leaveS = (lastSeen(events(), evNames.leave, leaver.name, remaining)! - t2) / 1000
  }
  for (const a of agents) a.proc.kill('SIGKILL')
  await sleep(500)
  return result
}

async function runZx(n: number): Promise<Result> {
  const events = new EventIndex()
  const rssBytes = new Map<string, number>()
  let readyCount = 0
  const start = (i: number): Agent => {
    const name = `zx${i}`
    const proc = spawn(process.execPath, [`${dir}/agent.mjs`, name, String(22200 + i), 'lan'], { stdio: ['pipe', 'pipe', 'inherit'] })
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        const o = JSON.parse(line) as { t: number; ev: string; who?: string; bytes?: number }
        if (o.ev === 'ready') readyCount++
        if (o.ev === 'rss') rssBytes.set(name, o.bytes ?? 0)
        else events.add({ t: o.t, ev: o.ev, self: name, who: o.who ?? '' })
      } catch { /* not ours */ }
    })
    return { name, proc, port: 22200 + i }
  }
  return scenario(n, start, () => events, (a, first) => a.proc.stdin!.write(`join 127.0.0.1:${first.port}\n`),
    { join: 'join', failed: 'failed', leave: 'leave' },
    async (a) => {
      a.proc.stdin!.write('rss\n')
      await until(() => rssBytes.has(a.name), 5_000)
      return rssBytes.get(a.name) ?? 0
    },
    () => until(() => readyCount === n, 30_000).then(() => undefined))
}

async function runSerf(n: number): Promise<Result> {
  const log = `${dir}/serf-events.log`
  rmSync(log, { force: true })
  writeFileSync(log, '')
  const handler = `${dir}/serf-handler.sh`
  writeFileSync(handler, `#!/bin/sh\nts=$(date +%s%3N)\nwhile read name rest; do echo "$ts $SERF_EVENT $SERF_SELF_NAME $name" >> ${log}; done\n`)
  chmodSync(handler, 0o755)
  const index = new EventIndex()
  let consumed = 0
  const events = (): EventIndex => {
    const text = readFileSync(log, 'utf8')
    const end = text.lastIndexOf('\n') + 1
    for (const l of text.slice(consumed, end).split('\n').filter(Boolean)) {
      const [t, ev, self, who] = l.split(' ')
      index.add({ t: Number(t), ev: ev!, self: self!, who: who! })
    }
    consumed = end
    return index
  }
  const start = (i: number): Agent => {
    const proc = spawn('serf', ['agent', `-node=serf${i}`, `-bind=127.0.0.1:${22500 + i}`, `-rpc-addr=127.0.0.1:${22800 + i}`,
      '-profile=lan', `-event-handler=${handler}`, '-log-level=err'], { stdio: ['ignore', 'ignore', 'inherit'] })
    return { name: `serf${i}`, proc, port: 22500 + i }
  }
  return scenario(n, start, events, (a, first) => {
    spawn('serf', ['join', `-rpc-addr=127.0.0.1:${22800 + Number(a.name.slice(4))}`, `127.0.0.1:${first.port}`], { stdio: 'ignore' })
  }, { join: 'member-join', failed: 'member-failed', leave: 'member-leave' },
  async (a) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${a.proc.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024,
  () => sleep(1_500))
}

/** median of the defined values, or undefined. */
function median(values: (number | undefined)[]): number | undefined {
  const v = values.filter((x): x is number => x !== undefined).sort((a, b) => a - b)
  if (v.length === 0) return undefined
  return v.length % 2 === 1 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2
}

function medianResult(n: number, runs: Result[]): Result {
  return {
    n, convergeS: median(runs.map((r) => r.convergeS)), killS: median(runs.map((r) => r.killS)),
    leaveS: median(runs.map((r) => r.leaveS)), rssMb: median(runs.map((r) => r.rssMb)),
  }
}

// REPS=k repeats each N k times (zx and Serf interleaved) and reports medians; every kill is logged.
const reps = Math.max(1, Math.min(10, Number(process.env.REPS ?? '1') || 1))
mkdirSync(dir, { recursive: true })
const rows: string[] = []
const fmt = (v: number | undefined): string => (v === undefined ? 'timeout' : v.toFixed(2))
for (const n of sizes) {
  const zs: Result[] = []
  const ss: Result[] = []
  for (let r = 0; r < reps; r++) {
    zs.push(await runZx(n))
    ss.push(await runSerf(n))
    console.error(`  N=${n} run ${r + 1}: kill zx ${fmt(zs[r]!.killS)} serf ${fmt(ss[r]!.killS)}; converge zx ${fmt(zs[r]!.convergeS)} serf ${fmt(ss[r]!.convergeS)}; leave zx ${fmt(zs[r]!.leaveS)} serf ${fmt(ss[r]!.leaveS)}`)
  }
  const z = medianResult(n, zs)
  const s = medianResult(n, ss)
  const row = `| ${n} | ${fmt(z.convergeS)} | ${fmt(s.convergeS)} | ${fmt(z.killS)} | ${fmt(s.killS)} | ${fmt(z.leaveS)} | ${fmt(s.leaveS)} | ${fmt(z.rssMb)} | ${fmt(s.rssMb)} |`
  console.log(row)
  rows.push(row)
}
console.log(`\n(medians of ${reps} run(s) per N)`)
console.log('| N | converge zx (s) | converge serf (s) | kill→failed zx (s) | kill→failed serf (s) | leave zx (s) | leave serf (s) | RSS zx (MB) | RSS serf (MB) |')
console.log('|---|---|---|---|---|---|---|---|---|')
for (const r of rows) console.log(r)
