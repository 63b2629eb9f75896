// Goal: Raft stays safe (election safety, leader append-only, log matching, leader completeness,
// state machine safety), loses no acknowledged write, and serves a linearizable KV under
// thousands of random fault schedules.
// Method: each seed builds a 3- or 5-server cluster and a nemesis (drops, duplicates, delays,
// symmetric/one-way partitions, crashes losing unsynced writes, restarts, membership changes,
// transfers, snapshots + compaction), runs ~200 ticks with clients, heals, requires convergence
// and checks the history with the Wing–Gong/Lowe checker. A failure prints
// `reproduce: ZX_SEED=<seed> npm run test:sim`; ZX_SEED replays one seed, ZX_SIM_SCHEDULES
// raises the count for a soak, ZX_SIM_BASE shifts the seed range.
import { describe, expect, it } from 'vitest'
import { runSchedule, type ScheduleStats } from './schedule.js'

const single = process.env.ZX_SEED
const count = Number(process.env.ZX_SIM_SCHEDULES ?? 10_000)
const base = Number(process.env.ZX_SIM_BASE ?? 1)
const chunk = 1_000

function runRange(from: number, to: number): ScheduleStats[] {
  const out: ScheduleStats[] = []
  for (let seed = from; seed < to; seed++) out.push(runSchedule(seed))
  return out
}

describe('random fault schedules', () => {
  if (single !== undefined) {
    it(`replays seed ${single}`, () => {
      const stats = runSchedule(Number(single))
      console.log(JSON.stringify(stats))
      expect(stats.applied).toBeGreaterThan(0)
    })
    return
  }
  for (let from = base; from < base + count; from += chunk) {
    const to = Math.min(from + chunk, base + count)
    it(`seeds ${from}..${to - 1}`, () => {
      const stats = runRange(from, to)
      const okOps = stats.reduce((n, s) => n + s.okOps, 0)
      const crashes = stats.reduce((n, s) => n + s.crashes, 0)
      // The schedules must actually exercise things: completed client ops and crashes.
      expect(okOps).toBeGreaterThan((to - from) * 5)
      expect(crashes).toBeGreaterThan(to - from)
    })
  }
})

describe('reproducibility', () => {
  it('replays a seed exactly: same history, trace and final states', () => {
    const first = runSchedule(4242)
    const second = runSchedule(4242)
    expect(second).toEqual(first)
    expect(runSchedule(4243).digest).not.toBe(first.digest)
  })

  it('a failing schedule ends its message with the reproduce line', async () => {
    const { ScheduleFailure } = await import('./schedule.js')
    const failure = new ScheduleFailure(77, 'SafetyViolation: example', ['1: crash n1'])
    expect(failure.message.split('\n').pop()).toBe('reproduce: ZX_SEED=77 npm run test:sim')
  })
})
