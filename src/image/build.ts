/**
 * src/image/build.ts: `zx image build`. The agent is bundled by esbuild into one ESM file (the
 * entry is generated, see entry-source.ts), a build context is streamed as a tar (Dockerfile,
 * bundle, entrypoint, /consul dirs) and built by the engine. The image is tagged
 * `zx-agent:<content hash>` and `zx-agent:latest`; the hash covers the bundle, the Dockerfile,
 * the entrypoint and the base, so a second build with nothing changed is a no-op.
 */
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { pathToFileURL } from 'node:url'
import type Docker from 'dockerode'
import { LabError } from '../errors.js'
import { ensureBaseImage, followProgress } from './base.js'
import { tarStream } from './base-tar.js'
import { bundleEntrySource } from './entry-source.js'
import { packageRoot } from '../runtime/entry.js'
import { fixedInputs, inputsFingerprint, readImageCache, writeImageCache } from './cache.js'

/** agentImageRepository is the repository of the agent image. */
export const agentImageRepository = 'zx-agent'

/** BuildOptions tune buildAgentImage. */
export interface BuildOptions {
  /** base is an image to start from (node:20-slim with a registry); default: the offline base. */
  base?: string
  force?: boolean
  log?: (line: string) => void
}

/** BuildResult says which image the lab runs and whether it was built now. */
export interface BuildResult {
  ref: string
  hash: string
  built: boolean
  bundleBytes: number
}

/** bundleAgent bundles agent/main.ts runAgent behind the image entry into one JS file. */
export async function bundleAgent(root = packageRoot()): Promise<string> {
  return (await bundleAgentWithInputs(root)).text
}

/** bundleAgentWithInputs also returns the files esbuild read (relative to root); `entry` defaults to the image's. */
export async function bundleAgentWithInputs(root = packageRoot(), entry = bundleEntrySource()): Promise<{ text: string; inputs: string[] }> {
  const { build } = await import('esbuild')  // heavy: only when a bundle is really needed
  try {
    const result = await build({
      stdin: { contents: entry, resolveDir: root, sourcefile: 'zx-image-entry.ts', loader: 'ts' },
      absWorkingDir: root, metafile: true,
      bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'silent',
      legalComments: 'none', external: ['msgpackr-extract', 'cpu-features', 'ssh2'],
      banner: { js: "import { createRequire as __zxCreateRequire } from 'node:module'; const require = __zxCreateRequire(import.meta.url);" },
    })
    const inputs = Object.keys(result.metafile.inputs).filter((path) => path !== 'zx-image-entry.ts').sort()
    return { text: result.outputFiles[0]!.text, inputs }
  } catch (error) {
    const errors = (error as { errors?: Array<{ text: string; location?: { file: string; line: number } }> }).errors ?? []
    const detail = errors.slice(0, 5).map((e) => `${e.location?.file ?? '?'}:${e.location?.line ?? '?'} ${e.text}`).join('; ')
    throw new LabError('ZX_ERR_IMAGE_BUILD', `bundling the agent failed: ${detail || (error as Error).message}`, { cause: error })
  }
}

