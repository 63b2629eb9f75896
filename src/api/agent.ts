/**
 * src/api/agent.ts: /v1/agent (the local agent's own view: gossip members, self, join, leave),
 * /v1/status (leader and peers) and /v1/operator/raft (the replicated peer set).
 */
import { type HttpTransport } from './http.js'
import { parseJson } from './json.js'
import { LabError } from '../errors.js'
import type { AgentMember, AgentSelf, RaftConfiguration } from './types.js'

/** AgentApi is the typed client of /v1/agent. */
export class AgentApi {
  constructor(private readonly http: HttpTransport) {}

  /** members lists the LAN (or WAN) gossip members this agent sees. */
  async members(options: { wan?: boolean } = {}): Promise<AgentMember[]> {
    const res = await this.http.send({ method: 'GET', path: '/v1/agent/members', query: { wan: options.wan } })
    const value = parseJson(res.body, 'agent members')
    if (!Array.isArray(value)) throw new LabError('ZX_ERR_BAD_RESPONSE', 'the agent sent a member list that is not an array')
    return value as AgentMember[]
  }

  /** self describes the agent answering. */
  async self(): Promise<AgentSelf> {
    const res = await this.http.send({ method: 'GET', path: '/v1/agent/self' })
    return parseJson(res.body, 'agent self') as AgentSelf
  }

  /** join asks the agent to gossip-join another agent's address. */
  async join(address: string, options: { wan?: boolean } = {}): Promise<void> {
    await this.http.send({ method: 'PUT', path: `/v1/agent/join/${encodeURIComponent(address)}`, query: { wan: options.wan } })
  }

  /** leave makes the agent leave the cluster gracefully and shut down. */
  async leave(): Promise<void> {
    await this.http.send({ method: 'PUT', path: '/v1/agent/leave', timeoutMs: 30_000 })
  }
}

/** StatusApi is the typed client of /v1/status. */
export class StatusApi {
  constructor(private readonly http: HttpTransport) {}

  /** leader returns the leader's RPC address, or '' when there is none. */
  async leader(): Promise<string> {
    const res = await this.http.send({ method: 'GET', path: '/v1/status/leader' })
    const value = parseJson(res.body, 'status leader')
    return typeof value === 'string' ? value : ''
  }

  /** peers returns the RPC addresses of the raft voters. */
  async peers(): Promise<string[]> {
    const res = await this.http.send({ method: 'GET', path: '/v1/status/peers' })
    const value = parseJson(res.body, 'status peers')
    return Array.isArray(value) ? (value as string[]) : []
  }
}

/** OperatorApi is the typed client of /v1/operator/raft. */
export class OperatorApi {
  constructor(private readonly http: HttpTransport) {}

  /** raftConfiguration reads the raft peer set (from the leader, or any server with stale). */
  async raftConfiguration(options: { stale?: boolean } = {}): Promise<RaftConfiguration> {
    const res = await this.http.send({ method: 'GET', path: '/v1/operator/raft/configuration', query: { stale: options.stale } })
    const value = parseJson(res.body, 'raft configuration') as RaftConfiguration
    if (!Array.isArray(value?.Servers)) throw new LabError('ZX_ERR_BAD_RESPONSE', 'the agent sent a raft configuration without Servers')
    return value
  }

  /** removePeer removes a server from the raft peer set by ID or address. */
  async removePeer(target: { id?: string; address?: string }): Promise<void> {
    await this.http.send({ method: 'DELETE', path: '/v1/operator/raft/peer', query: { id: target.id, address: target.address } })
  }

  /** transferLeader asks the leader to hand leadership to a server (random when no id). */
  async transferLeader(id?: string): Promise<void> {
    await this.http.send({ method: 'POST', path: '/v1/operator/raft/transfer-leader', query: { id } })
  }
}
