/**
 * src/registrator/image.ts: the registrator as a container, the way the seed ran
 * gliderlabs/registrator: `--net=host`, the Docker socket mounted, flags then the consul URI.
 * `buildRegistratorImage` bundles src/registrator/main.ts (dockerode and undici included) into
 * one CommonJS file with esbuild and builds it on the offline base image, so no registry is
 * needed. `runRegistratorContainer` (re)creates the `zx-registrator` container.
 */
import { existsSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import type Docker from 'dockerode'
import { LabError } from '../errors.js'
import { ensureBaseImage, followProgress } from '../image/base.js'
import { tarStream } from '../image/base-tar.js'
import { packageRoot } from './demo-app.js'
import { ensureDocker, removeContainer } from './docker.js'

/** registratorImageTag is the image `zx registrator --container` runs. */
export const registratorImageTag = 'zx-registrator:latest'

/** bundleRegistrator compiles the container entry point into one CommonJS file. */
export async function bundleRegistrator(root = packageRoot()): Promise<string> {
  const candidates = [join(root, 'src', 'registrator', 'main.ts'), join(root, 'dist', 'src', 'registrator', 'main.js')]
  const entry = candidates.find((path) => existsSync(path))
  if (entry === undefined) throw new LabError('ZX_ERR_IMAGE_BUILD', `registrator entry not found (looked for ${candidates.join(', ')})`)
  let esbuild: typeof import('esbuild')
  try { esbuild = await import('esbuild') } catch (error) {
    throw new LabError('ZX_ERR_IMAGE_BUILD', 'esbuild is needed to bundle the registrator image', { cause: error })
  }
  // ssh2's optional native crypto stays out: dockerode only needs it for ssh:// engines.
  const result = await esbuild.build({
    entryPoints: [entry], bundle: true, platform: 'node', target: 'node20', format: 'cjs', write: false,
    logLevel: 'silent', external: ['*.node'], define: { ZX_REGISTRATOR_MAIN: 'true' },
  })
  const output = result.outputFiles[0]
  if (output === undefined) throw new LabError('ZX_ERR_IMAGE_BUILD', 'esbuild produced no registrator bundle')
  return output.text
}

/** buildRegistratorImage builds zx-registrator on the offline base image and returns the tag. */
export async function buildRegistratorImage(docker: Docker, options: { tag?: string; labels?: Record<string, string>; log?: (line: string) => void } = {}): Promise<string> {
  const log = options.log ?? (() => {})
  await ensureDocker(docker)
  const tag = options.tag ?? registratorImageTag
  const base = await ensureBaseImage(docker, { log })
  const bundle = await bundleRegistrator()
  const dockerfile = [
    'ARG BASE',
    'FROM ${BASE}',
    'COPY registrator.cjs /app/registrator.cjs',
    // Root, because the mounted Docker socket is root-owned on most hosts.
    'USER root',
    'ENTRYPOINT ["node", "/app/registrator.cjs"]',
    '',
  ].join('\n')
  log(`building ${tag} FROM ${base}`)
  try {
    const stream = await docker.buildImage(tarStream([
      { kind: 'data', path: 'Dockerfile', mode: 0o644, data: Buffer.from(dockerfile) },
      { kind: 'data', path: 'registrator.cjs', mode: 0o644, data: Buffer.from(bundle) },
    ]), { t: tag, buildargs: { BASE: base }, labels: options.labels ?? {}, rm: true, forcerm: true })
    await followProgress(docker, stream)
  } catch (error) {
    throw new LabError('ZX_ERR_IMAGE_BUILD', `building ${tag} failed: ${(error as Error).message}`, { cause: error })
  }
  return tag
}

/** runRegistratorContainer replaces the named registrator container and starts it with argv. */
export async function runRegistratorContainer(docker: Docker, argv: readonly string[], options: { name?: string; image?: string; labels?: Record<string, string> } = {}): Promise<string> {
  await ensureDocker(docker)
  const name = options.name ?? 'zx-registrator'
  const existing = await docker.listContainers({ all: true, filters: { name: [`^/${name}$`] } })
  for (const info of existing) await removeContainer(docker, info.Id)
  const container = await docker.createContainer({
    name, Image: options.image ?? registratorImageTag, Cmd: [...argv],
    Env: [`ZX_REGISTRATOR_HOSTNAME=${hostname()}`],
    Labels: { 'zx.role': 'registrator', ...options.labels },
    HostConfig: {
      NetworkMode: 'host',
      Binds: ['/var/run/docker.sock:/var/run/docker.sock'],
      RestartPolicy: { Name: 'unless-stopped' },
    },
  })
  await container.start()
  return container.id
}
