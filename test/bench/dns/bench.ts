/**
 * test/bench/dns/bench.ts: the catalog/DNS benchmark (a script, not a test). It starts three
 * servers and one client agent in this process (real RaftNode, RPC, HTTP, catalog, anti-entropy
 * and DNS; membership from the in-memory gossip double) on 127.0.0.1:24510–24549, registers
 * 5,000 service instances through the four agents' /v1/agent/service/register (1,250 each, pushed
 * by anti-entropy), then measures:
 *  1. health change → blocking watcher: a TTL check on the client flips, a
 *     /v1/health/service/web?passing&index= watch on another server returns (20 rounds);
 *  2. DNS over UDP on loopback against one server, from a separate load process (load.ts):
 *     queries/s with p50/p99 latency, and the same against the client agent (cached remote).
 * `--dns-only` skips the cluster and measures the DNS server alone over an in-memory catalog.
 * ZX_BENCH_TOOL=dnsperf measures with Debian dnsperf (open loop at ZX_BENCH_QPS, then saturated).
 * Build and run with test/bench/dns/run.sh [--dns-only]. Every loop is bounded in count and time.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { Agent } from '../../../agent/agent.js'
import { silentLogger } from '../../../agent/agent-log.js'
import { loadRuntimeConfig } from '../../../agent/config/build.js'
import { LocalDnsBackend } from '../../../agent/dns/backend.js'
import { DnsServer } from '../../../agent/dns/server.js'
import { CatalogTables } from '../../../agent/state/catalog.js'
import { normalizeRegister } from '../../../agent/state/catalog-types.js'
import { TableIndexes } from '../../../agent/state/indexes.js'
import { EventGossipNet } from '../../integration/catalog/gossip-double.js'
import { runDnsperf } from './dnsperf.js'

const here = dirname(fileURLToPath(import.meta.url))
const instances = Number(process.env.ZX_BENCH_INSTANCES ?? 5_000)
const dnsSeconds = Number(process.env.ZX_BENCH_DNS_SECONDS ?? 10)
const root = mkdtempSync(join(tmpdir(), 'zx-dns-bench-'))
const net = new EventGossipNet()
const agents: Agent[] = []
const http = (i: number, path: string): string => `http://127.0.0.1:${24510 + i}${path}`
const dnsPort = (i: number): number => 24540 + i
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function configFor(i: number, server: boolean) {
  const argv = ['-node', `node${i}`, '-data-dir', join(root, `node${i}`), '-bind', '127.0.0.1', '-client', '127.0.0.1',
    '-http-port', String(24510 + i), '-server-port', String(24520 + i), '-serf-lan-port', String(24530 + i), '-dns-port', String(dnsPort(i))]
  if (server) argv.push('-server', '-bootstrap-expect=3')
  return loadRuntimeConfig(argv, { env: {}, hostname: () => 'h', privateIps: () => [], pid: process.pid, tmpdir })
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await fn().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

async function put(url: string, body?: unknown): Promise<void> {
  const response = await fetch(url, { method: 'PUT', body: body === undefined ? undefined : JSON.stringify(body) })
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${await response.text()}`)
}

async function register(): Promise<number> {
  const started = performance.now()
  const perAgent = Math.ceil(instances / 4)
  await Promise.all([1, 2, 3, 4].map(async (i) => {
    const jobs: Array<() => Promise<void>> = []
    for (let k = 0; k < perAgent; k++) {
      const n = (i - 1) * perAgent + k
      if (n >= instances) break
      const web = k < 5
      const name = web ? 'web' : `svc-${n % 100}`
      jobs.push(() => put(http(i, '/v1/agent/service/register'), {
        ID: `${name}-${n}`, Name: name, Port: 10_000 + (n % 50_000), Tags: [`t${n % 4}`],
        Check: web ? { CheckID: `ttl-${n}`, TTL: '10m', Status: 'passing' } : undefined,
      }))
    }
    for (let at = 0; at < jobs.length; at += 16) await Promise.all(jobs.slice(at, at + 16).map((job) => job()))
  }))
  const catalog = agents[0]!.ctx.server!.store.catalog as CatalogTables
  await until('all instances in the catalog', async () => {
    const total = catalog.serviceNames().reduce((sum, name) => sum + (name === 'consul' ? 0 : catalog.instanceCount(name)), 0)
    return total >= instances ? total : undefined
  }, 600_000)
  return (performance.now() - started) / 1000
}

async function healthLatency(rounds: number): Promise<number[]> {
  const out: number[] = []
  let passing = true
  for (let round = 0; round < rounds; round++) {
    const first = await fetch(http(2, '/v1/health/service/web?passing'))
    const index = first.headers.get('x-consul-index')
    await first.text()
    const watch = fetch(http(2, `/v1/health/service/web?passing&index=${index}&wait=30s`)).then((r) => r.text())
    await sleep(20)
    const started = performance.now()
    await put(http(4, `/v1/agent/check/${passing ? 'fail' : 'pass'}/ttl-${3 * Math.ceil(instances / 4)}`))
    await watch
    out.push(performance.now() - started)
    passing = !passing
  }
  return out.sort((a, b) => a - b)
}

function runLoad(port: number, seconds: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'load.js'), String(port), String(seconds * 1000), String(Number(process.env.ZX_BENCH_WINDOW ?? 16)), '2000000',
      'web.service.consul,A', 'svc-7.service.consul,SRV', 'node1.node.consul,A', '_svc-8._tcp.service.consul,SRV'], { stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    child.stdout.on('data', (chunk) => { stdout += chunk })
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 10) * 1000)
    child.on('exit', () => {
      clearTimeout(timer)
      try { resolve(JSON.parse(stdout.trim().split('\n').pop()!)) } catch (error) { reject(error) }
    })
  })
}

const questions = ['web.service.consul A', 'svc-7.service.consul SRV', 'node1.node.consul A', '_svc-8._tcp.service.consul SRV']
const useDnsperf = process.env.ZX_BENCH_TOOL === 'dnsperf'
const offeredQps = Number(process.env.ZX_BENCH_QPS ?? 10_000)

/**
 * measureDns prints the DNS figures for one port: with ZX_BENCH_TOOL=dnsperf, an open-loop run at
 * ZX_BENCH_QPS (default 10,000 q/s) and then a saturated run; otherwise the closed-loop load.ts.
 */
