/**
 * src/api/defaults.ts: the lab kit's client-side defaults, each with its reason. Lock and
 * semaphore numbers are Consul's own (api/lock.go, api/semaphore.go) so that zx locks and
 * `consul lock` agree on the wire.
 */

/** apiDefaults bound every call the lab kit makes to an agent. */
export const apiDefaults = {
  requestTimeoutMs: 10_000,        // above Consul's 7 s rpc_hold_timeout, so "No cluster leader" arrives as an answer
  blockingMarginMs: 5_000,         // a blocking query may return up to wait/16 late; allow that plus slack
  firstPortHttp: 8500,             // node1's HTTP port in the seed table
  nodePortStride: 1_000,           // node n listens on container port + 1000·(n−1) on the host
} as const

/** lockDefaults are Consul's lock recipe constants (api/lock.go). */
export const lockDefaults = {
  sessionName: 'Consul API Lock',
  sessionTtl: '15s',               // renewed at TTL/2
  lockWaitMs: 15_000,              // one blocking GET per loop turn
  lockRetryMs: 5_000,              // acquire failed with no holder: lock-delay in effect, wait this long
  monitorRetries: 3,               // `consul lock -monitor-retry` default: tolerate a few 500s
  monitorRetryMs: 1_000,
  killGraceMs: 5_000,              // SIGTERM → SIGKILL; below the 15 s lock-delay so no overlap
  flagValue: 0x2ddccbc058a50c18n,  // marks a key as a lock; above 2^53, so always bigint
} as const

/** semaphoreDefaults are Consul's semaphore recipe constants (api/semaphore.go). */
export const semaphoreDefaults = {
  sessionName: 'Consul API Semaphore',
  lockKey: '.lock',                // coordination key under the prefix
  flagValue: 0xe0f69a2baa414de0n,  // marks keys as a semaphore; above 2^53, so always bigint
} as const
