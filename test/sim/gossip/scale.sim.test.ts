// Goal: SWIM's headline properties at scale (SWIM §1, §5): 1,000 nodes converge on one
// membership view; a crash is declared failed by every live member; and the per-node message
// load stays constant as N grows (each node sends one probe per interval plus `fanout` gossip
// packets per gossip interval, whatever N is).
// Method: seeded SimClusters of 50, 200 and 1,000 real cores with LAN timings, all started cold:
// three seeds, then batches of 25 nodes every 500 ms each joining a random seed (a rollout);
// convergence = every live node sees all N alive; then packets sent per node per second in steady
// state, then a crash. ZX_SIM_LONG=1 adds 2,000 nodes.
import { describe, expect, it } from 'vitest'
import { check, rolloutCluster, seed } from './harness.js'

function steadyRate(n: number): { rate: number; convergeS: number; detectS: number } {
  const wallStart = Date.now()
  const cluster = rolloutCluster(n)
  const start = cluster.nowMs
  check(cluster.run(300_000, () => cluster.converged()), `${n} nodes did not converge in 300 s`)
  const convergeS = (cluster.nowMs - start) / 1000
  // Steady state: wait until the rollout's alive updates have used up their retransmits.
  cluster.run(60_000, () => cluster.nodes.every((node) => !node.up || node.core.stats().broadcastQueue === 0), 1_000)
  const before = cluster.nodes.reduce((sum, node) => sum + node.packetsSent, 0)
  const windowMs = 20_000
  cluster.run(windowMs)
  const after = cluster.nodes.reduce((sum, node) => sum + node.packetsSent, 0)
  const rate = (after - before) / n / (windowMs / 1000)
  cluster.crash('n3')
  const crashAt = cluster.nowMs
  check(cluster.run(120_000, () => cluster.converged()), `${n} nodes: crash of n3 not declared failed by all in 120 s`)
  const detectS = (cluster.nowMs - crashAt) / 1000
  for (const node of cluster.liveNodes()) check(cluster.statusOf(node.name, 'n3') === 'failed', `${node.name} missed the crash`)
  console.log(`N=${n}: converged ${convergeS.toFixed(1)} s after the last join, ${rate.toFixed(2)} packets/node/s, crash seen by all in ${detectS.toFixed(1)} s (wall ${((Date.now() - wallStart) / 1000).toFixed(1)} s)`)
  return { rate, convergeS, detectS }
}

describe(`gossip at scale (seed ${seed})`, () => {
  it('converges at 50, 200 and 1,000 nodes with a constant per-node message rate', () => {
    const small = steadyRate(50)
    const medium = steadyRate(200)
    const large = steadyRate(1000)
    check(large.rate < small.rate * 1.5, `per-node rate grew from ${small.rate} to ${large.rate}`)
    check(medium.rate < small.rate * 1.5, `per-node rate grew from ${small.rate} to ${medium.rate}`)
    expect(large.convergeS).toBeGreaterThan(0)
    if (process.env.ZX_SIM_LONG === '1') {
      const huge = steadyRate(2000)
      check(huge.rate < small.rate * 1.5, `per-node rate grew from ${small.rate} to ${huge.rate}`)
    }
  })
})
