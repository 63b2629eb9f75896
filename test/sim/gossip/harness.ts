// Shared helpers for the gossip simulations: the seed (ZX_SEED or a fixed default), the
// reproduce line every failure must print, and a cluster builder that joins nodes one by one.
import { SimCluster, type SimClusterOptions } from '../../../agent/gossip/sim/cluster.js'
import { timingsFor, type GossipTimings } from '../../../agent/gossip/defaults.js'

/** seed is the run's seed: ZX_SEED if set, else a fixed default so CI is repeatable. */
export const seed = Number(process.env.ZX_SEED ?? 20261122)

/** reproduce is the line a failing simulation prints. */
export const reproduce = `reproduce: ZX_SEED=${seed} npm run test:sim`

/** check throws with the reproduce line when a condition fails. */
export function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`${what}\n${reproduce}`)
}

/** lan is the LAN timing profile the simulations run (memberlist's defaults). */
export const lan: GossipTimings = timingsFor('lan')

/** buildCluster starts n nodes, each joining through a random earlier node. */
export function buildCluster(n: number, options: Partial<SimClusterOptions> = {}, s = seed): SimCluster {
  const cluster = new SimCluster({ seed: s, timings: lan, ...options })
  cluster.addNode('n0')
  for (let i = 1; i < n; i++) {
    cluster.addNode(`n${i}`, `n${cluster.rng.int(i)}`)
    cluster.run(10)
  }
  return cluster
}

/**
 * rolloutCluster starts n nodes cold, as a real rollout would: `seeds` nodes first (each joining
 * the first), then the rest in batches of `batch` every `everyMs`, each joining through a random
 * seed (as `retry_join` with a short seed list). Nobody starts with a member list.
 */
export function rolloutCluster(n: number, seeds = 3, batch = 25, everyMs = 500, s = seed): SimCluster {
  const cluster = new SimCluster({ seed: s, timings: lan })
  cluster.addNode('n0')
  for (let i = 1; i < Math.min(seeds, n); i++) cluster.addNode(`n${i}`, 'n0')
  for (let i = seeds; i < n; i += batch) {
    cluster.run(everyMs)
    for (let j = i; j < Math.min(n, i + batch); j++) cluster.addNode(`n${j}`, `n${cluster.rng.int(seeds)}`)
  }
  return cluster
}
