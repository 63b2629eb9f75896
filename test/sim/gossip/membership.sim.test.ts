// Goal: SWIM + Lifeguard keeps membership right under the faults the paper targets
// (Das et al., SWIM §4–5; Dadgar et al., Lifeguard §3–4): every live node agrees on membership,
// a crashed node is declared failed by all live members, a partition heals back into one
// cluster, and 20% packet loss or one slow node does not get live nodes declared dead.
// Method: seeded SimCluster of real SwimCores on a simulated lossy network with LAN timings;
// checkers run after each phase; failures print the reproduce line.
import { describe, expect, it } from 'vitest'
import { buildCluster, check, lan, reproduce, seed } from './harness.js'

describe(`gossip membership simulation (seed ${seed})`, () => {
  it('5 nodes converge, detect a crash, and refute nothing wrongly', () => {
    const cluster = buildCluster(5)
    check(cluster.run(10_000, () => cluster.converged()), 'five nodes did not converge in 10 s')
    cluster.crash('n3')
    const crashAt = cluster.nowMs
    check(cluster.run(30_000, () => cluster.converged()), 'n3 was not declared failed by every live node in 30 s')
    const detectS = (cluster.nowMs - crashAt) / 1000
    console.log(`5 nodes: crash detected by all in ${detectS.toFixed(1)} s`)
    for (const n of cluster.liveNodes()) check(cluster.statusOf(n.name, 'n3') === 'failed', `${n.name} does not see n3 failed`)
    check(cluster.liveNodes().every((n) => n.failedEvents === 1), 'a live node was declared failed')
  })

  it('a partitioned minority is declared failed, then rejoins and converges after the heal', () => {
    const cluster = buildCluster(8)
    check(cluster.run(10_000, () => cluster.converged()), 'eight nodes did not converge')
    cluster.partition([['n0', 'n1', 'n2', 'n3', 'n4'], ['n5', 'n6', 'n7']])
    cluster.run(30_000)
    check(cluster.statusOf('n0', 'n6') === 'failed', 'the majority did not mark the minority failed')
    check(cluster.statusOf('n6', 'n0') === 'failed', 'the minority did not mark the majority failed')
    cluster.heal()
    // Failed members are still gossiped to for a while and pushed-pulled: the halves find each other.
    const healed = cluster.run(120_000, () => cluster.converged())
    check(healed, `the partition did not heal within 120 s`)
    expect(cluster.converged()).toBe(true)
  })

  it('20% loss: a crash is still detected, and live nodes are rarely declared dead', () => {
    const cluster = buildCluster(20, { lossRate: 0 })
    check(cluster.run(20_000, () => cluster.converged()), 'twenty nodes did not converge')
    cluster.lossRate = 0.2
    const before = cluster.liveNodes().reduce((sum, n) => sum + n.failedEvents, 0)
    cluster.crash('n7')
    cluster.run(120_000)
    const falseFailed = cluster.liveNodes().reduce((sum, n) => sum + n.failedEvents, 0) - before - (cluster.liveNodes().length)
    const observations = cluster.liveNodes().length * (cluster.liveNodes().length - 1)
    console.log(`20% loss, 20 nodes, 120 s: false failure declarations ${Math.max(0, falseFailed)} over ${observations} observer/subject pairs`)
    for (const n of cluster.liveNodes()) check(cluster.statusOf(n.name, 'n7') === 'failed', `${n.name} does not see crashed n7 failed under loss`)
    check(falseFailed <= 0, `${falseFailed} live-node failures declared under 20% loss`)
    cluster.lossRate = 0
    check(cluster.run(60_000, () => cluster.converged()), 'did not reconverge after loss ended')
  })

  it('one slow node (400 ms each way) is not declared dead', () => {
    const cluster = buildCluster(10)
    check(cluster.run(10_000, () => cluster.converged()), 'ten nodes did not converge')
    cluster.node('n4').slowMs = 400
    cluster.run(60_000)
    for (const n of cluster.liveNodes()) check(cluster.statusOf(n.name, 'n4') === 'alive', `${n.name} sees slow n4 as ${cluster.statusOf(n.name, 'n4')}`)
    console.log(`slow node awareness score: ${cluster.node('n4').core.stats().awareness}`)
  })

  it('a restarted node refutes its old death and is alive again everywhere', () => {
    const cluster = buildCluster(6)
    check(cluster.run(10_000, () => cluster.converged()), 'six nodes did not converge')
    cluster.crash('n2')
    check(cluster.run(30_000, () => cluster.converged()), 'crash of n2 not detected')
    cluster.addNode('n2', 'n0')
    check(cluster.run(30_000, () => cluster.converged()), 'restarted n2 did not become alive everywhere')
    check(cluster.node('n2').core.stats().incarnation > 0, 'n2 did not refute with a higher incarnation')
  })

  it('a user event reaches every node once, ordered by Lamport time', () => {
    const cluster = buildCluster(12, { lossRate: 0.1 })
    check(cluster.run(20_000, () => cluster.converged()), 'twelve nodes did not converge')
    const a = cluster.fireUserEvent('n1', 'deploy')
    const b = cluster.fireUserEvent('n9', 'deploy')
    cluster.run(5_000)
    for (const n of cluster.liveNodes()) {
      const ids = n.core.events.recent.map((e) => e.id)
      check(ids.includes(a.id) && ids.includes(b.id), `${n.name} missed a user event`)
      check(new Set(ids).size === ids.length, `${n.name} holds a duplicate event`)
    }
    expect(reproduce).toContain('ZX_SEED')
  })

  it('uses LAN timings', () => {
    expect(lan.probeIntervalMs).toBe(1000)
  })
})