/** buildAgentImage builds (or reuses) the agent image and returns its reference. */
export async function buildAgentImage(docker: Docker, options: BuildOptions = {}): Promise<BuildResult> {
  const log = options.log ?? (() => {})
  const root = packageRoot()
  const baseName = options.base ?? 'offline-base'
  const cacheKey = `${root}|${baseName}`
  const fixed = await fixedInputs(root)
  if (options.force !== true) {
    // Cheap path: nothing the last bundle read has changed, and the engine still has its image.
    const cached = await readImageCache(cacheKey)
    if (cached !== undefined && cached.fingerprint === (await inputsFingerprint(root, [...cached.inputs, ...fixed], bundleEntrySource()))) {
      const ref = `${agentImageRepository}:${cached.hash}`
      if (await imageExists(docker, ref)) {
        log(`agent image ${ref} is up to date (inputs unchanged)`)
        await docker.getImage(ref).tag({ repo: agentImageRepository, tag: 'latest' })
        return { ref, hash: cached.hash, built: false, bundleBytes: cached.bundleBytes }
      }
    }
  }
  const { text: bundle, inputs } = await bundleAgentWithInputs(root)
  const fingerprint = await inputsFingerprint(root, [...inputs, ...fixed], bundleEntrySource())
  const dockerfile = await readFile(join(root, 'templates', 'Dockerfile'))
  const entrypoint = await readFile(join(root, 'templates', 'docker-entrypoint.sh'))
  const ui = await uiFiles(root)
  const digest = createHash('sha256').update(bundle).update(dockerfile).update(entrypoint).update(baseName)
  for (const file of ui) digest.update(file.path).update(file.data)
  const hash = digest.digest('hex').slice(0, 16)
  const ref = `${agentImageRepository}:${hash}`
  const remember = () => writeImageCache(cacheKey, { fingerprint, inputs, hash, bundleBytes: bundle.length }).catch(() => {})
  if (options.force !== true && (await imageExists(docker, ref))) {
    log(`agent image ${ref} is up to date`)
    await docker.getImage(ref).tag({ repo: agentImageRepository, tag: 'latest' })
    await remember()
    return { ref, hash, built: false, bundleBytes: bundle.length }
  }
  const base = options.base ?? (await ensureBaseImage(docker, { log }))
  log(`building ${ref} from ${base} (bundle ${(bundle.length / 1024).toFixed(0)} KiB)`)
  const context = tarStream([
    { kind: 'data', path: 'Dockerfile', mode: 0o644, data: dockerfile },
    { kind: 'data', path: 'zx-agent.mjs', mode: 0o644, data: Buffer.from(bundle) },
    { kind: 'data', path: 'docker-entrypoint.sh', mode: 0o755, data: entrypoint },
    { kind: 'dir', path: 'consul', mode: 0o755 },
    { kind: 'dir', path: 'consul/data', mode: 0o755 },
    { kind: 'dir', path: 'consul/config', mode: 0o755 },
    { kind: 'dir', path: 'ui', mode: 0o755 },
    ...uiDirs(ui).map((path) => ({ kind: 'dir' as const, path, mode: 0o755 })),
    ...ui.map((file) => ({ kind: 'data' as const, path: file.path, mode: 0o644, data: file.data })),
  ])
  try {
    const stream = await docker.buildImage(context, {
      t: ref, buildargs: { BASE: base, ZX_HASH: hash }, labels: { 'org.zx.content-hash': hash }, rm: true, forcerm: true,
    })
    await followProgress(docker, stream)
  } catch (error) {
    throw new LabError('ZX_ERR_IMAGE_BUILD', `docker build of ${ref} failed: ${(error as Error).message}`, { cause: error })
  }
  if (!(await imageExists(docker, ref))) throw new LabError('ZX_ERR_IMAGE_BUILD', `docker build finished but ${ref} is missing`)
  await docker.getImage(ref).tag({ repo: agentImageRepository, tag: 'latest' })
  log(`built ${ref} (also tagged ${agentImageRepository}:latest)`)
  await remember()
  return { ref, hash, built: true, bundleBytes: bundle.length }
}

/**
 * uiFiles reads the built web UI (dist/ui) so `-ui` works inside containers too; it builds
 * the UI first when this checkout has not (npm run build normally has).
 */
async function uiFiles(root: string, buildIfMissing = true): Promise<Array<{ path: string; data: Buffer }>> {
  const dir = join(root, 'dist', 'ui')
  let names: string[]
  try {
    names = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((d) => d.isFile()).map((d) => relative(dir, join(d.parentPath, d.name)))
  } catch (error) {
    if (!buildIfMissing) throw new LabError('ZX_ERR_IMAGE_BUILD', `the web UI is not built in ${dir}: ${(error as Error).message}`)
    const build = (await import(pathToFileURL(join(root, 'agent', 'ui', 'build.mjs')).href)) as { buildUi: () => Promise<unknown> }
    await build.buildUi()
    return uiFiles(root, false)
  }
  names.sort()
  return Promise.all(names.map(async (name) => ({ path: `ui/${name}`, data: await readFile(join(dir, name)) })))
}

/** uiDirs lists the sub-directories of the UI files, parents first. */
function uiDirs(files: Array<{ path: string }>): string[] {
  const dirs = new Set<string>()
  for (const file of files) {
    const parts = file.path.split('/').slice(1, -1)
    for (let i = 1; i <= parts.length; i++) dirs.add(`ui/${parts.slice(0, i).join('/')}`)
  }
  return [...dirs].sort()
}

/** imageExists tells whether the engine has an image reference. */
export async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect()
    return true
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false
    throw new LabError('ZX_ERR_NO_DOCKER', `cannot inspect ${ref}: ${(error as Error).message}`, { cause: error })
  }
}
