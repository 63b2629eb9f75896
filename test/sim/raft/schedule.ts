/**
 * test/sim/raft/schedule.ts: one random schedule — a short run of a 3- or 5-server cluster under
 * a seeded nemesis (drops, duplicates, delays, symmetric and one-way partitions, crashes that
 * lose unsynced writes, restarts, membership changes, leadership transfers, snapshots with
 * compaction) while clients read and write. Every step runs the safety checkers; the end heals
 * everything, requires the cluster to converge (no acknowledged data lost), and checks that the
 * client history is linearizable. Everything derives from the seed, so a failure replays.
 */
import { isZxError } from '../../../agent/errors.js'
import type { ConfChange } from '../../../agent/raft/core/types.js'
import { Xoshiro128, type Prng } from '../../../agent/util/prng.js'
import { checkLinearizable, describeOperation, registerModel } from '../../../src/verify/linearizability.js'
import { SimCluster } from './cluster.js'
import { noFaults } from './network.js'

/** ScheduleStats are the figures one schedule reports. */
export interface ScheduleStats {
  seed: number
  voters: number
  ops: number
  okOps: number
  applied: number
  crashes: number
  elections: number
  /** digest hashes the client history and every server's final state: equal seeds, equal digests. */
  digest: number
}

/** ScheduleFailure carries the seed and the tail of the trace of a failed schedule. */
export class ScheduleFailure extends Error {
  constructor(readonly seed: number, message: string, readonly trace: string[]) {
    super(`${message}\n  trace tail:\n    ${trace.slice(-15).join('\n    ')}\nreproduce: ZX_SEED=${seed} npm run test:sim`)
    this.name = 'ScheduleFailure'
  }
}

/** buildCluster picks a schedule's cluster shape and fault rates from its seed. */
export function buildCluster(seed: number): SimCluster {
  const p = new Xoshiro128(seed ^ 0x5bd1e995)
  const pick = <T>(xs: T[]): T => xs[p.int(xs.length)]!
  return new SimCluster({
    seed,
    voters: p.next() < 0.7 ? 3 : 5,
    spares: p.next() < 0.4 ? 1 : 0,
    raft: {
      preVote: p.next() < 0.85,
      checkQuorum: p.next() < 0.7,
      maxInflight: 1 + p.int(4),
      maxBatchBytes: pick([64, 256, 4096]),
    },
    faults: { dropRate: pick([0, 0.02, 0.1]), duplicateRate: pick([0, 0.03]), delayTicksMax: pick([0, 1, 3]) },
    crashBeforeSyncRate: p.next() < 0.3 ? 0.01 : 0,
    snapshotEntries: p.next() < 0.5 ? 8 + p.int(20) : 1_000_000,
    clients: 2 + p.int(4),
  })
}

/** nemesis maybe injects one fault this tick. */
function nemesis(c: SimCluster, rng: Prng): void {
  const r = rng.next()
  const up = c.ids.filter((id) => c.node(id).up)
  const down = c.ids.filter((id) => !c.node(id).up)
  const any = (xs: string[]): string | undefined => (xs.length === 0 ? undefined : xs[rng.int(xs.length)])
  if (r < 0.015) {
    const id = any(up)
    if (id) c.crash(id)
  } else if (r < 0.04) {
    const id = any(down)
    if (id) c.restart(id)
  } else if (r < 0.05) {
    const groups: string[][] = [[], []]
    for (const id of c.ids) groups[rng.int(2)]!.push(id)
    c.net.partition(groups)
    c.trace.push(`${c.now}: partition ${groups.map((g) => g.join(',')).join(' | ')}`)
  } else if (r < 0.055) {
    const a = any(c.ids)!
    const b = any(c.ids)!
    if (a !== b) c.net.cutOneWay(a, b)
    c.trace.push(`${c.now}: cut ${a}>${b}`)
  } else if (r < 0.062) {
    const leader = c.leader()
    if (leader) {
      c.net.isolate(leader.id, c.ids)
      c.trace.push(`${c.now}: isolate leader ${leader.id}`)
    }
  } else if (r < 0.08) {
    c.net.heal()
    c.trace.push(`${c.now}: heal`)
  } else if (r < 0.087) {
    changeMembership(c, rng)
  } else if (r < 0.091) {
    const leader = c.leader()
    const to = leader ? any(leader.conf().voters) : undefined
    if (leader && to) {
      try {
        leader.transferLeadership(to)
        c.trace.push(`${c.now}: transfer ${leader.id} → ${to}`)
        c.node(leader.id).drain()
      } catch (error) {
        if (!isZxError(error)) throw error
      }
    }
  }
}

