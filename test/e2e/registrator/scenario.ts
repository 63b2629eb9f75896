// The issue 6 acceptance scenario, shared by registrator.test.ts (recording fake agent) and
// real-agent.test.ts (a real `zx agent -dev`): real engine, the real CLI
// (`node bin/run.js registrator`, built by `npm run test:e2e`), everything labelled zx.test=1.
import { spawn, type ChildProcess } from 'node:child_process'
import Docker from 'dockerode'
import { expect } from 'vitest'
import { ensureBaseImage } from '../../../src/image/base.js'
import { buildDemoImage, demoDown, demoUp } from '../../../src/registrator/demo-app.js'
import { removeTestContainers, testLabel } from './docker-helpers.js'

const docker = new Docker()
const image = 'zx-demo-e2e:latest'
const host = 'e2e'
let agentUrl = ''
let registrator: { child: ChildProcess; logs: string[] } | undefined
let base = ''

function startRegistrator(): { child: ChildProcess; logs: string[] } {
  const logs: string[] = []
  const child = spawn(process.execPath, ['bin/run.js', 'registrator', '--hostname', host, '--cleanup', '--retry-attempts', '5', '--retry-interval', '500', `consul://${agentUrl.replace(/^http:\/\//, '')}`], { stdio: ['ignore', 'pipe', 'pipe'] })
  const collect = (chunk: Buffer): void => { for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(line) }
  child.stdout!.on('data', collect)
  child.stderr!.on('data', collect)
  return { child, logs }
}

async function stopRegistrator(signal: NodeJS.Signals): Promise<void> {
  const current = registrator
  registrator = undefined
  if (current === undefined || current.child.exitCode !== null) return
  const exited = new Promise((resolve) => current.child.once('exit', resolve))
  current.child.kill(signal)
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))])
  if (current.child.exitCode === null && current.child.signalCode === null) current.child.kill('SIGKILL')
}

async function json<T>(path: string): Promise<T> {
  const response = await fetch(`${agentUrl}${path}`, { signal: AbortSignal.timeout(5_000) })
  if (!response.ok) throw new Error(`${path}: ${response.status}`)
  return await response.json() as T
}

async function eventually(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await probe().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`timed out: ${what}\nregistrator log:\n${registrator?.logs.join('\n') ?? '(not running)'}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

const catalogIds = async (name: string): Promise<string[]> =>
  (await json<Array<{ ServiceID: string }>>(`/v1/catalog/service/${name}`)).map((s) => s.ServiceID).sort()

async function runSleeper(name: string, ports: number[], labels: Record<string, string>): Promise<void> {
  const exposed = Object.fromEntries(ports.map((_, i) => [`${8080 + i * 10}/tcp`, {}]))
  const bindings = Object.fromEntries(ports.map((port, i) => [`${8080 + i * 10}/tcp`, [{ HostIp: '127.0.0.1', HostPort: String(port) }]]))
  const container = await docker.createContainer({
    name, Image: base, Cmd: ['node', '-e', 'setTimeout(() => {}, 600000)'], Labels: { ...testLabel, ...labels },
    ExposedPorts: exposed, HostConfig: { PortBindings: bindings },
  })
  await container.start()
}

/** prepareScenario cleans leftovers and builds the images the scenario needs. */
export async function prepareScenario(url: string): Promise<void> {
  agentUrl = url
  await removeTestContainers(docker)
  base = await ensureBaseImage(docker)
  await buildDemoImage(docker, { tag: image, labels: testLabel })
}

/** cleanupScenario kills the registrator and removes every container and image it made. */
export async function cleanupScenario(): Promise<void> {
  await stopRegistrator('SIGKILL')
  await demoDown(docker).catch(() => {})
  await removeTestContainers(docker)
  await docker.getImage(image).remove({ force: true }).catch(() => {})
}

/** runScenario is the acceptance scenario of issue 6 against the agent at agentUrl. */
export async function runScenario(): Promise<void> {
  registrator = startRegistrator()
  await eventually('registrator listening', async () => registrator!.logs.some((line) => line.includes('listening for Docker events')))
  expect(registrator.logs.some((line) => line.includes('consul: current leader'))).toBe(true)

  await demoUp(docker, { replicas: 2, image, labels: testLabel })
  const demoIds = [`${host}:webapidemo-1:8080`, `${host}:webapidemo-2:8080`]
  await eventually('2 demo instances in the catalog', async () => JSON.stringify(await catalogIds('zx-demo-e2e')) === JSON.stringify(demoIds))
  await eventually('2 passing demo instances', async () => (await json<unknown[]>('/v1/health/service/zx-demo-e2e?passing')).length === 2)
  const catalog = await json<Array<{ ServicePort: number; ServiceAddress: string; ServiceTags: string[] }>>('/v1/catalog/service/zx-demo-e2e')
  expect(catalog.map((s) => s.ServicePort).sort()).toEqual([5727, 5728])
  expect(catalog.every((s) => s.ServiceAddress === '127.0.0.1' && s.ServiceTags.includes('demo'))).toBe(true)

  await runSleeper('zx-e2e-ignored', [26510], { SERVICE_IGNORE: 'true' })
  await runSleeper('zx-e2e-multi', [26511, 26512], {})
  const baseName = base.split(':')[0]!
  await eventually('multi-port services', async () =>
    (await catalogIds(`${baseName}-8080`)).length === 1 && (await catalogIds(`${baseName}-8090`)).length === 1)
  expect(await catalogIds(`${baseName}-8090`)).toEqual([`${host}:zx-e2e-multi:8090`])
  expect(registrator.logs.some((line) => /ignored: [0-9a-f]{12} SERVICE_IGNORE/.test(line))).toBe(true)
  const services = await json<Record<string, unknown>>('/v1/agent/services')
  expect(Object.keys(services).some((id) => id.includes('zx-e2e-ignored'))).toBe(false)

  await demoDown(docker)
  await eventually('demo instances gone', async () => (await catalogIds('zx-demo-e2e')).length === 0)
  // The log line follows the agent's answer, so it may reach our pipe a moment later.
  await eventually('removed: log line', async () => registrator!.logs.some((line) => line.includes('removed:') && line.includes('webapidemo-1:8080')), 5_000)

  // Kill -9 the registrator, change containers behind its back, restart it.
  await stopRegistrator('SIGKILL')
  await docker.getContainer('zx-e2e-multi').remove({ force: true })
  await demoUp(docker, { replicas: 2, image, labels: testLabel })
  registrator = startRegistrator()
  await eventually('converged after restart', async () => {
    const ids = Object.keys(await json<Record<string, unknown>>('/v1/agent/services')).filter((id) => id.startsWith(`${host}:`)).sort()
    return JSON.stringify(ids) === JSON.stringify(demoIds)
  })
  expect(await catalogIds('zx-demo-e2e')).toEqual(demoIds)   // no duplicates
  expect(await catalogIds(`${baseName}-8080`)).toEqual([])
}
