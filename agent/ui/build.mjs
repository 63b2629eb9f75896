#!/usr/bin/env node
// agent/ui/build.mjs: bundles the web UI (agent/ui/app) with esbuild into dist/ui/:
// assets/main-<hash>.js and .css (hashed names, served as immutable), index.html (served
// no-cache) and a precompressed .gz next to every text file. No CDN: everything the app needs
// is in the bundle, so the UI works offline and inside the lab's containers.
// Usage: node agent/ui/build.mjs [--out dir] [--dev]  (dev: no minify, inline sourcemap)
import { build } from 'esbuild'
import { mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs'
import { join, dirname, basename, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync, constants } from 'node:zlib'

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '..', '..')

/** buildUi bundles the app into outDir and returns the emitted file names and sizes. */
export async function buildUi({ outDir = join(repoRoot, 'dist', 'ui'), dev = false } = {}) {
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(join(outDir, 'assets'), { recursive: true })
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: [join(here, 'app', 'main.tsx')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    outdir: join(outDir, 'assets'),
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    minify: !dev,
    sourcemap: dev ? 'inline' : false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': dev ? '"development"' : '"production"' },
  })
  const outputs = Object.keys(result.metafile.outputs).map((p) => resolve(repoRoot, p))
  const js = outputs.find((p) => p.endsWith('.js'))
  const css = outputs.find((p) => p.endsWith('.css'))
  if (!js) throw new Error('esbuild produced no JavaScript bundle')
  const favicon = readFileSync(join(here, 'app', 'favicon.svg'))
  writeFileSync(join(outDir, 'favicon.svg'), favicon)
  writeFileSync(join(outDir, 'index.html'), indexHtml(basename(js), css && basename(css)))
  const files = {}
  for (const file of listFiles(outDir)) {
    const body = readFileSync(file)
    const gz = gzipSync(body, { level: constants.Z_BEST_COMPRESSION })
    if (/\.(js|css|html|svg|json)$/.test(file)) writeFileSync(`${file}.gz`, gz)
    files[file.slice(outDir.length + 1)] = { bytes: body.length, gzipBytes: gz.length }
  }
  return { outDir, files }
}

function indexHtml(jsName, cssName) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>zx — Consul lab UI</title>
<link rel="icon" href="/ui/favicon.svg" type="image/svg+xml">
${cssName ? `<link rel="stylesheet" href="/ui/assets/${cssName}">\n` : ''}<script type="module" src="/ui/assets/${jsName}"></script>
</head>
<body>
<div id="app"><p class="boot">Loading zx UI…</p></div>
<noscript>The zx UI needs JavaScript; the HTTP API is at /v1/.</noscript>
</body>
</html>
`
}

function listFiles(dir) {
  const out = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...listFiles(full))
    else if (!entry.name.endsWith('.gz')) out.push(full)
  }
  return out
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const outIndex = args.indexOf('--out')
  const outDir = outIndex >= 0 ? resolve(args[outIndex + 1]) : undefined
  const { files } = await buildUi({ outDir, dev: args.includes('--dev') })
  for (const [name, { bytes, gzipBytes }] of Object.entries(files)) {
    process.stdout.write(`${name.padEnd(32)} ${String(bytes).padStart(8)} B  ${String(gzipBytes).padStart(7)} B gz\n`)
  }
}
