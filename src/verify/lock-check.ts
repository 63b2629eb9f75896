/**
 * src/verify/lock-check.ts: `zx verify --mode lock`. N independent holders (each with its own
 * ApiClient, agent and session) repeatedly take the same key through `withLock`, hold it for a
 * moment and record who held it, under which session and LockIndex, and from when to when.
 * Afterwards any two critical sections of different holders that overlap in time are reported.
 *
 * What counts as "held": a section starts when withLock hands over the lock and ends when the
 * action finishes (before the release is sent) or, if the `lost` signal fired, at the moment the
 * holder detected the loss. A holder can learn of its loss late (its session was invalidated on
 * the servers before its monitor noticed), so only overlaps where BOTH holders still believed
 * they held the lock are violations. Consul locks are advisory: between a session's
 * invalidation and the holder noticing, another holder may enter; lock-delay (here short, so the
 * check sees many hand-overs) is the safety margin Consul gives against exactly that, and the
 * report shows the smallest gap seen after a loss so the margin can be judged.
 */
import { performance } from 'node:perf_hooks'
import { Agent } from 'undici'
import { ApiClient } from '../api/client.js'
import { withLock } from '../lock/with-lock.js'
import { runNemesis, type ClusterControl, type FaultKind, type NemesisEvent } from './nemesis.js'

/** LockRecord is one critical section as its holder saw it. */
export interface LockRecord {
  holder: number
  session: string
  /** lockIndex is the key's LockIndex read inside the section (undefined if that read failed). */
  lockIndex: number | undefined
  enterMs: number
  exitMs: number
  /** lost is true when the section ended because the holder detected the lock was lost. */
  lost: boolean
}

/** LockOverlap is a pair of sections of different holders that both believed they held the lock. */
export interface LockOverlap {
  a: LockRecord
  b: LockRecord
  overlapMs: number
}

/** findOverlaps returns every overlapping pair of sections held by different holders. */
export function findOverlaps(records: LockRecord[]): LockOverlap[] {
  const sorted = [...records].sort((x, y) => x.enterMs - y.enterMs)
  const overlaps: LockOverlap[] = []
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!
    for (let j = i + 1; j < sorted.length && sorted[j]!.enterMs < a.exitMs; j++) {
      const b = sorted[j]!
      if (b.holder === a.holder) continue
      overlaps.push({ a, b, overlapMs: Math.min(a.exitMs, b.exitMs) - b.enterMs })
    }
  }
  return overlaps
}

/** minGapAfterLoss is the shortest time from a lost section's end to the next entry (undefined if none). */
export function minGapAfterLoss(records: LockRecord[]): number | undefined {
  const sorted = [...records].sort((x, y) => x.enterMs - y.enterMs)
  let best: number | undefined
  for (const r of sorted) {
    if (!r.lost) continue
    const next = sorted.find((s) => s !== r && s.enterMs >= r.enterMs && s.holder !== r.holder)
    if (next !== undefined) best = Math.min(best ?? Infinity, next.enterMs - r.exitMs)
  }
  return best
}

/** describeRecord prints one section for a report. */
export function describeRecord(r: LockRecord): string {
  return `holder ${r.holder} session ${r.session.slice(0, 8)} LockIndex ${r.lockIndex ?? '?'} held ${r.enterMs.toFixed(1)}–${r.exitMs.toFixed(1)} ms${r.lost ? ' (lost)' : ''}`
}

/** LockCheckPlan is a resolved lock-check invocation. */
export interface LockCheckPlan {
  endpoints: string[]
  processes: number
  key: string
  durationMs: number
  holdMs: number
  /** lockDelay is the sessions' LockDelay (Go duration); short so hand-overs after loss are frequent. */
  lockDelay: string
  sessionTtl: string
  timeoutMs: number
  control: ClusterControl | undefined
  faults: FaultKind[]
  faultIntervalMs: number
  log: (line: string) => void
}

/** LockCheckReport is what a lock check found. */
export interface LockCheckReport {
  records: LockRecord[]
  overlaps: LockOverlap[]
  counts: { sections: number; lost: number; errors: number }
  minGapAfterLossMs: number | undefined
  nemesis: NemesisEvent[]
}

