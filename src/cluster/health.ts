/**
 * src/cluster/health.ts: reading a lab cluster's health through the agents' HTTP APIs: who
 * leads (and in which raft term, when the agent reports it), whether every member is alive.
 * `cluster up` and `chaos` poll these with deadlines; a node that does not answer counts as
 * not ready, never as an error that ends the wait early.
 */
import { ApiClient } from '../api/client.js'
import type { NodePlan } from './layout.js'
import { memberStatus } from '../members/format.js'
import { waitFor } from '../runtime/wait.js'
import { LabError } from '../errors.js'

/** clientFor builds a short-timeout client of one lab node. */
export function clientFor(node: NodePlan, timeoutMs = 1_500): ApiClient {
  return new ApiClient({ address: `http://127.0.0.1:${node.ports.http}`, timeoutMs })
}

/** LeaderInfo names the leader as one node sees it. */
export interface LeaderInfo {
  node: string
  address: string
  term: number | undefined
}

/** findLeader asks the given nodes (in order) who leads; undefined when nobody knows. */
export async function findLeader(nodes: NodePlan[], timeoutMs = 1_500): Promise<LeaderInfo | undefined> {
  for (const node of nodes) {
    const api = clientFor(node, timeoutMs)
    try {
      const address = await api.status.leader()
      if (address === '') continue
      const config = await api.operator.raftConfiguration({ stale: true }).catch(() => undefined)
      const server = config?.Servers.find((s) => s.Address === address) ?? config?.Servers.find((s) => s.Leader)
      return { node: server?.Node ?? address, address, term: await raftTerm(api) }
    } catch {
      continue
    }
  }
  return undefined
}

/** raftTerm reads the raft term from /v1/agent/self Stats when the agent reports it. */
async function raftTerm(api: ApiClient): Promise<number | undefined> {
  try {
    const self = (await api.agent.self()) as unknown as { Stats?: { raft?: { term?: string | number } } }
    const term = Number(self.Stats?.raft?.term)
    return Number.isFinite(term) ? term : undefined
  } catch {
    return undefined
  }
}

/** aliveMembers returns the names one node sees as alive. */
export async function aliveMembers(node: NodePlan): Promise<string[]> {
  const members = await clientFor(node).agent.members()
  return members.filter((m) => memberStatus(m.Status) === 'alive').map((m) => m.Name)
}

/** Healthy is the outcome of waitHealthy. */
export interface Healthy {
  leader: LeaderInfo
  elapsedMs: number
  /** leaderAt is when a leader was first seen (epoch ms); healthyAt when every member was alive. */
  leaderAt: number
  healthyAt: number
}

/** healthPollMs is how often waitHealthy asks: a refused or empty answer costs well under a millisecond. */
export const healthPollMs = 25

/** waitHealthy waits until a leader is elected and every node sees all the others alive; `guard` throws to end the wait early. */
export async function waitHealthy(nodes: NodePlan[], timeoutMs: number, onProgress: (text: string) => void = () => {}, guard: () => Promise<void> = async () => {}): Promise<Healthy> {
  const started = Date.now()
  let leader: LeaderInfo | undefined
  let leaderAt: number | undefined
  const servers = nodes.filter((n) => n.role === 'server')
  let guardError: unknown
  const done = await waitFor(async () => {
    // A node that died while we wait will not come back by itself: stop waiting and say so.
    try { await guard() } catch (error) { guardError = error; return true }
    leader = await findLeader(servers)
    if (leader === undefined) { onProgress('waiting for a leader to be elected'); return false }
    leaderAt ??= Date.now()
    for (const node of nodes) {
      const alive = await aliveMembers(node).catch((): string[] => [])
      const missing = nodes.filter((n) => !alive.includes(n.name)).map((n) => n.name)
      if (missing.length > 0) { onProgress(`leader ${leader.node}; ${node.name} does not yet see ${missing.join(', ')} alive`); return false }
    }
    return true
  }, timeoutMs, healthPollMs)
  if (guardError !== undefined) throw guardError
  const found = leader as LeaderInfo | undefined
  if (!done || found === undefined) {
    throw new LabError('ZX_ERR_TIMEOUT', `the cluster was not healthy within ${Math.round(timeoutMs / 1000)} s (${found === undefined ? 'no leader elected' : 'not every member alive'}); see zx cluster logs <node>`)
  }
  const healthyAt = Date.now()
  return { leader: found, elapsedMs: healthyAt - started, leaderAt: leaderAt ?? healthyAt, healthyAt }
}
