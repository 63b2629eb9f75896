/**
 * agent/ui/serve.ts: serves the built web UI (dist/ui) under /ui/. The bundle is built by
 * agent/ui/build.mjs with content hashes in its asset names, so assets are cached as immutable,
 * while index.html is always revalidated. Any /ui/* path that is not an asset is answered with
 * index.html, so the app's History API URLs (/ui/dc1/kv/a/b) survive a refresh. Files are read
 * once into memory together with their precompressed .gz twins; the bundle is a few hundred KB.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { uiDefaults } from './defaults.js'

/** UiAsset is one served file, held in memory with its optional gzip twin. */
export interface UiAsset {
  body: Buffer
  gzip: Buffer | undefined
  contentType: string
  immutable: boolean
  etag: string
}

/** UiHandler answers a request if it belongs to the UI and tells whether it did. */
export type UiHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
}

// The app needs nothing from other origins: no CDN, no inline script. Inline style attributes
// are allowed for the few computed widths (bars) the views draw.
const securityHeaders = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'",
  'Referrer-Policy': 'same-origin',
}

/** uiDirCandidates lists where a built UI may live, in the order they are tried. */
export function uiDirCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const candidates: string[] = []
  if (env.ZX_UI_DIR) candidates.push(env.ZX_UI_DIR)
  // Compiled: dist/agent/ui/serve.js → dist/ui. From source: agent/ui/serve.ts → dist/ui.
  candidates.push(fileURLToPath(new URL('../../ui/', import.meta.url)))
  candidates.push(fileURLToPath(new URL('../../dist/ui/', import.meta.url)))
  return candidates
}

/** findUiDir returns the first candidate directory holding an index.html, if any. */
export function findUiDir(candidates: string[] = uiDirCandidates()): string | undefined {
  return candidates.find((dir) => existsSync(join(dir, 'index.html')))
}

/** loadUiAssets reads every file under dir into a map keyed by its URL path below /ui/. */
export function loadUiAssets(dir: string): Map<string, UiAsset> {
  const assets = new Map<string, UiAsset>()
  for (const file of listFiles(dir)) {
    if (file.endsWith('.gz')) continue
    const urlPath = relative(dir, file).split(sep).join('/')
    const body = readFileSync(file)
    const gzipPath = `${file}.gz`
    const gzip = existsSync(gzipPath) ? readFileSync(gzipPath) : undefined
    const contentType = contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream'
    const immutable = urlPath.startsWith('assets/') && /-[A-Z0-9]{8,}\.[a-z]+$/i.test(urlPath)
    const stat = statSync(file)
    assets.set(urlPath, { body, gzip, contentType, immutable, etag: `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"` })
  }
  return assets
}

function listFiles(dir: string, depth = 0): string[] {
  if (depth > 4) return []
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...listFiles(full, depth + 1))
    else if (entry.isFile()) out.push(full)
  }
  return out
}

/**
 * createUiHandler builds a handler over one UI directory (default: the first of
 * uiDirCandidates holding index.html, looked up on the first request). It answers `GET /` with
 * a 301 to /ui/, every GET/HEAD under /ui/ with an asset or index.html, other methods there
 * with 405, and returns false for everything else.
 */
export function createUiHandler(options: { dir?: string } = {}): UiHandler {
  let assets: Map<string, UiAsset> | undefined
  const load = (): Map<string, UiAsset> | undefined => {
    if (assets) return assets
    const dir = options.dir ?? findUiDir()
    if (dir === undefined || !existsSync(join(dir, 'index.html'))) return undefined
    assets = loadUiAssets(dir)
    return assets
  }
  return async (req, res) => {
    const url = parseUrl(req.url)
    if (url === undefined) return false
    const path = url.pathname
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      redirect(res, '/ui/')
      return true
    }
    if (path !== '/ui' && !path.startsWith('/ui/')) return false
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' })
      res.end(`method ${req.method} not allowed on the UI\n`)
      return true
    }
    if (path === '/ui') {
      redirect(res, `/ui/${url.search}`)
      return true
    }
    const table = load()
    if (table === undefined) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
      res.end('zx UI is not built: run `node agent/ui/build.mjs` (or set ZX_UI_DIR)\n')
      return true
    }
    serveAsset(req, res, table, path.slice('/ui/'.length))
    return true
  }
}

function parseUrl(raw: string | undefined): URL | undefined {
  try {
    return new URL(raw ?? '/', 'http://zx.invalid')
  } catch {
    return undefined
  }
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(301, { Location: location, 'Content-Type': 'text/plain; charset=utf-8' })
  res.end(`Moved Permanently: ${location}\n`)
}

function serveAsset(req: IncomingMessage, res: ServerResponse, table: Map<string, UiAsset>, subPath: string): void {
  let decoded: string
  try {
    decoded = decodeURIComponent(subPath)
  } catch {
    decoded = subPath
  }
  const direct = table.get(decoded)
  // A missing file under assets/ is a real 404: answering index.html would hand a script tag
  // HTML. Every other path is an app route, which the app itself resolves.
  if (direct === undefined && decoded.startsWith('assets/')) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' })
    res.end('not found\n')
    return
  }
  const asset = direct ?? table.get('index.html')!
  const headers: Record<string, string> = {
    ...securityHeaders,
    'Content-Type': asset.contentType,
    'Cache-Control': asset.immutable ? `public, max-age=${uiDefaults.immutableMaxAgeS}, immutable` : 'no-cache',
    ETag: asset.etag,
    Vary: 'Accept-Encoding',
  }
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers)
    res.end()
    return
  }
  const useGzip = asset.gzip !== undefined && acceptsGzip(req.headers['accept-encoding'])
  const body = useGzip ? asset.gzip! : asset.body
  if (useGzip) headers['Content-Encoding'] = 'gzip'
  headers['Content-Length'] = String(body.length)
  res.writeHead(200, headers)
  res.end(req.method === 'HEAD' ? undefined : body)
}

/** acceptsGzip tells whether an Accept-Encoding header allows gzip (and does not refuse it with q=0). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : header ?? ''
  for (const part of value.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';')
    if (name !== 'gzip' && name !== '*') continue
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    if (q === undefined || Number(q.slice(2)) > 0) return true
  }
  return false
}

/** uiHandler is the agent's UI handler over the default UI directory (see uiDirCandidates). */
export const uiHandler: UiHandler = createUiHandler()
