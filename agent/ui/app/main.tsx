/**
 * agent/ui/app/main.tsx: the zx web UI's shell: top navigation (Consul's Services, Nodes,
 * Key/Value plus the lab's Raft and Gossip views), the datacenter picker, and the router switch.
 */
import { render } from 'preact'
import { useEffect } from 'preact/hooks'
import './styles.css'
import type { Route } from '../lab/routes.js'
import { assertNever } from '../../errors.js'
import { Link, navigate, useRoute } from './router.js'
import { getJson, usePoll } from './http.js'
import { ServicesView } from './views/services.js'
import { ServiceView } from './views/service.js'
import { NodesView } from './views/nodes.js'
import { NodeView } from './views/node.js'
import { KvView } from './views/kv.js'
import { RaftView } from './views/raft.js'
import { GossipView } from './views/gossip.js'

const sections = [
  { view: 'services', label: 'Services', match: ['services', 'service'] },
  { view: 'nodes', label: 'Nodes', match: ['nodes', 'node'] },
  { view: 'kv', label: 'Key/Value', match: ['kv'] },
  { view: 'raft', label: 'Raft', match: ['raft'] },
  { view: 'gossip', label: 'Gossip', match: ['gossip'] },
] as const

function sectionRoute(view: (typeof sections)[number]['view'], dc: string): Route {
  return view === 'kv' ? { view, dc, path: '' } : { view, dc }
}

function DcPicker(props: { route: Route & { dc: string } }) {
  const dcs = usePoll<string[]>('/v1/catalog/datacenters', 60_000)
  const list = dcs.data && dcs.data.length > 0 ? dcs.data : [props.route.dc]
  return (
    <label class="dc-picker">
      <span>Datacenter</span>
      <select value={props.route.dc} onChange={(e) => navigate({ ...props.route, dc: (e.target as HTMLSelectElement).value } as Route)}>
        {list.includes(props.route.dc) ? null : <option value={props.route.dc}>{props.route.dc}</option>}
        {list.map((dc) => <option key={dc} value={dc}>{dc}</option>)}
      </select>
    </label>
  )
}

function Root() {
  useEffect(() => {
    // Consul's /ui/ goes straight to the only datacenter's services.
    void getJson<string[]>('/v1/catalog/datacenters').then(
      (r) => navigate({ view: 'services', dc: r.data?.[0] ?? 'dc1' }, true),
      () => navigate({ view: 'services', dc: 'dc1' }, true),
    )
  }, [])
  return <p class="muted">Finding the datacenter…</p>
}

function Screen(props: { route: Route }) {
  const route = props.route
  switch (route.view) {
    case 'root': return <Root />
    case 'services': return <ServicesView dc={route.dc} />
    case 'service': return <ServiceView dc={route.dc} name={route.name} />
    case 'nodes': return <NodesView dc={route.dc} />
    case 'node': return <NodeView dc={route.dc} name={route.name} />
    case 'kv': return <KvView dc={route.dc} path={route.path} />
    case 'raft': return <RaftView dc={route.dc} />
    case 'gossip': return <GossipView dc={route.dc} />
    case 'notfound': return <p class="banner banner-error" role="alert">No such page: {route.path}</p>
    default: return assertNever(route)
  }
}

function App() {
  const route = useRoute()
  const dc = 'dc' in route && route.dc !== undefined ? route.dc : undefined
  useEffect(() => {
    const label = sections.find((s) => (s.match as readonly string[]).includes(route.view))?.label
    document.title = label ? `${label} — zx` : 'zx — Consul lab UI'
  }, [route.view])
  return (
    <>
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="topbar">
        <span class="brand" aria-label="zx">zx</span>
        {dc !== undefined ? (
          <nav aria-label="Main">
            <ul>
              {sections.map((s) => (
                <li key={s.view}>
                  <Link to={sectionRoute(s.view, dc)} aria-current={(s.match as readonly string[]).includes(route.view) ? 'page' : undefined}>{s.label}</Link>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        {dc !== undefined ? <DcPicker route={route as Route & { dc: string }} /> : null}
      </header>
      <main id="main" tabIndex={-1}>
        <Screen route={route} />
      </main>
    </>
  )
}

const root = document.getElementById('app')!
// The boot placeholder is plain HTML; Preact would keep it next to the app, so clear it first.
root.textContent = ''
render(<App />, root)
