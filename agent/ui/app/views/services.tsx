/**
 * agent/ui/app/views/services.tsx: the Services list: name, tags, instance count and health
 * (checks by status over all instances, node checks included, as Consul's UI counts them),
 * filterable by name and by worst status. Live: it follows /v1/catalog/services and
 * /v1/health/state/any as blocking queries and re-reads each service's health when either moves.
 */
import { useEffect, useState } from 'preact/hooks'
import { dcPath, describeError, getJson, useBlocking } from '../http.js'
import { Badge, ErrorBanner, HealthCounts, Loading, PageHeader, StatusBadge } from '../components.js'
import { Link } from '../router.js'
import { matchesFilter, summarizeService, type CheckStatus, type ServiceEntryLike, type ServiceSummary } from '../../lab/health.js'

/** ServicesView lists every service in the datacenter. */
export function ServicesView(props: { dc: string }) {
  const catalog = useBlocking<Record<string, string[]> | null>(dcPath('/v1/catalog/services', props.dc))
  const checks = useBlocking<unknown[] | null>(dcPath('/v1/health/state/any', props.dc))
  const [rows, setRows] = useState<(ServiceSummary & { tags: string[] })[] | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const [text, setText] = useState('')
  const [status, setStatus] = useState<CheckStatus | 'any'>('any')

  useEffect(() => {
    if (!catalog.data) return
    const controller = new AbortController()
    const names = Object.keys(catalog.data).sort()
    Promise.all(names.map(async (name) => {
      const r = await getJson<ServiceEntryLike[]>(dcPath(`/v1/health/service/${encodeURIComponent(name)}`, props.dc), controller.signal)
      return { ...summarizeService(name, r.data ?? []), tags: catalog.data![name] ?? [] }
    })).then((list) => { setRows(list); setError(undefined) }, (e) => { if (!controller.signal.aborted) setError(describeError(e)) })
    return () => controller.abort()
  }, [catalog.index, checks.index, catalog.data, props.dc])

  const visible = rows?.filter((r) => matchesFilter(r, text, status)) ?? []
  return (
    <section aria-labelledby="services-title">
      <PageHeader title={<span id="services-title">Services <span class="count">{rows ? rows.length : ''}</span></span>} />
      <ErrorBanner error={catalog.error ?? error} />
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>Search by name</span>
          <input type="search" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} placeholder="e.g. web" />
        </label>
        <label>
          <span>Health</span>
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as CheckStatus | 'any')}>
            <option value="any">All</option>
            <option value="passing">Passing</option>
            <option value="warning">Warning</option>
            <option value="critical">Critical</option>
          </select>
        </label>
      </form>
      {rows === undefined ? <Loading what="services" /> : (
        <div class="table-wrap">
          <table class="list" data-testid="services-table">
            <caption class="sr-only">Services and their health</caption>
            <thead><tr><th scope="col">Service</th><th scope="col">Health</th><th scope="col">Instances</th><th scope="col">Tags</th></tr></thead>
            <tbody>
              {visible.map((r) => (
                <tr key={r.name} data-service={r.name}>
                  <th scope="row"><StatusBadge status={r.worst} /> <Link to={{ view: 'service', dc: props.dc, name: r.name }}>{r.name}</Link></th>
                  <td data-testid="health"><HealthCounts passing={r.passing} warning={r.warning} critical={r.critical} /></td>
                  <td data-testid="instances">{r.instances}</td>
                  <td>{r.tags.map((t) => <Badge key={t} tone="muted">{t}</Badge>)}</td>
                </tr>
              ))}
              {visible.length === 0 ? <tr><td colSpan={4} class="muted">No services match.</td></tr> : null}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
