/**
 * agent/raft/node-defaults.ts: the Raft driver's tunables in one place, each with its reason.
 * The agent may override any of them through RaftNode.open's options (its own defaults module
 * agent/config/defaults.ts decides the LAN vs local profile).
 */

/** raftNodeDefaults are RaftNode's settings when the caller leaves them out. */
export const raftNodeDefaults = {
  tickMs: 50,                    // one core tick; elections after 10–20 ticks = 0.5–1 s, close to Consul's 1 s LAN timeout
  electionTicks: 10,             // 10 × heartbeat avoids needless elections on a busy 2-core box
  heartbeatTicks: 1,             // a heartbeat per tick keeps followers' lastContact under 50 ms
  leaseTicks: 8,                 // < electionTicks: a deposed leader's lease runs out before a rival can win
  preVote: true,                 // a rejoining server must not bump terms and depose a healthy leader
  checkQuorum: true,             // a cut-off leader steps down instead of serving stale lease reads
  maxInflight: 256,              // appends in flight per follower: enough to fill a LAN pipe
  maxBatchBytes: 1024 * 1024,    // one append message carries at most ~1 MiB of entries (frames cap at 16 MiB)
  snapshotThresholdEntries: 8_192, // snapshot once this many entries piled up since the last one (Consul: 16,384)
  snapshotThresholdBytes: 64 * 1024 * 1024, // …or this many bytes of entry data, whichever first
  trailingLogs: 2_048,           // entries kept behind a snapshot so a slightly lagging follower needs no snapshot
  snapshotChunkBytes: 1024 * 1024, // snapshot stream chunk size: well under the 16 MiB frame cap
  snapshotStreamIdleMs: 30_000,  // a half-received snapshot with no chunk for this long is dropped
  proposeTimeoutMs: 30_000,      // a proposal that neither commits nor is overwritten by then is reported as timed out
  readTimeoutMs: 5_000,          // ReadIndex / forwarded barrier must finish within this
  forwardTimeoutMs: 5_000,       // rpc timeout when a follower forwards a read barrier to the leader
  catchUpTimeoutMs: 60_000,      // addVoter waits this long for a learner to catch up before giving up
  catchUpLagEntries: 64,         // a learner within this many entries of the leader's commit is caught up
  leaderGoneStaggerMs: 100,      // followers of a dead leader campaign this far apart by rank (≫ a LAN vote round trip)
  diskRetryMs: 200,              // after ZX_ERR_DISK the driver retries the fsync this often
} as const

/** RaftTunables are the overridable settings (same names as raftNodeDefaults). */
export type RaftTunables = { -readonly [K in keyof typeof raftNodeDefaults]: (typeof raftNodeDefaults)[K] extends boolean ? boolean : number }

/** withDefaults fills every tunable the caller left undefined from raftNodeDefaults. */
export function withDefaults(options: Partial<RaftTunables>): RaftTunables {
  const out: Record<string, unknown> = { ...raftNodeDefaults }
  for (const key of Object.keys(raftNodeDefaults)) {
    const value = (options as Record<string, unknown>)[key]
    if (value !== undefined) out[key] = value
  }
  return out as RaftTunables
}
