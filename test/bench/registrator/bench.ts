/**
 * test/bench/registrator/bench.ts: registrator figures against the real Docker engine.
 *  1. latency: from `docker run` returning (create + start resolved) to the service being visible
 *     in /v1/catalog/service/<name> (target < 1 s median), over --runs containers;
 *  2. resync: with --containers running containers (default 200, each publishing one port), the
 *     time of a full resync of a running registrator and of a cold start's initial sync
 *     (target < 5 s).
 * The registrator runs in-process (the same Registrator the CLI runs) with real dockerode and
 * the undici agent client. Agent: ZX_BENCH_AGENT_URL (a real `zx agent`) or the recording fake
 * agent on 127.0.0.1:26700. Containers run a 1 MB `sleep` image made from the host's coreutils,
 * labelled zx.test=1 and removed at the end.
 *
 * Run: npx esbuild test/bench/registrator/bench.ts --bundle --platform=node --format=esm \
 *        --packages=external --outfile=dist/bench-registrator.mjs && node dist/bench-registrator.mjs [--runs 30] [--containers 200]
 */
import { execFileSync } from 'node:child_process'
import { hostname } from 'node:os'
import Docker from 'dockerode'
import { followProgress } from '../../../src/image/base.js'
import { parseLdd } from '../../../src/image/base-rootfs.js'
import { tarStream, type TarEntry } from '../../../src/image/base-tar.js'
import { HttpRegistryClient } from '../../../src/registrator/agent-client.js'
import { Registrator, type RegistratorConfig } from '../../../src/registrator/registrator.js'
import { FakeAgent } from '../../e2e/registrator/fake-agent.js'

const docker = new Docker()
const sleepImage = 'zx-bench-sleep:latest'
const arg = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? Number(process.argv[index + 1]) : fallback
}
const runs = arg('runs', 30)
const containers = arg('containers', 200)

async function buildSleepImage(): Promise<void> {
  const libraries = parseLdd(execFileSync('ldd', ['/bin/sleep'], { encoding: 'utf8' }))
  const dirs = new Set<string>(['bin'])
  for (const library of libraries) {
    const parts = library.split('/').filter(Boolean)
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'))
  }
  const entries: TarEntry[] = [...dirs].sort().map((path) => ({ kind: 'dir', path, mode: 0o755 }))
  entries.push({ kind: 'file', path: 'bin/sleep', mode: 0o755, source: '/bin/sleep' })
  for (const library of libraries) entries.push({ kind: 'file', path: library.slice(1), mode: 0o755, source: library })
  await followProgress(docker, await docker.importImage(tarStream(entries), { repo: 'zx-bench-sleep', tag: 'latest', changes: ['LABEL zx.test=1'] }))
}

async function runContainer(name: string, labels: Record<string, string>): Promise<Docker.Container> {
  const container = await docker.createContainer({
    name, Image: sleepImage, Cmd: ['/bin/sleep', '3600'], Labels: { 'zx.test': '1', 'zx.bench': '1', ...labels },
    ExposedPorts: { '8080/tcp': {} },
    HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  })
  await container.start()
  return container
}

async function removeBenchContainers(): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: ['zx.bench=1'] } })
  await pool(list.map((info) => info.Id), 8, (id) => docker.getContainer(id).remove({ force: true }).catch(() => {}))
}

async function pool<T>(items: readonly T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!)
  }))
}

const median = (values: number[]): number => { const s = [...values].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]! }
const percentile = (values: number[], p: number): number => { const s = [...values].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]! }

async function main(): Promise<void> {
  const fake = process.env.ZX_BENCH_AGENT_URL ? undefined : new FakeAgent()
  const agentUrl = process.env.ZX_BENCH_AGENT_URL ?? await fake!.listen(26700)
  const host = `bench-${hostname()}`
  const config: RegistratorConfig = {
    hostname: host, defaultIp: '127.0.0.1', internal: false, explicit: false, tags: [], checkInterval: '10s', ttlSeconds: 0,
    deregister: 'always', cleanup: false, resyncSeconds: 0, retryAttempts: 0, retryIntervalMs: 2_000, ttlRefreshSeconds: 0,
  }
  const client = new HttpRegistryClient(agentUrl)
  let registrator = new Registrator(docker, client, config, () => {})
  try {
    await removeBenchContainers()
    await buildSleepImage()
    await registrator.start()

    const latencies: number[] = []
    for (let i = 0; i < runs; i++) {
      const name = `zx-bench-lat-${i}`
      const container = await runContainer(name, { SERVICE_NAME: 'bench-lat' })
      const started = performance.now()
      const wanted = `${host}:${name}:8080`
      for (let polls = 0; ; polls++) {
        const response = await fetch(`${agentUrl}/v1/catalog/service/bench-lat`)
        const list = await response.json() as Array<{ ServiceID: string }>
        if (list.some((s) => s.ServiceID === wanted)) break
        if (polls > 1000) throw new Error(`${wanted} never appeared`)
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
      latencies.push(performance.now() - started)
      await container.remove({ force: true })
    }
    console.log(`latency docker run → catalog over ${runs} runs: median ${median(latencies).toFixed(0)} ms, p90 ${percentile(latencies, 0.9).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`)

    const createStart = performance.now()
    await pool(Array.from({ length: containers }, (_, i) => i), 6, (i) => runContainer(`zx-bench-many-${i}`, { SERVICE_NAME: 'bench-many' }))
    console.log(`started ${containers} containers in ${((performance.now() - createStart) / 1000).toFixed(1)} s`)
    const registered = async (): Promise<number> => (await (await fetch(`${agentUrl}/v1/catalog/service/bench-many`)).json() as unknown[]).length
    for (let waits = 0; (await registered()) < containers; waits++) {
      if (waits > 600) throw new Error('events did not register every container in 60 s')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const ids = (await docker.listContainers({ filters: { label: ['zx.bench=1'] } })).map((info) => info.Id)
    for (const width of [8, 32]) {
      const inspectStart = performance.now()
      await pool(ids, width, (id) => docker.getContainer(id).inspect())
      console.log(`inspect-only of ${ids.length} containers, ${width} in flight: ${(performance.now() - inspectStart).toFixed(0)} ms`)
    }
    const resyncStart = performance.now()
    await registrator.sync({ quiet: true })
    const resyncMs = performance.now() - resyncStart
    console.log(`resync of ${containers} containers (inspect each, re-register what the agent lacks): ${resyncMs.toFixed(0)} ms`)
    await registrator.stop()

    registrator = new Registrator(docker, new HttpRegistryClient(agentUrl), config, () => {})
    const coldStart = performance.now()
    await registrator.start()
    const coldMs = performance.now() - coldStart
    console.log(`cold start (ping + subscribe + initial sync of ${containers}): ${coldMs.toFixed(0)} ms; registered ${registrator.registered().length}`)
    console.log(JSON.stringify({ date: new Date().toISOString(), agent: fake ? 'fake' : agentUrl, runs, medianMs: Math.round(median(latencies)), p90Ms: Math.round(percentile(latencies, 0.9)), containers, resyncMs: Math.round(resyncMs), coldStartMs: Math.round(coldMs) }))
  } finally {
    await registrator.stop().catch(() => {})
    await removeBenchContainers()
    await docker.getImage(sleepImage).remove({ force: true }).catch(() => {})
    await fake?.close()
  }
}

await main()
