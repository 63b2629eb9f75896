/**
 * templates/demo/server.ts: the lab's demo web API, the TypeScript twin of the seed's small
 * ASP.NET service. It answers `GET /health` (for the Consul HTTP check registrator adds) and
 * `GET /` or `GET /api/instance` with who it is, its port and the settings file it was given, so
 * a caller going through Consul can see which replica answered. Settings are re-read when the
 * mounted file changes; a broken file is reported in the answer, never a crash.
 *
 * Usage: node server.js [--port 8080] [--settings /app/settings/appsettings.json] [--instance name]
 * (or PORT, SETTINGS_FILE, INSTANCE in the environment).
 */
import { readFileSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { hostname } from 'node:os'

/** DemoOptions is the parsed command line and environment. */
export interface DemoOptions {
  port: number
  settingsFile: string
  instance: string
  host: string
}

/** parseDemoOptions reads flags first, then the environment, then defaults. */
export function parseDemoOptions(argv: readonly string[], env: NodeJS.ProcessEnv): DemoOptions {
  const flag = (name: string): string | undefined => {
    const index = argv.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`))
    if (index < 0) return undefined
    const arg = argv[index]!
    return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[index + 1]
  }
  const portText = flag('port') ?? env.PORT ?? '8080'
  const port = Number(portText)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${JSON.stringify(portText)}`)
  return {
    port,
    settingsFile: flag('settings') ?? env.SETTINGS_FILE ?? '/app/settings/appsettings.json',
    instance: flag('instance') ?? env.INSTANCE ?? hostname(),
    host: flag('host') ?? env.HOST ?? '0.0.0.0',
  }
}

interface SettingsCache { mtimeMs: number; size: number; value: unknown; error: string | undefined }

/** SettingsReader returns the settings file's JSON, re-reading it only when it changed on disk. */
export class SettingsReader {
  private cache: SettingsCache | undefined
  constructor(private readonly path: string) {}

  /** read returns `{ settings }` or `{ settingsError }`. */
  read(): { settings: unknown } | { settingsError: string } {
    let mtimeMs: number
    let size: number
    try {
      const info = statSync(this.path)
      mtimeMs = info.mtimeMs
      size = info.size
    } catch (error) {
      return { settingsError: `cannot read ${this.path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` }
    }
    if (this.cache === undefined || this.cache.mtimeMs !== mtimeMs || this.cache.size !== size) {
      this.cache = { mtimeMs, size, ...load(this.path) }
    }
    return this.cache.error === undefined ? { settings: this.cache.value } : { settingsError: this.cache.error }
  }
}

function load(path: string): { value: unknown; error: string | undefined } {
  try {
    return { value: JSON.parse(readFileSync(path, 'utf8')), error: undefined }
  } catch (error) {
    return { value: undefined, error: `invalid settings ${path}: ${(error as Error).message}` }
  }
}

/** handleDemoRequest routes one request; it is exported so tests can drive it without sockets. */
export function handleDemoRequest(options: DemoOptions, settings: SettingsReader, startedAt: string, request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://demo')
  const send = (status: number, body: unknown): void => {
    const text = JSON.stringify(body)
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    response.end(request.method === 'HEAD' ? undefined : text)
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD')
    return send(405, { error: 'method not allowed' })
  }
  switch (url.pathname) {
    case '/health':
      return send(200, { status: 'ok' })
    case '/':
    case '/api/instance':
      return send(200, { instance: options.instance, port: options.port, hostname: hostname(), pid: process.pid, startedAt, ...settings.read() })
    default:
      return send(404, { error: `no route ${url.pathname}` })
  }
}

/** startDemo listens and stops cleanly on SIGTERM/SIGINT (exit 0, so `--deregister on-success` deregisters). */
export function startDemo(options: DemoOptions): void {
  const settings = new SettingsReader(options.settingsFile)
  const startedAt = new Date().toISOString()
  const server = createServer((request, response) => handleDemoRequest(options, settings, startedAt, request, response))
  server.keepAliveTimeout = 5_000
  server.listen(options.port, options.host, () => {
    const address = server.address()
    const port = typeof address === 'object' && address !== null ? address.port : options.port
    console.log(`demo ${options.instance} listening on ${options.host}:${port} (settings ${options.settingsFile})`)
  })
  const stop = (signal: string): void => {
    console.log(`demo ${options.instance} stopping on ${signal}`)
    server.close(() => process.exit(0))
    server.closeAllConnections()
    setTimeout(() => process.exit(0), 2_000).unref()
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
}

// Bundled by esbuild with `define: { ZX_DEMO_MAIN: 'true' }`, so importing this file in tests
// does not start a server.
declare const ZX_DEMO_MAIN: boolean | undefined
if (typeof ZX_DEMO_MAIN !== 'undefined' && ZX_DEMO_MAIN) {
  try {
    startDemo(parseDemoOptions(process.argv.slice(2), process.env))
  } catch (error) {
    console.error(`demo: ${(error as Error).message}`)
    process.exit(2)
  }
}
