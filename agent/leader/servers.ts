/**
 * agent/leader/servers.ts: the servers of this datacenter as LAN gossip shows them, read from
 * the tags every server sets (role=consul, dc, id, port, expect, bootstrap).
 */
import type { GossipPool, Member } from '../gossip/api.js'

/** ServerMember is a gossip member that is a server of our datacenter. */
export interface ServerMember {
  name: string
  id: string
  /** address is host:port of its server RPC listener. */
  address: string
  status: Member['status']
  expect: number
  bootstrap: boolean
}

/** serverMembers lists the servers of `dc` known to the pool. */
export function serverMembers(lan: GossipPool | undefined, dc: string): ServerMember[] {
  const out: ServerMember[] = []
  for (const member of lan?.members() ?? []) {
    const tags = member.tags
    if (tags.role !== 'consul' || tags.dc !== dc || tags.id === undefined || tags.port === undefined) continue
    out.push({
      name: member.name,
      id: tags.id,
      address: `${member.addr}:${tags.port}`,
      status: member.status,
      expect: Number(tags.expect ?? 0) || 0,
      bootstrap: tags.bootstrap === '1',
    })
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** isAlive tells whether a member counts as up (suspect members still answer). */
export function isAlive(status: Member['status']): boolean {
  return status === 'alive' || status === 'suspect'
}

/** quorum is the majority of n voters. */
export function quorum(voters: number): number {
  return Math.floor(voters / 2) + 1
}
