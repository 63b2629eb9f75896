/**
 * src/image/cache.ts: a cheap answer to "is the agent image up to date?". Bundling the agent
 * with esbuild only to hash it costs seconds of CPU on every `cluster up`; instead the last
 * bundle's input files (esbuild's metafile) are remembered with their sizes and mtimes, next
 * to the fixed inputs (Dockerfile, entrypoint, package-lock.json, the built UI). When none of
 * them changed, the remembered content hash still names the image. Adding a file to the
 * import graph means editing a file that imports it, so a changed graph always shows up as a
 * changed stat. The cache lives in $ZX_HOME/image-cache.json, one entry per checkout and base.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { zxHome } from '../cluster/state.js'

/** imageCacheVersion changes when the way a bundle is made changes (esbuild options, entry). */
export const imageCacheVersion = 1

/** CachedImage is what one checkout's last build left behind. */
export interface CachedImage {
  fingerprint: string
  inputs: string[]
  hash: string
  bundleBytes: number
}

/** fixedInputs are the non-bundle files of the build context, relative to the package root. */
export async function fixedInputs(root: string): Promise<string[]> {
  const ui = join(root, 'dist', 'ui')
  const names = await readdir(ui, { recursive: true, withFileTypes: true }).then(
    (entries) => entries.filter((d) => d.isFile()).map((d) => relative(root, join(d.parentPath, d.name))),
    () => [] as string[],
  )
  return ['templates/Dockerfile', 'templates/docker-entrypoint.sh', 'package-lock.json', ...names.sort()]
}

/** inputsFingerprint hashes path, size and mtime of every input (a missing file counts too). */
export async function inputsFingerprint(root: string, inputs: string[], extra: string): Promise<string> {
  const digest = createHash('sha256').update(`v${imageCacheVersion}\n${extra}\n`)
  const stats = await Promise.all(inputs.map((path) => stat(join(root, path)).then((s) => `${s.size}:${s.mtimeMs}`, () => 'missing')))
  inputs.forEach((path, i) => digest.update(`${path}\t${stats[i]}\n`))
  return digest.digest('hex')
}

function cacheFile(env: NodeJS.ProcessEnv): string {
  return join(zxHome(env), 'image-cache.json')
}

/** readImageCache returns the entry for key, or undefined (a broken file is ignored). */
export async function readImageCache(key: string, env: NodeJS.ProcessEnv = process.env): Promise<CachedImage | undefined> {
  try {
    const all = JSON.parse(await readFile(cacheFile(env), 'utf8')) as Record<string, CachedImage>
    const entry = all[key]
    return entry !== undefined && typeof entry.hash === 'string' && Array.isArray(entry.inputs) ? entry : undefined
  } catch {
    return undefined
  }
}

/** writeImageCache stores the entry for key (write to a temp file, then rename). */
export async function writeImageCache(key: string, entry: CachedImage, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const file = cacheFile(env)
  let all: Record<string, CachedImage> = {}
  try { all = JSON.parse(await readFile(file, 'utf8')) as Record<string, CachedImage> } catch { /* first entry or broken file */ }
  all[key] = entry
  await mkdir(zxHome(env), { recursive: true })
  const temp = `${file}.${process.pid}.tmp`
  await writeFile(temp, JSON.stringify(all) + '\n')
  await rename(temp, file)
}