/** runLockCheck runs the holders (under the nemesis, if any) and checks their sections. */
export async function runLockCheck(plan: LockCheckPlan): Promise<LockCheckReport> {
  const t0 = performance.now()
  const now = (): number => Math.round((performance.now() - t0) * 1000) / 1000
  const records: LockRecord[] = []
  let errors = 0
  const nemesis = plan.control === undefined
    ? Promise.resolve<NemesisEvent[]>([])
    : runNemesis(plan.control, { faults: plan.faults, intervalMs: plan.faultIntervalMs, durationMs: plan.durationMs, log: plan.log })
  const dispatchers = Array.from({ length: plan.processes }, () => new Agent({ connections: 4 }))
  const holder = async (id: number): Promise<void> => {
    let turn = 0
    while (now() < plan.durationMs) {
      const endpoint = plan.endpoints[(id + turn++) % plan.endpoints.length]!
      const client = new ApiClient({ address: endpoint, timeoutMs: plan.timeoutMs, dispatcher: dispatchers[id]! })
      try {
        await withLock(client, plan.key, (lost) => holdSection(client, id, lost), {
          lockDelay: plan.lockDelay, sessionTtl: plan.sessionTtl, sessionName: sessionName(id),
          tryOnce: true, lockWaitMs: 2_000, lockRetryMs: 200, monitorRetries: 1, monitorRetryMs: 200,
        })
      } catch {
        errors += 1  // no leader, agent down, lock lost: try again through another agent
        await sleep(100)
      }
    }
  }
  const holdSection = async (client: ApiClient, id: number, lost: AbortSignal): Promise<void> => {
    const enterMs = now()
    let lostAt: number | undefined
    const onLost = (): void => { lostAt = now() }
    lost.addEventListener('abort', onLost, { once: true })
    if (lost.aborted) lostAt = enterMs
    const record: LockRecord = { holder: id, session: '', lockIndex: undefined, enterMs, exitMs: enterMs, lost: false }
    try {
      const pair = (await client.kv.get(plan.key)).value
      record.session = pair?.Session ?? '?'
      record.lockIndex = pair?.LockIndex
    } catch {
      // the section is still recorded; only its label is missing
    }
    await sleep(plan.holdMs, lost)
    lost.removeEventListener('abort', onLost)
    record.lost = lostAt !== undefined
    record.exitMs = lostAt ?? now()
    records.push(record)
    if (record.lost) await destroyHolderSessions(plan, sessionName(id), dispatchers[id]!)
  }
  await Promise.all([...Array.from({ length: plan.processes }, (_, i) => holder(i)), nemesis])
  await Promise.all(dispatchers.map((d) => d.destroy().catch(() => undefined)))
  const overlaps = findOverlaps(records)
  return {
    records, overlaps, minGapAfterLossMs: minGapAfterLoss(records), nemesis: await nemesis,
    counts: { sections: records.length, lost: records.filter((r) => r.lost).length, errors },
  }
}

/** sessionName names holder id's sessions so they can be found again after a loss. */
function sessionName(id: number): string { return `zx-verify-lock-${id}` }

/**
 * destroyHolderSessions ends every session of a holder that just lost its section. withLock
 * destroys a lost lock's session through the agent it was using, which may be the one just
 * killed; a leftover session whose agent comes back before gossip marks it failed keeps holding
 * the key until its TTL runs out twice over (Consul's grace), so nobody could take the lock for
 * ~20 s. A holder runs one section at a time, so at this moment every session bearing its name
 * is stale. Found by name because the section's own label read may have failed. Retried through
 * every agent (an election may be under way) for up to 15 s.
 */
async function destroyHolderSessions(plan: LockCheckPlan, name: string, dispatcher: Agent): Promise<void> {
  const deadline = performance.now() + 15_000
  for (let turn = 0; performance.now() < deadline; turn++) {
    const endpoint = plan.endpoints[turn % plan.endpoints.length]!
    const client = new ApiClient({ address: endpoint, timeoutMs: Math.min(plan.timeoutMs, 2_000), dispatcher })
    try {
      const mine = (await client.session.list()).filter((s) => s.Name === name)
      for (const s of mine) await client.session.destroy(s.ID)
      return
    } catch {
      await sleep(200)
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) { resolve(); return }
    const timer = setTimeout(done, ms)
    function done(): void { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve() }
    signal?.addEventListener('abort', done, { once: true })
  })
}
