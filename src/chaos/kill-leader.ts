/**
 * src/chaos/kill-leader.ts: `zx chaos kill-leader`, the seed's "stop the leader and watch the
 * re-election" step, measured. It finds the leader, kills its node through the runtime, then
 * polls the surviving servers until one reports a different leader (time to re-election) and
 * until a KV write through a survivor succeeds (time to the first successful write). Every
 * wait is bounded; without a quorum the answer is a clear ZX_ERR_NO_QUORUM, not a hang.
 */
import { ApiClient } from '../api/client.js'
import { LabError } from '../errors.js'
import { clientFor, findLeader } from '../cluster/health.js'
import type { NodePlan } from '../cluster/layout.js'
import type { Runtime, StopSignal } from '../runtime/types.js'
import { waitFor } from '../runtime/wait.js'

/** KillLeaderResult is what kill-leader measured. */
export interface KillLeaderResult {
  oldLeader: string
  newLeader: string
  newTerm: number | null
  electionMs: number
  firstWriteMs: number
}

/** killLeader kills the current leader and measures the recovery. */
export async function killLeader(runtime: Runtime, signal: StopSignal, timeoutMs: number, progress: (text: string) => void): Promise<KillLeaderResult> {
  const servers = (await runtime.status()).filter((s) => s.plan.role === 'server' && s.state === 'running').map((s) => s.plan)
  const old = await findLeader(servers)
  if (old === undefined) throw new LabError('ZX_ERR_NO_QUORUM', 'no quorum: no server reports a leader, so there is none to kill (zx cluster status)')
  const survivors = servers.filter((s) => s.name !== old.node)
  progress(`killing leader ${old.node} with SIG${signal}`)
  const started = Date.now()
  await runtime.kill(old.node, signal)
  let next: { node: string; address: string } | undefined
  const elected = await waitFor(async () => {
    next = await newLeader(survivors, old.address)
    return next !== undefined
  }, timeoutMs, 50)
  if (!elected || next === undefined) {
    throw new LabError('ZX_ERR_NO_QUORUM', `no quorum: no new leader within ${Math.round(timeoutMs / 1000)} s after killing ${old.node} (${survivors.length} server(s) left)`)
  }
  const electionMs = Date.now() - started
  progress(`new leader ${next.node}; waiting for a write to succeed`)
  const key = `zx/chaos/kill-leader/${started}`
  const wrote = await waitFor(async () => writeThrough(survivors, key), timeoutMs, 50)
  if (!wrote) throw new LabError('ZX_ERR_NO_QUORUM', `no quorum: a leader was elected but no write succeeded within ${Math.round(timeoutMs / 1000)} s`)
  const firstWriteMs = Date.now() - started
  const info = await findLeader(survivors)
  return { oldLeader: old.node, newLeader: next.node, newTerm: info?.term ?? null, electionMs, firstWriteMs }
}

async function newLeader(survivors: NodePlan[], oldAddress: string): Promise<{ node: string; address: string } | undefined> {
  for (const node of survivors) {
    const address = await clientFor(node, 1_000).status.leader().catch(() => '')
    if (address === '' || address === oldAddress) continue
    const config = await clientFor(node, 1_000).operator.raftConfiguration({ stale: true }).catch(() => undefined)
    return { node: config?.Servers.find((s) => s.Address === address)?.Node ?? address, address }
  }
  return undefined
}

async function writeThrough(survivors: NodePlan[], key: string): Promise<boolean> {
  for (const node of survivors) {
    const api: ApiClient = clientFor(node, 3_000)
    if (await api.kv.put(key, String(Date.now())).catch(() => false)) return true
  }
  return false
}
