/**
 * agent/ui/defaults.ts: every tunable of the web UI's server side in one place, each with the
 * reason for its value. The browser app has its own small set in app/config.ts.
 */

/** uiDefaults are the limits and timings of the /ui static server and the /v1/zx lab APIs. */
export const uiDefaults = {
  /** Hashed assets never change under one name, so browsers may keep them for a year. */
  immutableMaxAgeS: 31_536_000,
  /** The raft and gossip timelines keep the last 256 events: a lab session's worth, a few KB. */
  eventRingSize: 256,
  /** Blocking lab queries wait 5 min unless asked otherwise, like Consul's default query time. */
  blockingWaitMsDefault: 300_000,
  /** No blocking query waits longer than 10 min, Consul's max_query_time. */
  blockingWaitMsMax: 600_000,
  /** At most 64 SSE streams per agent: each holds a socket, and a lab has a handful of tabs. */
  streamsMax: 64,
  /** SSE streams send a comment every 15 s so proxies and idle timers keep them open. */
  streamHeartbeatMs: 15_000,
  /** A cluster fan-out waits 600 ms per node: loopback answers in a few ms, and a dead node
   * must not hold the Raft view past its 3 s live-update budget. */
  fanoutTimeoutMs: 600,
  /** A fan-out reads at most 256 KB per node, so a confused peer cannot balloon our memory. */
  fanoutBodyBytesMax: 256 * 1024,
} as const
