/**
 * src/verify/run-verify.ts: one `zx verify` run (lab cluster or etcd) — clients and nemesis side by side for the
 * chosen duration, then a quiet phase in which every key is read once more through a healed
 * cluster, then the linearizability check. The full history is saved as JSON so a violation
 * can be replayed through the checker (`zx verify --check <file>`).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { performance } from 'node:perf_hooks'
import { checkHistory, type VerifyVerdict } from './check.js'
import { runClients, type ClientOptions } from './clients.js'
import { HistoryRecorder, summarize, type HistoryEntry } from './history.js'
import { runNemesis, type ClusterControl, type FaultKind, type NemesisEvent } from './nemesis.js'

/** VerifyPlan is a resolved verify invocation. */
export interface VerifyPlan {
  clients: Omit<ClientOptions, 'durationMs'>
  durationMs: number
  control: ClusterControl | undefined
  faults: FaultKind[]
  faultIntervalMs: number
  /** quiesceMs is how long the final read phase lasts after healing. */
  quiesceMs: number
  historyFile: string | undefined
  log: (line: string) => void
}

/** VerifyReport is what a run found. */
export interface VerifyReport {
  verdict: VerifyVerdict
  counts: Record<string, number>
  nemesis: NemesisEvent[]
  historyFile: string | undefined
}

/** ClientRunner runs one client workload into a history (runClients for Consul, runEtcdClients for etcd). */
export type ClientRunner = (options: ClientOptions, history: HistoryRecorder, now: () => number) => Promise<void>

/** runVerify runs clients under faults, then checks the history. */
export async function runVerify(plan: VerifyPlan, clients: ClientRunner = runClients): Promise<VerifyReport> {
  const history = new HistoryRecorder()
  const t0 = performance.now()
  const now = (): number => Math.round((performance.now() - t0) * 1000) / 1000
  const nemesis = plan.control === undefined
    ? Promise.resolve<NemesisEvent[]>([])
    : runNemesis(plan.control, { faults: plan.faults, intervalMs: plan.faultIntervalMs, durationMs: plan.durationMs, log: plan.log })
  await Promise.all([clients({ ...plan.clients, durationMs: plan.durationMs }, history, now), nemesis])
  plan.log('quiet phase: healed cluster, final reads')
  await clients({ ...plan.clients, durationMs: plan.quiesceMs, processes: Math.min(plan.clients.processes, 4) }, history, now)
  const entries = history.all()
  if (plan.historyFile) await saveHistory(plan.historyFile, entries)
  plan.log(`checking ${entries.length} operations`)
  return { verdict: checkHistory(entries), counts: summarize(entries), nemesis: await nemesis, historyFile: plan.historyFile }
}

/** saveHistory writes a history as JSON (unknown completions as null). */
export async function saveHistory(file: string, entries: HistoryEntry[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, JSON.stringify(entries.map((e) => ({ ...e, completeMs: e.completeMs ?? null }))))
}

/** loadHistory reads a saved history back, validating its shape. */
export async function loadHistory(file: string): Promise<HistoryEntry[]> {
  const raw = JSON.parse(await readFile(file, 'utf8')) as unknown
  if (!Array.isArray(raw)) throw new Error(`${file}: not a verify history (expected a JSON array)`)
  return raw.map((e: Record<string, unknown>, i) => {
    const op = e.op as HistoryEntry['op'] | undefined
    if (typeof e.invokeMs !== 'number' || op === undefined || typeof op.key !== 'string') throw new Error(`${file}: entry ${i} is malformed`)
    return { id: i, process: Number(e.process), op, invokeMs: e.invokeMs, completeMs: typeof e.completeMs === 'number' ? e.completeMs : undefined, failed: e.failed === true }
  })
}
