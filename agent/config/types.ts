/**
 * agent/config/types.ts: the agent's configuration as the rest of the agent sees it. User input
 * (flags, JSON files, ZX_LOCAL_CONFIG) is merged and validated into one frozen RuntimeConfig.
 */
import type { DnsConfig } from './dns.js'

/** PortConfig are the agent's listening ports. */
export interface PortConfig {
  http: number
  dns: number
  server: number
  serfLan: number
  serfWan: number
}

/** RaftTiming is the Raft timing derived from performance.raft_multiplier. */
export interface RaftTiming {
  multiplier: number
  heartbeatTimeoutMs: number
  electionTimeoutMs: number
  leaderLeaseTimeoutMs: number
  /** tickMs is the driver tick; electionTicks × tickMs is the election timeout. */
  tickMs: number
  electionTicks: number
}

/** LogLevel is the agent's log verbosity. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error'

/** RuntimeConfig is the agent's complete, validated and frozen configuration. */
export interface RuntimeConfig {
  readonly server: boolean
  readonly bootstrap: boolean
  readonly bootstrapExpect: number
  readonly dev: boolean
  readonly datacenter: string
  readonly nodeName: string
  /** nodeId is the configured node id; the persisted one is resolved at start (node-id.ts). */
  readonly nodeId: string | undefined
  readonly dataDir: string
  readonly bindAddr: string
  readonly advertiseAddr: string
  readonly clientAddrs: readonly string[]
  readonly ports: Readonly<PortConfig>
  readonly encrypt: string | undefined
  readonly startJoin: readonly string[]
  readonly retryJoin: readonly string[]
  readonly retryIntervalMs: number
  readonly retryMax: number
  readonly rejoinAfterLeave: boolean
  readonly logLevel: LogLevel
  readonly ui: boolean
  readonly pidFile: string | undefined
  readonly enableSyslog: boolean
  readonly protocol: number
  readonly enableScriptChecks: boolean
  readonly leaveOnTerminate: boolean
  readonly skipLeaveOnInterrupt: boolean
  readonly recursors: readonly string[]
  /** dns is the DNS interface's configuration (`domain` and `dns_config`). */
  readonly dns: Readonly<DnsConfig>
  /** httpMaxConnsPerClient caps concurrent HTTP connections from one IP (limits.http_max_conns_per_client). */
  readonly httpMaxConnsPerClient: number
  readonly raft: Readonly<RaftTiming>
  /** sources lists where the config came from, for /v1/agent/self and logs. */
  readonly sources: readonly string[]
}
