/**
 * agent/ui/app/views/gossip.tsx: the gossip lab view. A matrix of membership as each node sees
 * it (status and incarnation per observer, from the /v1/zx/cluster/gossip fan-out), a live feed
 * of this agent's membership events (SSE), and for each change how long it took to reach every
 * live member, in ms and gossip rounds.
 */
import { useRef, useState } from 'preact/hooks'
import { useStream } from '../http.js'
import { Badge, ErrorBanner, Loading, PageHeader, StatusBadge, ago, clock } from '../components.js'
import { Link } from '../router.js'
import { appConfig } from '../config.js'
import { useCluster } from './cluster.js'
import { spreadRows, type Observation, type SpreadRow } from '../../lab/spread.js'
import type { ZxClusterEntry, ZxGossipEvent, ZxGossipResponse } from '../../lab/wire.js'

function Matrix(props: { dc: string; entries: ZxClusterEntry<ZxGossipResponse>[]; localNode: string | undefined }) {
  const views = new Map(props.entries.filter((e) => e.ok && e.data).map((e) => [e.node, e.data!]))
  const subjects = [...new Set([...props.entries.map((e) => e.node), ...[...views.values()].flatMap((v) => v.members.map((m) => m.name))])].sort()
  return (
    <div class="table-wrap">
      <table class="list matrix" data-testid="gossip-matrix">
        <thead>
          <tr>
            <th scope="col">Member</th>
            {props.entries.map((e) => <th key={e.node} scope="col">{e.node}{e.node === props.localNode ? ' (here)' : ''}{e.ok ? '' : <div><Badge tone="bad">unreachable</Badge></div>}</th>)}
          </tr>
        </thead>
        <tbody>
          {subjects.map((subject) => (
            <tr key={subject} data-member={subject}>
              <th scope="row"><Link to={{ view: 'node', dc: props.dc, name: subject }}>{subject}</Link></th>
              {props.entries.map((e) => {
                const m = views.get(e.node)?.members.find((x) => x.name === subject)
                return <td key={e.node} data-observer={e.node}>{m ? <><StatusBadge status={m.status} /> <span class="muted small">inc {m.incarnation}</span></> : <span class="muted">—</span>}</td>
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function SpreadTable(props: { rows: SpreadRow[] }) {
  if (props.rows.length === 0) return <p class="muted">No membership changes recorded yet.</p>
  return (
    <div class="table-wrap">
      <table class="list" data-testid="gossip-spread">
        <thead><tr><th scope="col">When</th><th scope="col">Change</th><th scope="col">First seen by</th><th scope="col">Reached</th><th scope="col">Spread</th><th scope="col">Rounds</th></tr></thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={`${r.member}-${r.type}-${r.incarnation}-${r.firstMs}`}>
              <td>{clock(r.firstMs)}</td>
              <th scope="row">{r.member} <StatusBadge status={r.type === 'leave' ? 'left' : r.type === 'join' ? 'alive' : r.type} /> <span class="muted small">inc {r.incarnation}</span></th>
              <td>{r.firstObserver}</td>
              <td>{r.reached.length}/{r.expected.length}{r.complete ? '' : <span class="muted"> (waiting: {r.expected.filter((o) => !r.reached.includes(o)).join(', ')})</span>}</td>
              <td>{ago(r.spreadMs)}</td>
              <td>{r.rounds ?? (r.complete ? '?' : '…')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function Feed(props: { events: ZxGossipEvent[] }) {
  return (
    <ol class="feed" aria-labelledby="feed-title" aria-live="polite" data-testid="gossip-feed">
      {props.events.map((e) => (
        <li key={e.seq}><span class="muted">{clock(e.atMs)}</span> <strong>{e.member}</strong> {e.type}{e.from ? ` (suspected by ${e.from})` : ''} <span class="muted small">→ {e.status}, inc {e.incarnation}</span></li>
      ))}
      {props.events.length === 0 ? <li class="muted">Waiting for membership events…</li> : null}
    </ol>
  )
}

/** GossipView shows SWIM membership per observer, a live event feed and spread times. */
export function GossipView(props: { dc: string }) {
  const bump = useRef<() => void>(() => undefined)
  const [feed, setFeed] = useState<ZxGossipEvent[]>([])
  const [localNode, setLocalNode] = useState<string | undefined>(undefined)
  const stream = useStream('/v1/zx/gossip/stream', (name, data) => {
    if (name === 'snapshot') {
      const snap = data as ZxGossipResponse
      setLocalNode(snap.node)
      setFeed(snap.events.slice().reverse().slice(0, appConfig.feedLinesMax))
      return
    }
    const { event } = data as { event: ZxGossipEvent }
    setFeed((f) => (f.some((e) => e.seq === event.seq) ? f : [event, ...f].slice(0, appConfig.feedLinesMax)))
    bump.current()
  })
  const cluster = useCluster<ZxGossipResponse>('/v1/zx/cluster/gossip', appConfig.clusterPollMs)
  bump.current = cluster.bump
  const entries = cluster.latest?.entries ?? []
  const observers = entries.filter((e) => e.ok && e.data).map((e) => e.node)
  const interval = entries.map((e) => e.data?.gossipIntervalMs).find((v) => v !== null && v !== undefined) ?? undefined
  const observations: Observation[] = Object.entries(cluster.lastGood).flatMap(([observer, data]) => data.events.map((event) => ({ observer, event })))
  return (
    <section aria-labelledby="gossip-title">
      <PageHeader title={<span id="gossip-title">Gossip</span>}>
        <span aria-live="polite">{stream.connected ? <Badge tone="ok">live</Badge> : <Badge tone="muted">polling</Badge>}</span>
      </PageHeader>
      <ErrorBanner error={cluster.error} />
      {cluster.latest === undefined ? <Loading what="membership" /> : (
        <>
          <h2>Membership as each node sees it</h2>
          <p class="muted small">Rows are members, columns the node reporting. Each cell: status and incarnation.{interval ? ` Gossip round: ${interval} ms.` : ''}</p>
          <Matrix dc={props.dc} entries={entries} localNode={localNode} />
          <h2>How far each change spread</h2>
          <SpreadTable rows={spreadRows(observations, observers, interval).slice(0, 30)} />
          <h2 id="feed-title">Live events{localNode ? ` seen by ${localNode}` : ''}</h2>
          <Feed events={feed} />
        </>
      )}
    </section>
  )
}
