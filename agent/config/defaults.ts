/**
 * agent/config/defaults.ts: every default of the agent in one place, each with its reason.
 * Values follow Consul (agent/config/default.go, hashicorp/raft DefaultConfig) unless a lab
 * reason is given; the runtime config is built by layering user config over these.
 */

/** portDefaults are Consul's well-known ports (docs/install/ports). */
export const portDefaults = {
  http: 8500,       // HTTP API + UI
  dns: 8600,        // DNS interface
  server: 8300,     // server RPC: Raft and forwarding
  serfLan: 8301,    // LAN gossip, every agent
  serfWan: 8302,    // WAN gossip, servers only
} as const

/** agentDefaults are the scalar defaults of a user-less config. */
export const agentDefaults = {
  datacenter: 'dc1',             // Consul's default datacenter name
  bindAddr: '0.0.0.0',           // cluster traffic on every interface, like Consul
  clientAddr: '127.0.0.1',       // HTTP/DNS only on loopback unless asked (-client)
  logLevel: 'info',              // Consul's default verbosity
  protocol: 2,                   // Consul's gossip protocol number, reported in vsn
  retryIntervalMs: 30_000,       // Consul retry_interval 30s
  retryMax: 0,                   // 0 = retry joins forever, as Consul
  raftMultiplier: 1,             // lab default: Consul recommends 1 for production; 5 is tuned for t2.micro
  domain: 'consul.',             // DNS domain
} as const

/**
 * raftTimingBase are hashicorp/raft's DefaultConfig timings at raft_multiplier 1; Consul
 * multiplies all three by performance.raft_multiplier. At multiplier 1 the election timeout
 * is 1 s, heartbeat timeout 1 s and leader lease 500 ms; a follower that hears nothing for
 * a random 1–2 s campaigns, so a lost leader is replaced in roughly 1–2.5 s.
 */
export const raftTimingBase = {
  heartbeatTimeoutMs: 1_000,     // follower suspects the leader after this long without contact
  electionTimeoutMs: 1_000,      // candidate restarts an election after this long
  leaderLeaseTimeoutMs: 500,     // leader steps down if it cannot reach a quorum for this long
  tickMs: 100,                   // driver tick: heartbeat timeout / 10, the leader's beat interval
} as const

/** httpDefaults bound what one HTTP request may ask for. */
export const httpDefaults = {
  kvValueBytesMax: 512 * 1024,       // Consul limits.kv_max_value_size (raft.SuggestedMaxDataSize)
  txnBodyBytesMax: 512 * 1024,       // Consul txn_max_req_len, same as the KV cap
  txnOpsMax: 64,                     // Consul's classic cap on operations in one /v1/txn
  bodyBytesMax: 1024 * 1024,         // other JSON bodies: generous but bounded
  defaultQueryTimeMs: 300_000,       // blocking wait default 5 min (default_query_time)
  maxQueryTimeMs: 600_000,           // blocking wait cap 10 min (max_query_time)
  jitterFraction: 16,                // a blocking wait gets up to wait/16 of random extra
  /**
   * rpcHoldTimeoutMs: how long a request waits for a leader before `No cluster leader`.
   * Consul holds 7 s; the lab uses 5 s so that an operator sees the error quickly while a
   * normal 1–2.5 s election still completes inside the window.
   */
  rpcHoldTimeoutMs: 5_000,
  forwardTimeoutMs: 10_000,          // one forwarded non-blocking RPC call
  maxConnsPerClient: 200,            // Consul limits.http_max_conns_per_client: parked blocking queries are bounded
} as const

/** sessionDefaults follow Consul's session rules (api-docs/session, structs). */
export const sessionDefaults = {
  lockDelayMs: 15_000,           // default LockDelay 15s
  lockDelayMaxMs: 60_000,        // LockDelay silently capped at 60s
  ttlMinMs: 10_000,              // session_ttl_min 10s
  ttlMaxMs: 86_400_000,          // 24h cap on TTL
  ttlMultiplier: 2,              // the leader invalidates after TTL × 2 (SessionTTLMultiplier)
  defaultCheck: 'serfHealth',    // sessions die with their node unless told otherwise
} as const

/** leaderDefaults time the leader's background loops. */
export const leaderDefaults = {
  reconcileIntervalMs: 1_000,        // how often the leader compares gossip with the Raft config
  deadServerGraceMs: 30_000,         // autopilot: a failed server is removed after this long
  learnerCatchUpEntries: 250,        // autopilot max_trailing_logs: promote a learner within this
  bootstrapRetryMs: 500,             // re-check bootstrap-expect this often while waiting
  leaveTransferTimeoutMs: 5_000,     // a leaving leader waits this long for a successor
  leaveDrainMs: 5_000,               // performance.leave_drain_time: time for gossip of our leave
  tombstoneTtlMs: 15 * 60_000,       // Consul TombstoneTTL: a KV delete's index is remembered this long
  tombstoneGranularityMs: 30_000,    // Consul's reap granularity: at most one reap per 30 s
} as const

/** gossipProfile picks the gossip timing profile name handed to GossipPool.start. */
export const gossipProfile = {
  lan: 'lan',
  wan: 'wan',
} as const

/**
 * dnsConfigDefaults are Consul's dns_config defaults (docs: agent config, DNS parameters), with
 * one lab difference marked below.
 */
export const dnsConfigDefaults = {
  domain: agentDefaults.domain,
  allowStale: true,                  // any server answers DNS from its own state (Consul ≥ 0.7)
  maxStaleMs: 87_600 * 3_600_000,    // 87600h: stale answers are fine however old (Consul ≥ 0.7.1)
  nodeTtlS: 0,                       // node_ttl 0s: no caching of node lookups
  serviceTtlS: 0,                    // service_ttl: 0s for every service unless mapped
  udpAnswerLimit: 3,                 // udp_answer_limit 3 records in a plain (non-EDNS) UDP answer
  aRecordLimit: 0,                   // a_record_limit 0 = no limit on A/AAAA/ANY answers
  /**
   * enable_truncate: Consul's default is false (trimmed UDP answers carry no TC bit). The lab
   * turns it on because the issue asks for truncation with TCP fallback (dig retries on TC).
   */
  enableTruncate: true,
  onlyPassing: false,                // only critical instances are left out
  recursorTimeoutMs: 2_000,          // recursor_timeout 2s
  disableCompression: false,         // names compressed (RFC 1035 §4.1.4), Consul ≥ 0.7
  limitMax: 65_535,                  // bound on the configurable limits: a DNS section count is 16-bit
} as const