async function measureDns(label: string, port: number, seconds: number): Promise<void> {
  if (!useDnsperf) {
    console.log(`${label}: ${JSON.stringify(await runLoad(port, seconds))}`)
    return
  }
  await runDnsperf({ port, seconds: 2, rateQps: offeredQps / 2, outstandingMax: 200, questions }) // warm-up, not reported
  const fixed = await runDnsperf({ port, seconds, rateQps: offeredQps, outstandingMax: 200, questions })
  console.log(`${label}, dnsperf open loop (load ${loadavg()[0]!.toFixed(1)}): ${JSON.stringify(fixed)}`)
  const saturated = await runDnsperf({ port, seconds: Math.max(3, Math.floor(seconds / 2)), rateQps: undefined, outstandingMax: 64, questions })
  console.log(`${label}, dnsperf saturated (load ${loadavg()[0]!.toFixed(1)}): ${JSON.stringify(saturated)}`)
}

/** dnsOnly measures the DNS interface alone: a 5,000-instance catalog built in memory, no Raft. */
async function dnsOnly(): Promise<void> {
  const catalog = new CatalogTables(new TableIndexes())
  let index = 0
  for (let i = 1; i <= 4; i++) catalog.applyRegister(++index, normalizeRegister({ Node: `node${i}`, Address: `127.0.0.${i}`, Check: { CheckID: 'serfHealth', Status: 'passing' } }, { datacenter: 'dc1' }))
  for (let n = 0; n < instances; n++) {
    const name = n < 20 ? 'web' : `svc-${n % 100}`
    catalog.applyRegister(++index, normalizeRegister({ Node: `node${1 + (n % 4)}`, Address: `127.0.0.${1 + (n % 4)}`, Service: { ID: `${name}-${n}`, Service: name, Port: 10_000 + n } }, { datacenter: 'dc1' }))
  }
  const server = await DnsServer.start({ bindAddress: '127.0.0.1', port: dnsPort(9), backend: new LocalDnsBackend(catalog), datacenter: 'dc1' })
  try {
    await measureDns(`DNS UDP, DNS server alone (${instances} instances)`, server.port, dnsSeconds)
  } finally {
    await server.close()
  }
}

async function main(): Promise<void> {
  console.log(`machine: ${cpus().length} cpus (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`)
  if (process.argv.includes('--dns-only')) return dnsOnly()
  for (let i = 1; i <= 4; i++) agents.push(await Agent.start(configFor(i, i <= 3), { startGossip: net.start }, silentLogger))
  await until('a leader', async () => ((await (await fetch(http(1, '/v1/status/leader'))).json()) as string) || undefined, 30_000)
  const seconds = await register()
  console.log(`registered ${instances} instances across 4 agents in ${seconds.toFixed(1)} s (${Math.round(instances / seconds)}/s through anti-entropy)`)
  const latencies = await healthLatency(20)
  const pct = (p: number): string => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1)
  console.log(`health change → blocking watcher (20 rounds): p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${latencies[latencies.length - 1]!.toFixed(1)} ms`)
  await measureDns('DNS UDP vs server node2', dnsPort(2), dnsSeconds)
  await measureDns('DNS UDP vs client node4 (cached remote)', dnsPort(4), Math.max(3, Math.floor(dnsSeconds / 2)))
}

main()
  .catch((error) => { console.error(error); process.exitCode = 1 })
  .finally(async () => {
    for (const agent of agents) await agent.shutdown().catch(() => {})
    rmSync(root, { recursive: true, force: true })
    setTimeout(() => process.exit(), 500).unref()
  })
