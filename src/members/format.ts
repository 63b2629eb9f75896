/**
 * src/members/format.ts: `zx members` and `zx raft list-peers` output, columnized like
 * Consul's (consul-facts.md §5): members sorted servers first then by name, Type from the
 * `role` tag, Build from `build` up to ':', Protocol from `vsn`.
 */
import type { AgentMember, RaftServer } from '../api/types.js'
import { columns } from '../format/table.js'

/** memberStatus names Serf's numeric member status (0 none … 4 failed). */
export function memberStatus(status: number | string): string {
  if (typeof status === 'string') return status
  switch (status) {
    case 1: return 'alive'
    case 2: return 'leaving'
    case 3: return 'left'
    case 4: return 'failed'
    default: return 'none'
  }
}

/** memberType reads server/client from the `role` tag. */
export function memberType(member: AgentMember): string {
  const role = member.Tags?.role
  if (role === 'consul') return 'server'
  if (role === 'node') return 'client'
  return role ?? 'unknown'
}

/** sortMembers orders servers first, then by name. */
export function sortMembers(members: AgentMember[]): AgentMember[] {
  return [...members].sort((a, b) => {
    const ta = memberType(a) === 'server' ? 0 : 1
    const tb = memberType(b) === 'server' ? 0 : 1
    return ta !== tb ? ta - tb : a.Name.localeCompare(b.Name)
  })
}

/** membersTable renders members like `consul members` (or `-detailed`). */
export function membersTable(members: AgentMember[], detailed: boolean): string {
  const sorted = sortMembers(members)
  if (detailed) {
    return columns(['Node', 'Address', 'Status', 'Tags'], sorted.map((m) => [
      m.Name, `${m.Addr}:${m.Port}`, memberStatus(m.Status),
      Object.keys(m.Tags ?? {}).sort().map((k) => `${k}=${m.Tags[k]}`).join(','),
    ]))
  }
  return columns(['Node', 'Address', 'Status', 'Type', 'Build', 'Protocol', 'DC', 'Partition', 'Segment'], sorted.map((m) => {
    const server = memberType(m) === 'server'
    return [
      m.Name, `${m.Addr}:${m.Port}`, memberStatus(m.Status), memberType(m), (m.Tags?.build ?? '').split(':')[0] ?? '',
      m.Tags?.vsn ?? String(m.ProtocolCur ?? ''), m.Tags?.dc ?? '', 'default', server ? '<all>' : (m.Tags?.segment || '<default>'),
    ]
  }))
}

/** peersTable renders raft servers like `consul operator raft list-peers`. */
export function peersTable(servers: RaftServer[]): string {
  return columns(['Node', 'ID', 'Address', 'State', 'Voter', 'RaftProtocol'], servers.map((s) => [
    s.Node, s.ID, s.Address, s.Leader ? 'leader' : 'follower', String(s.Voter), s.ProtocolVersion,
  ]))
}

/** findServer finds a raft server by node name, ID or address. */
export function findServer(servers: RaftServer[], target: string): RaftServer | undefined {
  return servers.find((s) => s.Node === target) ?? servers.find((s) => s.ID === target) ?? servers.find((s) => s.Address === target)
}
