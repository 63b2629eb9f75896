/**
 * src/runtime/select.ts: picking the runtime. `cluster up` uses Docker when an engine answers
 * (a ping bounded to a second and a half) and local processes otherwise, saying so in one line;
 * `--runtime` forces either. Later commands use what cluster.json recorded. Tests replace the
 * factory with one returning a FakeRuntime.
 */
import { LabError } from '../errors.js'
import { readClusterState, type RuntimeKind } from '../cluster/state.js'
import { ProcessRuntime } from './process.js'
import type { Runtime } from './types.js'

/** RuntimeFactory builds the runtime of one cluster. */
export type RuntimeFactory = (kind: RuntimeKind, cluster: string, log: (line: string) => void) => Promise<Runtime>

/** dockerPingTimeoutMs bounds the "is there an engine?" probe. */
export const dockerPingTimeoutMs = 1_500

let factory: RuntimeFactory = defaultFactory
let probe: () => Promise<boolean> = dockerAnswers

/** setRuntimeFactory replaces how runtimes are built (tests); returns a restore function. */
export function setRuntimeFactory(next: RuntimeFactory, nextProbe?: () => Promise<boolean>): () => void {
  const saved = { factory, probe }
  factory = next
  if (nextProbe !== undefined) probe = nextProbe
  return () => { factory = saved.factory; probe = saved.probe }
}

/** dockerAnswers pings the engine at DOCKER_HOST or /var/run/docker.sock. */
export async function dockerAnswers(): Promise<boolean> {
  const { default: Docker } = await import('dockerode')  // heavy: loaded only by commands that need it
  const docker = new Docker()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), dockerPingTimeoutMs) })
  try {
    return await Promise.race([docker.ping().then(() => true, () => false), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** chooseKind decides the runtime for `cluster up`; `note` is the one line to print, if any. */
export async function chooseKind(requested: RuntimeKind | undefined): Promise<{ kind: RuntimeKind; note: string | undefined }> {
  if (requested === 'process') return { kind: 'process', note: undefined }
  const answers = await probe()
  if (requested === 'docker') {
    if (!answers) throw new LabError('ZX_ERR_NO_DOCKER', 'no Docker engine answers (DOCKER_HOST or /var/run/docker.sock); drop --runtime docker to run local processes')
    return { kind: 'docker', note: undefined }
  }
  if (answers) return { kind: 'docker', note: undefined }
  return { kind: 'process', note: 'No Docker engine answers: running the nodes as local zx agent processes on 127.0.0.1.' }
}

/** runtimeFor builds the runtime of an existing cluster (flag, then cluster.json, then a probe). */
export async function runtimeFor(cluster: string, requested: RuntimeKind | undefined, log: (line: string) => void = () => {}): Promise<Runtime> {
  const kind = requested ?? (await readClusterState(cluster))?.runtime ?? ((await probe()) ? 'docker' : 'process')
  return factory(kind, cluster, log)
}

/** createRuntime builds a runtime of a given kind. */
export function createRuntime(kind: RuntimeKind, cluster: string, log: (line: string) => void): Promise<Runtime> {
  return factory(kind, cluster, log)
}

async function defaultFactory(kind: RuntimeKind, cluster: string, log: (line: string) => void): Promise<Runtime> {
  if (kind === 'process') return new ProcessRuntime(cluster)
  const [{ default: Docker }, { DockerRuntime }, { buildAgentImage }] = await Promise.all([
    import('dockerode'), import('./docker.js'), import('../image/build.js'),
  ])
  const docker = new Docker()
  return new DockerRuntime(cluster, docker, async () => (await buildAgentImage(docker, { log })).ref)
}
