/**
 * agent/ui/app/views/nodes.tsx: every node: catalog nodes joined with gossip members
 * (/v1/agent/members, polled: Consul does not block on it) so a node that only gossips, or one
 * that failed, still shows. Columns: name with leader and server/client badges, address,
 * gossip status, serfHealth and other checks, services on it.
 */
import { useEffect, useState } from 'preact/hooks'
import { dcPath, getJson, useBlocking, usePoll } from '../http.js'
import { Badge, ErrorBanner, HealthCounts, Loading, PageHeader, StatusBadge } from '../components.js'
import { Link } from '../router.js'
import { appConfig } from '../config.js'
import { checksByNode, memberStatusName, summarize, type HealthCheckLike } from '../../lab/health.js'

/** AgentMember is the part of /v1/agent/members the views read. */
export interface AgentMember { Name: string; Addr: string; Port: number; Status: number; Tags: Record<string, string> }
interface CatalogNode { Node: string; Address: string }
interface RaftConfiguration { Servers: { Node: string; Address: string; Leader: boolean; Voter: boolean }[] }
interface Check extends HealthCheckLike { Name: string; Output: string }

/** useLeaderName follows which node leads Raft (operator configuration, else status/leader). */
export function useLeaderName(dc: string, members: AgentMember[] | undefined): { leader: string | undefined; voters: Set<string> } {
  const config = usePoll<RaftConfiguration>(dcPath('/v1/operator/raft/configuration', dc), appConfig.membersPollMs)
  const fromConfig = config.data?.Servers?.find((s) => s.Leader)?.Node
  // /v1/status/leader is only asked while the configuration names no leader.
  const status = usePoll<string>(fromConfig && fromConfig !== '(unknown)' ? undefined : dcPath('/v1/status/leader', dc), appConfig.membersPollMs)
  const voters = new Set((config.data?.Servers ?? []).filter((s) => s.Voter).map((s) => s.Node))
  if (fromConfig && fromConfig !== '(unknown)') return { leader: fromConfig, voters }
  const address = status.data ?? ''
  const byAddr = members?.find((m) => `${m.Addr}:${m.Tags.port ?? '8300'}` === address)
  return { leader: byAddr?.Name, voters }
}

/** NodesView lists every node with its gossip status, health and services. */
export function NodesView(props: { dc: string }) {
  const nodes = useBlocking<CatalogNode[] | null>(dcPath('/v1/catalog/nodes', props.dc))
  const checks = useBlocking<Check[] | null>(dcPath('/v1/health/state/any', props.dc))
  const services = useBlocking<Record<string, string[]> | null>(dcPath('/v1/catalog/services', props.dc))
  const members = usePoll<AgentMember[]>('/v1/agent/members', appConfig.membersPollMs)
  const { leader } = useLeaderName(props.dc, members.data)
  const [servicesByNode, setServicesByNode] = useState<Record<string, string[]>>({})

  useEffect(() => {
    if (!nodes.data) return
    const controller = new AbortController()
    void Promise.all(nodes.data.map(async (n) => {
      const r = await getJson<{ Services: Record<string, { Service: string }> } | null>(dcPath(`/v1/catalog/node/${encodeURIComponent(n.Node)}`, props.dc), controller.signal)
      return [n.Node, [...new Set(Object.values(r.data?.Services ?? {}).map((s) => s.Service))].sort()] as const
    })).then((pairs) => setServicesByNode(Object.fromEntries(pairs)), () => undefined)
    return () => controller.abort()
  }, [nodes.index, services.index, props.dc])

  const byNode = checksByNode(checks.data ?? [])
  const memberByName = new Map((members.data ?? []).map((m) => [m.Name, m]))
  const names = [...new Set([...(nodes.data ?? []).map((n) => n.Node), ...memberByName.keys()])].sort()
  const addressOf = new Map((nodes.data ?? []).map((n) => [n.Node, n.Address]))
  const loading = nodes.loading && members.loading
  return (
    <section aria-labelledby="nodes-title">
      <PageHeader title={<span id="nodes-title">Nodes <span class="count">{names.length || ''}</span></span>} />
      <ErrorBanner error={nodes.error ?? members.error} />
      {loading ? <Loading what="nodes" /> : (
        <div class="table-wrap">
          <table class="list" data-testid="nodes-table">
            <caption class="sr-only">Nodes, their gossip status, health checks and services</caption>
            <thead><tr><th scope="col">Node</th><th scope="col">Address</th><th scope="col">Gossip</th><th scope="col">serfHealth</th><th scope="col">Checks</th><th scope="col">Services</th></tr></thead>
            <tbody>
              {names.map((name) => {
                const m = memberByName.get(name)
                const nodeChecks = (byNode.get(name) ?? []) as Check[]
                const serf = nodeChecks.find((c) => c.CheckID === 'serfHealth')
                const others = nodeChecks.filter((c) => c.CheckID !== 'serfHealth')
                const gossip = m ? memberStatusName(m.Status) : 'unknown'
                const counts = summarize(others)
                return (
                  <tr key={name} data-node={name}>
                    <th scope="row">
                      <Link to={{ view: 'node', dc: props.dc, name }}>{name}</Link>{' '}
                      {name === leader ? <Badge tone="ok" title="Raft leader">leader</Badge> : null}{' '}
                      {m ? <Badge tone="info">{m.Tags.role === 'consul' ? 'server' : 'client'}</Badge> : null}
                    </th>
                    <td><code>{addressOf.get(name) ?? m?.Addr ?? '—'}</code></td>
                    <td data-testid="gossip-status"><StatusBadge status={gossip} /></td>
                    <td data-testid="serf-health">{serf ? <span title={serf.Output}><StatusBadge status={serf.Status} /></span> : <span class="muted">—</span>}</td>
                    <td><HealthCounts passing={counts.passing} warning={counts.warning} critical={counts.critical} /></td>
                    <td>{(servicesByNode[name] ?? []).map((s) => <Link key={s} class="tag-link" to={{ view: 'service', dc: props.dc, name: s }}>{s}</Link>)}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
