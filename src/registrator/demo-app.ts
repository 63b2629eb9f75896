/**
 * src/registrator/demo-app.ts: build and run the lab's demo web API (templates/demo) through
 * dockerode. `buildDemoImage` bundles the TypeScript server into one JS file with esbuild and
 * builds templates/demo/Dockerfile from an in-memory context; it uses the official node image
 * when the engine already has it and the offline base image (src/image/base.ts) otherwise.
 * `demoUp` runs replicas 1…N on 127.0.0.1:5727, 5728, … with SERVICE_CHECK_HTTP labels so a
 * registrator registers them with a health check; `demoDown` removes them.
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type Docker from 'dockerode'
import { LabError } from '../errors.js'
import { ensureBaseImage, followProgress } from '../image/base.js'
import { tarStream } from '../image/base-tar.js'
import { demoDefaults } from './defaults.js'
import { ensureDocker, removeContainer } from './docker.js'

/** packageRoot finds the directory holding templates/ by walking up from this file. */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'templates', 'demo', 'Dockerfile'))) return dir
    dir = dirname(dir)
  }
  throw new LabError('ZX_ERR_IMAGE_BUILD', `templates/demo not found above ${from}`)
}

/** bundleDemo compiles templates/demo/server.ts into one CommonJS file for node 20. */
export async function bundleDemo(root = packageRoot()): Promise<string> {
  let esbuild: typeof import('esbuild')
  try {
    esbuild = await import('esbuild')
  } catch (error) {
    throw new LabError('ZX_ERR_IMAGE_BUILD', 'esbuild is needed to bundle the demo (npm install esbuild)', { cause: error })
  }
  const result = await esbuild.build({
    entryPoints: [join(root, 'templates', 'demo', 'server.ts')], bundle: true, platform: 'node',
    target: 'node20', format: 'cjs', write: false, logLevel: 'silent', define: { ZX_DEMO_MAIN: 'true' },
  })
  const output = result.outputFiles[0]
  if (output === undefined) throw new LabError('ZX_ERR_IMAGE_BUILD', 'esbuild produced no output for the demo')
  return output.text
}

/** BuildDemoOptions picks the tag, the base image and extra image labels. */
export interface BuildDemoOptions {
  tag?: string
  base?: string
  labels?: Record<string, string>
  log?: (line: string) => void
}

/** buildDemoImage builds the demo image and returns its tag. */
export async function buildDemoImage(docker: Docker, options: BuildDemoOptions = {}): Promise<string> {
  const log = options.log ?? (() => {})
  await ensureDocker(docker)
  const root = packageRoot()
  const tag = options.tag ?? demoDefaults.image
  const base = options.base ?? await pickBase(docker, log)
  const [serverJs, dockerfile, settings] = await Promise.all([
    bundleDemo(root),
    readFile(join(root, 'templates', 'demo', 'Dockerfile')),
    readFile(join(root, 'templates', 'demo', 'appsettings.json')),
  ])
  log(`building ${tag} FROM ${base}`)
  const context = tarStream([
    { kind: 'data', path: 'Dockerfile', mode: 0o644, data: dockerfile },
    { kind: 'data', path: 'server.js', mode: 0o644, data: Buffer.from(serverJs) },
    { kind: 'data', path: 'appsettings.json', mode: 0o644, data: settings },
  ])
  try {
    const stream = await docker.buildImage(context, { t: tag, buildargs: { BASE: base }, labels: options.labels ?? {}, rm: true, forcerm: true })
    await followProgress(docker, stream)
  } catch (error) {
    throw new LabError('ZX_ERR_IMAGE_BUILD', `building ${tag} failed: ${(error as Error).message}`, { cause: error })
  }
  log(`built ${tag}`)
  return tag
}

async function pickBase(docker: Docker, log: (line: string) => void): Promise<string> {
  try {
    await docker.getImage(demoDefaults.officialBase).inspect()
    return demoDefaults.officialBase
  } catch {
    log(`${demoDefaults.officialBase} not in the engine; using the offline base image`)
    return ensureBaseImage(docker, { log })
  }
}

/** DemoUpOptions sizes and labels the replica set. */
export interface DemoUpOptions {
  replicas?: number
  image?: string
  portBase?: number
  /** hostIp is where the ports are published: 127.0.0.1, or 0.0.0.0 so agents in containers can probe them. */
  hostIp?: string
  labels?: Record<string, string>
  log?: (line: string) => void
}

