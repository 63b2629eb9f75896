/**
 * agent/config/build.ts: turns flags + JSON sources + defaults into one frozen RuntimeConfig.
 * Sources are merged in order (config files, config dirs, ZX_LOCAL_CONFIG/CONSUL_LOCAL_CONFIG,
 * then flags, which win); then contradictions are rejected with a clear ZX_ERR_CONFIG message.
 */
import { hostname, networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { agentDefaults, httpDefaults, portDefaults, raftTimingBase } from './defaults.js'
import { buildDnsConfig } from './dns.js'
import { parseDurationMs } from './duration.js'
import { parseFlags, type FlatConfig } from './flags.js'
import { configError } from './schema.js'
import { loadConfigDir, loadConfigFile, parseJsonConfig } from './sources.js'
import type { LogLevel, RaftTiming, RuntimeConfig } from './types.js'

/** ConfigEnvironment is what config building reads from the host (injected in tests). */
export interface ConfigEnvironment {
  env: Record<string, string | undefined>
  hostname: () => string
  /** privateIps lists this host's non-loopback IPv4 addresses. */
  privateIps: () => string[]
  pid: number
  tmpdir: () => string
}

/** hostEnvironment is the real host. */
export function hostEnvironment(): ConfigEnvironment {
  return {
    env: process.env,
    hostname,
    privateIps: () => Object.values(networkInterfaces()).flat()
      .filter((info) => info !== undefined && info.family === 'IPv4' && !info.internal)
      .map((info) => info!.address),
    pid: process.pid,
    tmpdir,
  }
}

/** loadRuntimeConfig parses an `agent` argv with its sources into a frozen RuntimeConfig. */
export function loadRuntimeConfig(argv: readonly string[], host: ConfigEnvironment = hostEnvironment()): RuntimeConfig {
  const flags = parseFlags(argv)
  const flat: FlatConfig = new Map()
  const sources: string[] = []
  for (const file of flags.configFiles) { loadConfigFile(file, flat); sources.push(file) }
  for (const dir of flags.configDirs) sources.push(...loadConfigDir(dir, flat))
  for (const name of ['CONSUL_LOCAL_CONFIG', 'ZX_LOCAL_CONFIG']) {
    const text = host.env[name]
    if (text !== undefined && text.trim() !== '') { parseJsonConfig(text, name, flat); sources.push(name) }
  }
  for (const [key, value] of flags.settings) {
    const previous = flat.get(key)
    flat.set(key, Array.isArray(value) && Array.isArray(previous) ? [...previous, ...value] : value)
  }
  sources.push('flags')
  return Object.freeze(buildRuntime(flat, flags.dev, sources, host))
}

function buildRuntime(flat: FlatConfig, dev: boolean, sources: string[], host: ConfigEnvironment): RuntimeConfig {
  const get = <T>(key: string, fallback: T): T => (flat.has(key) ? flat.get(key) as T : fallback)
  const server = get('server', dev)
  const bootstrap = get('bootstrap', dev)
  const bootstrapExpect = get('bootstrap_expect', 0)
  validateRoles(server, bootstrap, bootstrapExpect)
  const dataDir = get<string | undefined>('data_dir', dev ? join(host.tmpdir(), `zx-dev-${host.pid}`) : undefined)
  if (dataDir === undefined || dataDir === '') throw configError('data_dir cannot be empty: set -data-dir or data_dir')
  const bindAddr = get('bind_addr', dev ? '127.0.0.1' : agentDefaults.bindAddr)
  const advertiseAddr = get('advertise_addr', resolveAdvertise(bindAddr, host))
  const logLevel = checkLogLevel(get('log_level', dev ? 'debug' : agentDefaults.logLevel))
  const multiplier = get('performance.raft_multiplier', agentDefaults.raftMultiplier)
  if (multiplier < 1 || multiplier > 10) throw configError(`performance.raft_multiplier must be between 1 and 10, got ${multiplier}`)
  const retryInterval = parseDurationMs(get('retry_interval', '30s')) ?? agentDefaults.retryIntervalMs
  const encrypt = get<string | undefined>('encrypt', undefined)
  if (encrypt !== undefined) checkEncryptKey(encrypt)
  const ports = {
    http: checkPort(get('ports.http', portDefaults.http), 'http'),
    dns: checkPort(get('ports.dns', portDefaults.dns), 'dns'),
    server: checkPort(get('ports.server', portDefaults.server), 'server'),
    serfLan: checkPort(get('ports.serf_lan', portDefaults.serfLan), 'serf_lan'),
    serfWan: checkPort(get('ports.serf_wan', portDefaults.serfWan), 'serf_wan'),
  }
  const nodeName = get('node_name', host.hostname())
  if (nodeName === '' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(nodeName)) throw configError(`node name "${nodeName}" is not valid: use letters, digits, '-', '_' and '.'`)
  const nodeId = get<string | undefined>('node_id', undefined)
  if (nodeId !== undefined && !isUuid(nodeId)) throw configError(`node_id "${nodeId}" is not a UUID`)
  return {
    server, bootstrap, bootstrapExpect, dev,
    datacenter: checkDatacenter(get('datacenter', agentDefaults.datacenter)),
    nodeName, nodeId, dataDir, bindAddr, advertiseAddr,
    clientAddrs: Object.freeze(get('client_addr', dev ? '127.0.0.1' : agentDefaults.clientAddr).split(/\s+/).filter((a) => a !== '')),
    ports: Object.freeze(ports),
    encrypt,
    startJoin: Object.freeze(get<string[]>('start_join', [])),
    retryJoin: Object.freeze(get<string[]>('retry_join', [])),
    retryIntervalMs: retryInterval,
    retryMax: get('retry_max', agentDefaults.retryMax),
    rejoinAfterLeave: get('rejoin_after_leave', false),
    logLevel,
    ui: get('ui', get('ui_config.enabled', dev)),
    pidFile: get<string | undefined>('pid_file', undefined),
    enableSyslog: get('enable_syslog', false),
    protocol: get('protocol', agentDefaults.protocol),
    enableScriptChecks: get('enable_script_checks', false),
    leaveOnTerminate: get('leave_on_terminate', !server),
    skipLeaveOnInterrupt: get('skip_leave_on_interrupt', server),
    recursors: Object.freeze(get<string[]>('recursors', [])),
    dns: Object.freeze(buildDnsConfig(get)),
    httpMaxConnsPerClient: get('limits.http_max_conns_per_client', httpDefaults.maxConnsPerClient),
    raft: Object.freeze(raftTiming(multiplier)),
    sources: Object.freeze(sources),
  }
}

function validateRoles(server: boolean, bootstrap: boolean, bootstrapExpect: number): void {
  if (bootstrap && bootstrapExpect > 0) throw configError("'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive")
  if (!server && bootstrapExpect > 0) throw configError("'bootstrap_expect > 0' requires 'server = true'")
  if (!server && bootstrap) throw configError("'bootstrap = true' requires 'server = true'")
  if (bootstrapExpect < 0) throw configError(`bootstrap_expect cannot be negative, got ${bootstrapExpect}`)
}

/** raftTiming scales hashicorp/raft's timings by raft_multiplier, as Consul does. */
export function raftTiming(multiplier: number): RaftTiming {
  const electionTimeoutMs = raftTimingBase.electionTimeoutMs * multiplier
  const tickMs = raftTimingBase.tickMs * multiplier
  return {
    multiplier,
    heartbeatTimeoutMs: raftTimingBase.heartbeatTimeoutMs * multiplier,
    electionTimeoutMs,
    leaderLeaseTimeoutMs: raftTimingBase.leaderLeaseTimeoutMs * multiplier,
    tickMs,
    electionTicks: Math.round(electionTimeoutMs / tickMs),
  }
}

function resolveAdvertise(bindAddr: string, host: ConfigEnvironment): string {
  if (bindAddr !== '0.0.0.0') return bindAddr
  const ips = host.privateIps()
  if (ips.length > 1) throw configError(`multiple private IPv4 addresses found (${ips.join(', ')}): set -bind or -advertise`)
  return ips[0] ?? '127.0.0.1'
}

function checkLogLevel(level: string): LogLevel {
  const normal = level.toLowerCase()
  if (normal === 'trace' || normal === 'debug' || normal === 'info' || normal === 'warn' || normal === 'error') return normal
  throw configError(`invalid log level "${level}": use trace, debug, info, warn or error`)
}

function checkPort(port: number, name: string): number {
  if (port < 0 || port > 65_535) throw configError(`ports.${name} must be between 0 and 65535, got ${port}`)
  return port
}

function checkDatacenter(dc: string): string {
  if (!/^[a-z0-9_-]+$/i.test(dc)) throw configError(`datacenter "${dc}" may only contain letters, digits, '-' and '_'`)
  return dc.toLowerCase()
}

function checkEncryptKey(key: string): void {
  const bytes = Buffer.from(key, 'base64')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || ![16, 24, 32].includes(bytes.length)) {
    throw configError('encrypt: key must be base64 of 16, 24 or 32 bytes (zx keygen prints one)')
  }
}

/** isUuid tells whether text is a UUID in the 8-4-4-4-12 hex form. */
export function isUuid(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)
}