function changeMembership(c: SimCluster, rng: Prng): void {
  const leader = c.leader()
  if (!leader) return
  const conf = leader.conf()
  const outsiders = c.ids.filter((id) => !conf.voters.includes(id) && !conf.learners.includes(id))
  let change: ConfChange
  const r = rng.next()
  if (r < 0.3 && outsiders.length > 0) {
    const id = outsiders[rng.int(outsiders.length)]!
    change = { type: 'add-learner', id, address: `${id}:8300` }
  } else if (r < 0.6 && (conf.learners.length > 0 || outsiders.length > 0)) {
    const pool = conf.learners.length > 0 ? conf.learners : outsiders
    const id = pool[rng.int(pool.length)]!
    change = { type: 'add-voter', id, address: `${id}:8300` }
  } else if (conf.voters.length > 2) {
    change = { type: 'remove', id: conf.voters[rng.int(conf.voters.length)]! }
  } else {
    return
  }
  try {
    leader.proposeConfChange(change)
    c.trace.push(`${c.now}: ${leader.id} proposes ${change.type} ${change.id}`)
    c.node(leader.id).drain()
  } catch (error) {
    if (!isZxError(error, 'ZX_ERR_MEMBERSHIP') && !isZxError(error, 'ZX_ERR_NOT_LEADER')) throw error
  }
}

/**
 * stopRemovedServers shuts down running servers outside a leader's committed configuration.
 * Without pre-vote and check-quorum nothing stops a removed server from disrupting elections
 * forever (dissertation §4.2.3), so an operator must stop it; with either on, it keeps running.
 */
function stopRemovedServers(c: SimCluster): void {
  const leader = c.leader()
  if (!leader || leader.pendingConfIndex > leader.log.committed) return
  const conf = leader.conf()
  for (const id of c.ids) {
    if (c.node(id).up && !conf.voters.includes(id) && !conf.learners.includes(id)) c.crash(id)
  }
}

/** converge heals the world and waits until every member applied the leader's commit index. */
function converge(c: SimCluster, maxTicks: number): void {
  c.net.heal()
  c.net.faults = noFaults
  c.clientsEnabled = false
  c.hooks.crashBeforeSyncRate = 0
  c.recording = true
  for (const id of c.ids) c.restart(id)
  const raft = c.node(c.ids[0]!).config
  const unprotected = !raft.preVote && !raft.checkQuorum
  for (let k = 0; k < maxTicks; k++) {
    c.tick()
    if (unprotected) stopRemovedServers(c)
    const leader = c.leader()
    if (!leader || !leader.committedInTerm() || c.leaders().length !== 1) continue
    const conf = leader.conf()
    const members = [...conf.voters, ...conf.learners]
    const done = members.every((id) => {
      const n = c.node(id)
      return n.core !== undefined && n.fsm.appliedIndex === leader.log.committed && n.core.log.committed === leader.log.committed
    })
    if (done && leader.log.committed === leader.log.lastIndex()) return
  }
  const states = c.ids.map((id) => {
    const core = c.node(id).core
    return core ? `${id}:${core.role}/t${core.term}/c${core.log.committed}/l${core.log.lastIndex()}/a${c.node(id).fsm.appliedIndex}` : `${id}:down`
  })
  const l = c.leader()
  const progress = l ? JSON.stringify(l.status().progress) + ' conf ' + JSON.stringify(l.conf())
    : c.ids.map((id) => {
      const core = c.node(id).core
      return core ? `${id} voters=${core.conf().voters.join(',')} vote=${core.vote} lead=${core.leaderId} el=${core.electionElapsed}/${core.randomizedElectionTimeout}` : ''
    }).join('; ')
  const events = c.transcript.slice(-20).join('\n    ')
  throw new Error(`no convergence after healing for ${maxTicks} ticks: ${states.join(' ')} ${progress}\n  last events:\n    ${events}`)
}

function digest(c: SimCluster): number {
  const text = JSON.stringify(c.history) + c.trace.join('|') + c.ids.map((id) => c.node(id).fsm.hash).join(',')
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0
  return h
}

/** runSchedule runs one seeded schedule; it throws ScheduleFailure on any violation. */
export function runSchedule(seed: number, ticks = 200): ScheduleStats {
  const c = buildCluster(seed)
  const nemesisRng = new Xoshiro128(seed ^ 0x27d4eb2f)
  try {
    for (let t = 0; t < ticks; t++) {
      nemesis(c, nemesisRng)
      c.tick()
      if (t % 25 === 24) c.checkLogs()
    }
    converge(c, 400)
    c.checkLogs()
    const history = c.completedHistory()
    const result = checkLinearizable(registerModel, history, { maxSteps: 2_000_000 })
    if (result.valid === false) {
      throw new Error(`history not linearizable on key ${result.partition}:\n    ${result.offending.map(describeOperation).join('\n    ')}`)
    }
    if (result.valid === 'unknown') throw new Error(`linearizability check gave up: ${result.reason}`)
    let crashes = 0
    for (const n of c.nodes.values()) crashes += n.crashes
    return {
      seed, voters: c.options.voters, ops: history.length, okOps: history.filter((o) => o.ret !== Infinity).length,
      applied: c.checker.appliedCount(), crashes, elections: c.leader()?.term ?? 0, digest: digest(c),
    }
  } catch (error) {
    if (error instanceof ScheduleFailure) throw error
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    throw new ScheduleFailure(seed, message, c.trace)
  }
}
