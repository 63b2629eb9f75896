/**
 * agent/gossip/defaults.ts: every gossip timing and size limit in one place, each with its
 * reason. The LAN profile copies memberlist's DefaultLANConfig, WAN its DefaultWANConfig, and
 * 'local' is a fast profile for loopback process clusters and tests (like `consul agent -dev`).
 */

/** GossipProfile names a timing profile. */
export type GossipProfile = 'lan' | 'wan' | 'local'

/** GossipTimings are the knobs of the SWIM core; all times in milliseconds. */
export interface GossipTimings {
  probeIntervalMs: number
  probeTimeoutMs: number
  indirectChecks: number
  suspicionMult: number
  suspicionMaxTimeoutMult: number
  retransmitMult: number
  gossipIntervalMs: number
  gossipNodes: number
  gossipToTheDeadMs: number
  pushPullIntervalMs: number
  tcpTimeoutMs: number
  awarenessMaxMultiplier: number
  reapIntervalMs: number
  reconnectIntervalMs: number
  reconnectTimeoutMs: number
  tombstoneTimeoutMs: number
  leavePropagateDelayMs: number
}

/** lanTimings are memberlist's LAN defaults, tuned for a single data centre. */
export const lanTimings: GossipTimings = {
  probeIntervalMs: 1_000,          // one failure check per second per node
  probeTimeoutMs: 500,             // a generous LAN round trip; beyond it we go indirect
  indirectChecks: 3,               // 3 helpers make a lost packet on one path unlikely to matter
  suspicionMult: 4,                // suspect for 4 × log10(N) probe intervals before declaring dead
  suspicionMaxTimeoutMult: 6,      // Lifeguard: start at 6× that, shrink with confirmations
  retransmitMult: 4,               // each update is sent 4 × ceil(log10(N+1)) times
  gossipIntervalMs: 200,           // 5 gossip rounds a second spreads updates in well under a second
  gossipNodes: 3,                  // fanout 3 reaches N nodes in about log3(N) rounds
  gossipToTheDeadMs: 30_000,       // keep telling a dead node it is dead, so it can refute quickly
  pushPullIntervalMs: 30_000,      // full state sync repairs what gossip missed, scaled up above 32 nodes
  tcpTimeoutMs: 10_000,            // TCP push-pull and fallback probes give up after this
  awarenessMaxMultiplier: 8,       // Lifeguard: a struggling node slows its probing up to 8×
  reapIntervalMs: 15_000,          // serf's reap pass
  reconnectIntervalMs: 30_000,     // serf retries a failed member this often, which heals partitions
  reconnectTimeoutMs: 72 * 3600_000, // Consul keeps failed nodes for 72 h before reaping
  tombstoneTimeoutMs: 24 * 3600_000, // left nodes are kept 24 h
  leavePropagateDelayMs: 3_000,    // Consul waits 3 s after a leave so it spreads
}

/** wanTimings are memberlist's WAN defaults: slower, more tolerant of latency. */
export const wanTimings: GossipTimings = {
  ...lanTimings,
  probeIntervalMs: 5_000,          // WAN links are slow and costly; probe less often
  probeTimeoutMs: 3_000,           // cross-region round trips can take seconds
  suspicionMult: 6,                // give distant nodes longer to refute
  gossipIntervalMs: 500,           // fewer, larger gossip packets
  gossipNodes: 4,                  // a larger fanout compensates for the slower interval
  gossipToTheDeadMs: 60_000,
  pushPullIntervalMs: 60_000,
  tcpTimeoutMs: 30_000,
}

/** localTimings is a fast profile for loopback clusters and tests (close to `consul -dev`). */
export const localTimings: GossipTimings = {
  ...lanTimings,
  probeIntervalMs: 200,            // loopback round trips are sub-millisecond
  probeTimeoutMs: 100,             // so a 100 ms silence already means trouble
  suspicionMult: 3,                // like -dev: detect failures in about a second
  suspicionMaxTimeoutMult: 3,      // few nodes, few confirmations: do not wait 6×
  gossipIntervalMs: 50,            // spread updates within a few hundred ms
  gossipToTheDeadMs: 5_000,
  pushPullIntervalMs: 5_000,       // frequent anti-entropy: small clusters, cheap state
  tcpTimeoutMs: 2_000,
  reapIntervalMs: 2_000,
  reconnectIntervalMs: 2_000,      // heal loopback partitions within seconds
  leavePropagateDelayMs: 500,
}

/** timingsFor returns a copy of a profile's timings. */
export function timingsFor(profile: GossipProfile): GossipTimings {
  switch (profile) {
    case 'lan': return { ...lanTimings }
    case 'wan': return { ...wanTimings }
    case 'local': return { ...localTimings }
  }
}

/** gossipLimits are the byte and count caps on everything the gossip layer accepts. */
export const gossipLimits = {
  udpPacketBytesMax: 1_400,        // stays under a 1500-byte Ethernet MTU with IP/UDP headers
  udpReceiveBytesMax: 65_507,      // the largest UDP payload; anything bigger cannot arrive anyway
  tcpMessageBytesMax: 8 * 1024 * 1024, // a full push-pull state for thousands of nodes fits
  tagsBytesMax: 512,               // memberlist's MetaMaxSize: node metadata must fit a packet
  nodeNameBytesMax: 128,           // Consul rejects longer node names
  userEventBytesMax: 512,          // serf's UserEventSizeLimit (name + payload)
  userEventBufferMax: 256,         // Consul keeps the last 256 events for /v1/event/list
  compoundMessagesMax: 255,        // a compound packet counts its parts in one byte
  replayWindowMax: 8_192,          // nonces remembered to drop replayed sealed packets
  broadcastQueueMax: 4_096,        // serf's MinQueueDepth: older broadcasts are pruned beyond it
  pushPullMembersMax: 100_000,     // refuse absurd remote states
} as const
