/**
 * agent/ui/app/views/node.tsx: one node: address, gossip status and tags, its checks with
 * output, its service instances, and its sessions (lock holders) with an Invalidate button.
 */
import { useState } from 'preact/hooks'
import { dcPath, describeError, send, useBlocking, usePoll } from '../http.js'
import { Badge, ErrorBanner, Loading, PageHeader, StatusBadge } from '../components.js'
import { Link } from '../router.js'
import { appConfig } from '../config.js'
import { memberStatusName } from '../../lab/health.js'
import type { AgentMember } from './nodes.js'

interface NodeInfo {
  Node: { Node: string; Address: string; ID?: string; Meta?: Record<string, string> }
  Services: Record<string, { ID: string; Service: string; Port: number; Address: string; Tags: string[] | null }>
}
interface Check { CheckID: string; Name: string; Status: string; Output: string; ServiceName: string; Type?: string }
interface Session { ID: string; Name: string; Behavior: string; TTL: string; LockDelay: number; CreateIndex: number; NodeChecks?: string[] | null; Checks?: string[] | null }

/** NodeView shows one node's facts, checks, services and sessions. */
export function NodeView(props: { dc: string; name: string }) {
  const enc = encodeURIComponent(props.name)
  const info = useBlocking<NodeInfo | null>(dcPath(`/v1/catalog/node/${enc}`, props.dc))
  const checks = useBlocking<Check[] | null>(dcPath(`/v1/health/node/${enc}`, props.dc))
  const sessions = useBlocking<Session[] | null>(dcPath(`/v1/session/node/${enc}`, props.dc))
  const members = usePoll<AgentMember[]>('/v1/agent/members', appConfig.membersPollMs)
  const member = members.data?.find((m) => m.Name === props.name)
  const [actionError, setActionError] = useState<string | undefined>(undefined)

  const invalidate = async (id: string) => {
    try {
      await send('PUT', dcPath(`/v1/session/destroy/${encodeURIComponent(id)}`, props.dc))
      setActionError(undefined)
    } catch (e) {
      setActionError(describeError(e))
    }
  }
  const services = Object.values(info.data?.Services ?? {})
  return (
    <section aria-labelledby="node-title">
      <nav class="crumbs" aria-label="Breadcrumb"><Link to={{ view: 'nodes', dc: props.dc }}>Nodes</Link> /</nav>
      <PageHeader title={<span id="node-title">{props.name}</span>}>
        {member ? <StatusBadge status={memberStatusName(member.Status)} /> : null}
        {member ? <Badge tone="info">{member.Tags.role === 'consul' ? 'server' : 'client'}</Badge> : null}
      </PageHeader>
      <ErrorBanner error={info.error ?? checks.error ?? actionError} />
      {info.loading ? <Loading what="node" /> : (
        <dl class="facts">
          <dt>Address</dt><dd><code>{info.data?.Node.Address ?? member?.Addr ?? '—'}</code></dd>
          <dt>ID</dt><dd><code>{info.data?.Node.ID ?? member?.Tags.id ?? '—'}</code></dd>
          {member ? <><dt>Gossip</dt><dd><code>{member.Addr}:{member.Port}</code></dd></> : null}
          {member ? <><dt>Tags</dt><dd class="tags">{Object.entries(member.Tags).sort().map(([k, v]) => <Badge key={k} tone="muted">{k}={v}</Badge>)}</dd></> : null}
        </dl>
      )}
      <h2>Health checks</h2>
      <ul class="checks" data-testid="node-checks">
        {(checks.data ?? []).map((c) => (
          <li key={c.CheckID}>
            <StatusBadge status={c.Status} /> <strong>{c.Name}</strong> <span class="muted">{c.CheckID}{c.ServiceName ? ` · ${c.ServiceName}` : ''}</span>
            {c.Output ? <pre class="output">{c.Output}</pre> : null}
          </li>
        ))}
        {checks.data && checks.data.length === 0 ? <li class="muted">No checks.</li> : null}
      </ul>
      <h2>Service instances</h2>
      {services.length === 0 ? <p class="muted">No services on this node.</p> : (
        <div class="table-wrap"><table class="list">
          <thead><tr><th scope="col">Service</th><th scope="col">ID</th><th scope="col">Address</th><th scope="col">Tags</th></tr></thead>
          <tbody>
            {services.map((s) => (
              <tr key={s.ID}>
                <th scope="row"><Link to={{ view: 'service', dc: props.dc, name: s.Service }}>{s.Service}</Link></th>
                <td>{s.ID}</td>
                <td><code>{s.Address || info.data?.Node.Address}:{s.Port}</code></td>
                <td>{(s.Tags ?? []).map((t) => <Badge key={t} tone="muted">{t}</Badge>)}</td>
              </tr>
            ))}
          </tbody>
        </table></div>
      )}
      <h2>Lock sessions</h2>
      {(sessions.data ?? []).length === 0 ? <p class="muted">No sessions on this node.</p> : (
        <div class="table-wrap"><table class="list" data-testid="sessions">
          <thead><tr><th scope="col">Name</th><th scope="col">ID</th><th scope="col">Behavior</th><th scope="col">TTL</th><th scope="col">Lock delay</th><th scope="col">Checks</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {(sessions.data ?? []).map((s) => (
              <tr key={s.ID}>
                <th scope="row">{s.Name || '—'}</th>
                <td><code>{s.ID}</code></td>
                <td>{s.Behavior}</td>
                <td>{s.TTL || '—'}</td>
                <td>{Math.round(s.LockDelay / 1e9)} s</td>
                <td>{(s.NodeChecks ?? s.Checks ?? []).join(', ') || '—'}</td>
                <td><button type="button" class="danger" onClick={() => void invalidate(s.ID)}>Invalidate<span class="sr-only"> session {s.ID}</span></button></td>
              </tr>
            ))}
          </tbody>
        </table></div>
      )}
    </section>
  )
}
