/**
 * agent/ui/app/views/service.tsx: one service's instances (node, address:port, tags) with every
 * check (node and service) and its output, live from /v1/health/service/<name>.
 */
import { dcPath, useBlocking } from '../http.js'
import { Badge, ErrorBanner, HealthCounts, Loading, PageHeader, StatusBadge } from '../components.js'
import { Link } from '../router.js'
import { summarize, summarizeService } from '../../lab/health.js'

interface Entry {
  Node: { Node: string; Address: string }
  Service: { ID: string; Service: string; Tags: string[] | null; Address: string; Port: number }
  Checks: { Node: string; CheckID: string; Name: string; Status: string; Output: string; ServiceID: string; Type?: string }[]
}

/** ServiceView shows one service's instances and their checks. */
export function ServiceView(props: { dc: string; name: string }) {
  const live = useBlocking<Entry[] | null>(dcPath(`/v1/health/service/${encodeURIComponent(props.name)}`, props.dc))
  const entries = live.data ?? []
  const summary = summarizeService(props.name, entries)
  return (
    <section aria-labelledby="service-title">
      <nav class="crumbs" aria-label="Breadcrumb"><Link to={{ view: 'services', dc: props.dc }}>Services</Link> /</nav>
      <PageHeader title={<span id="service-title">{props.name}</span>}>
        <HealthCounts passing={summary.passing} warning={summary.warning} critical={summary.critical} />
      </PageHeader>
      <ErrorBanner error={live.error} />
      {live.loading ? <Loading what="instances" /> : entries.length === 0 ? <p class="muted">No instances of {props.name} are registered.</p> : (
        <ul class="cards" data-testid="instances">
          {entries.map((e) => {
            const worst = summarize(e.Checks).worst
            const address = `${e.Service.Address || e.Node.Address}:${e.Service.Port}`
            return (
              <li key={`${e.Node.Node}/${e.Service.ID}`} class="card">
                <h2><StatusBadge status={worst} /> {e.Service.ID}</h2>
                <dl class="facts">
                  <dt>Node</dt><dd><Link to={{ view: 'node', dc: props.dc, name: e.Node.Node }}>{e.Node.Node}</Link></dd>
                  <dt>Address</dt><dd><code>{address}</code></dd>
                  <dt>Tags</dt><dd>{(e.Service.Tags ?? []).length ? (e.Service.Tags ?? []).map((t) => <Badge key={t} tone="muted">{t}</Badge>) : '—'}</dd>
                </dl>
                <h3>Checks</h3>
                <ul class="checks">
                  {e.Checks.map((c) => (
                    <li key={c.CheckID}>
                      <StatusBadge status={c.Status} /> <strong>{c.Name}</strong> <span class="muted">{c.CheckID}{c.ServiceID ? '' : ' (node)'}{c.Type ? ` · ${c.Type}` : ''}</span>
                      {c.Output ? <pre class="output">{c.Output}</pre> : null}
                    </li>
                  ))}
                </ul>
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}
