/**
 * agent/gossip/sim/spread.ts: how many gossip rounds a rumor needs to reach every node, measured
 * on the real SWIM core. N cores start knowing each other (probes, push-pull and reconnects are
 * switched off so only gossip carries the rumor); a user event is fired at one node just before
 * its gossip tick, and a round is one gossip interval. Each node forwards the rumor to `fanout`
 * random peers per round until its retransmit budget (retransmitMult · ceil(log10(N+1))) is
 * spent, so a rumor can also die out before reaching everyone; such runs count as incomplete.
 */
import { lanTimings, type GossipTimings } from '../defaults.js'
import { SimCluster } from './cluster.js'

/** SpreadRow is one measured line of the spread table. */
export interface SpreadRow {
  nodes: number
  fanout: number
  loss: number
  /** formula is log_fanout(N), the seed's model. */
  formula: number
  meanRounds: number
  p99Rounds: number
  /** complete is the fraction of runs in which every node got the rumor. */
  complete: number
  runs: number
}

/** SpreadOptions choose one table cell. */
export interface SpreadOptions {
  nodes: number
  fanout: number
  loss: number
  runs: number
  seed: number
}

const never = 1e15

/** spreadTimings is LAN timing with only gossip running. */
export function spreadTimings(fanout: number): GossipTimings {
  return {
    ...lanTimings, gossipNodes: fanout, probeIntervalMs: never, pushPullIntervalMs: never,
    reapIntervalMs: never, reconnectIntervalMs: never,
  }
}

/** percentile returns the p-th percentile (0..1) of sorted values (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!
}

/** measureSpread runs `runs` rumors through one cluster and summarises rounds to full spread. */
export function measureSpread(options: SpreadOptions): SpreadRow {
  const timings = spreadTimings(options.fanout)
  const cluster = new SimCluster({ seed: options.seed, timings, lossRate: options.loss, latencyMsMin: 1, latencyMsMax: 5, stepMs: 5 })
  cluster.bootstrap(options.nodes)
  const origin = cluster.nodes[0]!
  const rounds: number[] = []
  let complete = 0
  for (let run = 0; run < options.runs; run++) {
    while (origin.wakeMs > cluster.nowMs + 5) cluster.run(5)
    const event = cluster.fireUserEvent(origin.name, `rumor-${run}`)
    const firedAt = cluster.nowMs
    const everyone = (): boolean => cluster.nodes.every((n) => n.userEventsAtMs.has(event.id))
    const done = cluster.run(60 * timings.gossipIntervalMs, everyone, 5)
    if (done) {
      complete++
      let last = 0
      for (const n of cluster.nodes) last = Math.max(last, n.userEventsAtMs.get(event.id)!)
      rounds.push((last - firedAt) / timings.gossipIntervalMs)
    }
    // Let the retransmit budget run out so the next rumor starts from quiet queues.
    cluster.run(60 * timings.gossipIntervalMs, () => cluster.nodes.every((n) => n.core.s.broadcasts.size === 0), 50)
  }
  rounds.sort((a, b) => a - b)
  const mean = rounds.length === 0 ? NaN : rounds.reduce((a, b) => a + b, 0) / rounds.length
  return {
    nodes: options.nodes, fanout: options.fanout, loss: options.loss,
    formula: Math.log(options.nodes) / Math.log(options.fanout),
    meanRounds: mean, p99Rounds: percentile(rounds, 0.99), complete: complete / options.runs, runs: options.runs,
  }
}
