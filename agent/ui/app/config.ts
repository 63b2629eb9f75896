/**
 * agent/ui/app/config.ts: the browser app's timings, each with its reason. Live data comes from
 * blocking queries (the agent parks them until something changes), so polling is reserved for
 * endpoints Consul does not block on (agent/members, status, operator raft).
 */
export const appConfig = {
  /** Blocking queries ask to wait 5 min, Consul's default; the agent answers on any change. */
  blockingWait: '5m',
  /** A blocking read that came back at once with no change is not repeated sooner than this. */
  blockingMinGapMs: 1_000,
  /** After an error, retry after 1 s, doubling up to 10 s. */
  retryMsMin: 1_000,
  retryMsMax: 10_000,
  /** Gossip membership (agent/members) is polled every 2 s: failures show within a round trip. */
  membersPollMs: 2_000,
  /** The lab views re-read the whole cluster every 2 s, and at once on any local event. */
  clusterPollMs: 2_000,
  /** A client agent has no local Raft stream, so its Raft view re-reads every 1.5 s: a new
   * leader shows within ~2 s of the election, and the client's fan-out stays near 1.5 % CPU
   * (1 s measured 2.3 % on the client agent). */
  clusterPollMsNoStream: 1_500,
  /** Feeds keep the newest 200 lines on screen. */
  feedLinesMax: 200,
} as const
