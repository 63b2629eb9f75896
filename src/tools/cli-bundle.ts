/**
 * src/tools/cli-bundle.ts: bundles the lab kit's commands with esbuild into dist/cli, which
 * bin/run.js and oclif load. Every `zx` start used to resolve and compile a few hundred small
 * CommonJS files of @oclif/core and its dependencies (~60 % of a `zx kv get`); bundled, they
 * are one shared chunk. Code splitting keeps each command loading only what it imports, and
 * every other package (dockerode, undici, inquirer, esbuild …) stays external, loaded from
 * node_modules only by the commands that use it. Run after `tsc` (node
 * dist/src/tools/cli-bundle.js), before the oclif manifest, which reads dist/cli/commands.
 */
import { readdirSync, rmSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { packageRoot } from '../runtime/entry.js'

/** bundledPackage says whether a bare import is bundled: @oclif/core and all it pulls in. */
export function bundledPackage(specifier: string, importer: string): boolean {
  if (specifier === '@oclif/core' || specifier.startsWith('@oclif/core/')) return true
  return importer.split(sep).includes('node_modules')
}

/** buildCliBundle writes dist/cli (entry.js, commands/**.js, shared chunks); returns the entry count. */
export async function buildCliBundle(root = packageRoot()): Promise<number> {
  const esbuild = await import('esbuild')
  const dist = join(root, 'dist')
  const out = join(dist, 'cli')
  const entryPoints: Record<string, string> = { entry: join(dist, 'src', 'tools', 'cli-entry.js') }
  for (const file of listJs(join(dist, 'commands'))) {
    entryPoints[join('commands', relative(join(dist, 'commands'), file)).replace(/\.js$/, '')] = file
  }
  rmSync(out, { recursive: true, force: true })
  await esbuild.build({
    entryPoints, outdir: out, bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20',
    chunkNames: 'chunks/[name]-[hash]', logLevel: 'warning', legalComments: 'none',
    // @oclif/core is CommonJS; inside an ES module its require() calls need a real require.
    banner: { js: "import { createRequire as __zxCreateRequire } from 'node:module'; const require = __zxCreateRequire(import.meta.url);" },
    plugins: [{
      name: 'externals',
      setup(build) {
        build.onResolve({ filter: /^[^./]/ }, (args) => {
          if (args.path.startsWith('node:') || !bundledPackage(args.path, args.importer)) return { path: args.path, external: true }
          return undefined
        })
        // oclif only needs these when it runs TypeScript sources through ts-node; we never do.
        build.onResolve({ filter: /^(typescript|ts-node)$/ }, (args) => ({ path: args.path, external: true }))
      },
    }],
  })
  return Object.keys(entryPoints).length
}

function listJs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return listJs(path)
    return name.endsWith('.js') ? [path] : []
  })
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, '/dist/'))) {
  const count = await buildCliBundle()
  process.stdout.write(`dist/cli: ${count} entries\n`)
}
