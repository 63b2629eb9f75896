/**
 * src/verify/etcd-verify.ts: one `zx verify --target etcd` run — the etcd clients and the
 * kill-leader nemesis side by side, a quiet phase of final reads, then the same
 * linearizability check as for Consul (run-verify.ts does the same for the lab cluster).
 */
import { performance } from 'node:perf_hooks'
import { checkHistory } from './check.js'
import { runEtcdClients } from './etcd-clients.js'
import { HistoryRecorder, summarize } from './history.js'
import { runNemesis, type NemesisEvent } from './nemesis.js'
import { saveHistory, type VerifyPlan, type VerifyReport } from './run-verify.js'

/** runEtcdVerify runs the register workload against etcd under faults, then checks it. */
export async function runEtcdVerify(plan: VerifyPlan): Promise<VerifyReport> {
  const history = new HistoryRecorder()
  const t0 = performance.now()
  const now = (): number => Math.round((performance.now() - t0) * 1000) / 1000
  const nemesis = plan.control === undefined
    ? Promise.resolve<NemesisEvent[]>([])
    : runNemesis(plan.control, { faults: plan.faults, intervalMs: plan.faultIntervalMs, durationMs: plan.durationMs, log: plan.log })
  await Promise.all([runEtcdClients({ ...plan.clients, durationMs: plan.durationMs }, history, now), nemesis])
  plan.log('quiet phase: healed cluster, final reads')
  await runEtcdClients({ ...plan.clients, durationMs: plan.quiesceMs, processes: Math.min(plan.clients.processes, 4) }, history, now)
  const entries = history.all()
  if (plan.historyFile) await saveHistory(plan.historyFile, entries)
  plan.log(`checking ${entries.length} operations`)
  return { verdict: checkHistory(entries), counts: summarize(entries), nemesis: await nemesis, historyFile: plan.historyFile }
}