/** DemoInstance is one running replica. */
export interface DemoInstance { name: string; id: string; hostPort: number; url: string }

/** demoUp makes exactly `replicas` demo containers run (starting, creating or removing as needed). */
export async function demoUp(docker: Docker, options: DemoUpOptions = {}): Promise<DemoInstance[]> {
  const log = options.log ?? (() => {})
  await ensureDocker(docker)
  const replicas = options.replicas ?? demoDefaults.replicas
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > demoDefaults.replicasMax) {
    throw new LabError('ZX_ERR_USAGE', `--replicas must be 1…${demoDefaults.replicasMax}`)
  }
  const image = options.image ?? demoDefaults.image
  try { await docker.getImage(image).inspect() } catch {
    throw new LabError('ZX_ERR_RUNTIME', `image ${image} not found: run \`zx app build\` first`)
  }
  const existing = await docker.listContainers({ all: true, filters: { label: [`${demoDefaults.appLabel}=demo`] } })
  for (const info of existing) {
    const index = Number(info.Labels[demoDefaults.indexLabel])
    if (!(index >= 1 && index <= replicas)) {
      await removeContainer(docker, info.Id)
      log(`removed ${info.Names[0]?.replace(/^\//, '')}`)
    }
  }
  const instances: DemoInstance[] = []
  for (let index = 1; index <= replicas; index++) {
    instances.push(await upOne(docker, index, image, options, existing, log))
  }
  return instances
}

async function upOne(docker: Docker, index: number, image: string, options: DemoUpOptions, existing: Docker.ContainerInfo[], log: (line: string) => void): Promise<DemoInstance> {
  const name = `${demoDefaults.containerPrefix}${index}`
  const hostPort = (options.portBase ?? demoDefaults.portBase) + index
  const found = existing.find((info) => info.Names.includes(`/${name}`))
  const hostIp = options.hostIp ?? '127.0.0.1'
  const url = `http://${hostIp === '0.0.0.0' ? '127.0.0.1' : hostIp}:${hostPort}`
  if (found !== undefined && found.State === 'running') return { name, id: found.Id, hostPort, url }
  if (found !== undefined) await removeContainer(docker, found.Id)
  const settingsFile = await settingsFor(index)
  const port = `${demoDefaults.containerPort}/tcp`
  const container = await docker.createContainer({
    name, Image: image,
    Env: [`INSTANCE=demo${index}`],
    ExposedPorts: { [port]: {} },
    Labels: {
      ...options.labels, [demoDefaults.appLabel]: 'demo', [demoDefaults.indexLabel]: String(index),
      SERVICE_CHECK_HTTP: '/health', SERVICE_CHECK_INTERVAL: demoDefaults.checkInterval, SERVICE_TAGS: 'demo',
    },
    HostConfig: {
      PortBindings: { [port]: [{ HostIp: hostIp, HostPort: String(hostPort) }] },
      Binds: [`${settingsFile}:/app/settings/appsettings.json:ro`],
    },
  })
  await container.start()
  log(`started ${name} on ${hostIp}:${hostPort}`)
  return { name, id: container.id, hostPort, url }
}

/** settingsFor returns the settings file mounted into replica `index`: the template's, or a generated one. */
async function settingsFor(index: number): Promise<string> {
  const template = join(packageRoot(), 'templates', 'demo', 'settings', `instance${index}.json`)
  if (existsSync(template)) return template
  const dir = join(tmpdir(), 'zx-demo-settings')
  await mkdir(dir, { recursive: true })
  const file = join(dir, `instance${index}.json`)
  const settings = { AllowedHosts: '*', ServiceName: 'webapidemo', Instance: `demo${index}`, Message: `hello from demo instance ${index}` }
  await writeFile(file, JSON.stringify(settings, null, 2) + '\n')
  return file
}

/** demoDown stops and removes every demo replica; returns the names removed. */
export async function demoDown(docker: Docker, options: { log?: (line: string) => void } = {}): Promise<string[]> {
  await ensureDocker(docker)
  const existing = await docker.listContainers({ all: true, filters: { label: [`${demoDefaults.appLabel}=demo`] } })
  const names: string[] = []
  for (const info of existing) {
    await removeContainer(docker, info.Id)
    const name = info.Names[0]?.replace(/^\//, '') ?? info.Id.slice(0, 12)
    names.push(name)
    options.log?.(`removed ${name}`)
  }
  return names
}
