/**
 * src/image/base.ts: the offline base image. Air-gapped labs cannot pull `node:20`, so we build
 * an equivalent from the host: its node binary plus every shared library ldd lists, the dynamic
 * loader, /etc/passwd and /etc/group with a non-root `node` user, a sticky /tmp and the CA bundle,
 * streamed as a tar straight into `docker import`. The result is tagged
 * `zx-node-base:<node version>` and reused when present, so calling this is cheap after the first time.
 */
import { access, realpath } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type Docker from 'dockerode'
import { parseLdd, planRootfs } from './base-rootfs.js'
import { tarStream } from './base-tar.js'

const execFileAsync = promisify(execFile)

/** baseImageRepository is the repository name of the offline base image. */
export const baseImageRepository = 'zx-node-base'

/** baseImageTag is the full tag built for the running node (`zx-node-base:20.20.2`). */
export function baseImageTag(nodeVersion = process.version): string {
  return `${baseImageRepository}:${nodeVersion.replace(/^v/, '')}`
}

/** EnsureBaseImageOptions tunes ensureBaseImage; `log` receives one line per step. */
export interface EnsureBaseImageOptions {
  log?: (line: string) => void
  /** force rebuilds even when the tag exists. */
  force?: boolean
}

/** ensureBaseImage returns the base image tag, importing the image first if the engine lacks it. */
export async function ensureBaseImage(docker: Docker, options: EnsureBaseImageOptions = {}): Promise<string> {
  const log = options.log ?? (() => {})
  const tag = baseImageTag()
  if (!options.force && await imageExists(docker, tag)) {
    log(`base image ${tag} present`)
    return tag
  }
  const nodeBinary = await realpath(process.execPath)
  const libraries = await listLibraries(nodeBinary)
  const caBundle = await firstExisting(['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'])
  log(`building ${tag} from ${nodeBinary} + ${libraries.length} libraries${caBundle ? ' + CA bundle' : ''}`)
  const archive = tarStream(planRootfs({ nodeBinary, libraries, caBundle }))
  const [repo, version] = tag.split(':') as [string, string]
  const progress = await docker.importImage(archive, {
    repo, tag: version,
    changes: [
      'ENV PATH=/usr/local/bin:/usr/bin:/bin',
      `ENV NODE_VERSION=${version}`,
      'WORKDIR /app',
      'CMD ["node"]',
    ],
  })
  await followProgress(docker, progress)
  if (!await imageExists(docker, tag)) throw new Error(`docker import finished but ${tag} is missing`)
  log(`base image ${tag} imported`)
  return tag
}

async function listLibraries(binary: string): Promise<string[]> {
  try {
    const { stdout } = await execFileAsync('ldd', [binary], { timeout: 30_000 })
    return parseLdd(stdout)
  } catch (error) {
    const output = String((error as { stdout?: string }).stdout ?? '') + String((error as { stderr?: string }).stderr ?? '')
    // A statically linked node needs no libraries; ldd says so and exits non-zero.
    if (/not a dynamic executable|statically linked/.test(output)) return []
    throw new Error(`ldd ${binary} failed: ${(error as Error).message}`, { cause: error })
  }
}

async function imageExists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect()
    return true
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false
    throw error
  }
}

async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) {
    try { await access(path); return path } catch { /* try the next candidate */ }
  }
  return undefined
}

/** followProgress waits for a docker progress stream to end and rejects on an in-stream error. */
export function followProgress(docker: Docker, stream: NodeJS.ReadableStream): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, output: unknown[]) => {
      if (error) return reject(error)
      const failed = output.find((item) => typeof item === 'object' && item !== null && 'error' in item) as { error?: string } | undefined
      if (failed?.error) return reject(new Error(failed.error))
      resolve(output)
    })
  })
}
