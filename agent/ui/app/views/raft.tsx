/**
 * agent/ui/app/views/raft.tsx: the Raft lab view. Every server's own status (role, term, log,
 * commit, applied, last contact, voter) from the /v1/zx/cluster/raft fan-out, the leader in
 * large type, and the election timeline built from every server's event ring. Live: the local
 * SSE stream (/v1/zx/raft/stream) triggers a re-read the moment an election event happens.
 */
import { useMemo, useRef, useState } from 'preact/hooks'
import { useStream } from '../http.js'
import { Badge, ErrorBanner, Loading, PageHeader, ago, clock } from '../components.js'
import { Link } from '../router.js'
import { appConfig } from '../config.js'
import { useCluster } from './cluster.js'
import { buildElections, leaderChanges, type ElectionRow, type LeaderChange, type ReportedEvent } from '../../lab/elections.js'
import type { ZxClusterEntry, ZxRaftResponse } from '../../lab/wire.js'
import type { RaftStatus } from '../../../raft/api.js'

type Named = (id: string) => string

function voterOf(status: RaftStatus): boolean | undefined {
  return status.configuration.find((s) => s.id === status.id)?.voter
}

/** leaderOf is whoever the highest-term reachable server says leads, with that term. */
function leaderOf(entries: ZxClusterEntry<ZxRaftResponse>[]): { name: string | undefined; top: RaftStatus | undefined; commit: number | undefined } {
  const live = entries.filter((e) => e.ok && e.data?.status).map((e) => ({ node: e.node, status: e.data!.status! }))
  const top = live.map((e) => e.status).sort((a, b) => b.term - a.term)[0]
  const leaderId = top?.leaderId
  const name = leaderId === undefined ? undefined : live.find((e) => e.status.id === leaderId)?.node ?? entries.find((e) => e.data?.status?.id === leaderId)?.node ?? leaderId
  return { name, top, commit: live.length ? Math.max(...live.map((e) => e.status.commitIndex)) : undefined }
}

function ServersTable(props: { dc: string; entries: ZxClusterEntry<ZxRaftResponse>[] }) {
  return (
    <div class="table-wrap">
      <table class="list" data-testid="raft-servers">
        <caption class="sr-only">Each Raft server's state as it reports it</caption>
        <thead><tr><th scope="col">Server</th><th scope="col">Role</th><th scope="col">Term</th><th scope="col">Last log</th><th scope="col">Commit</th><th scope="col">Applied</th><th scope="col">Last contact</th><th scope="col">Voter</th></tr></thead>
        <tbody>
          {props.entries.map((e) => {
            const s = e.data?.status
            const name = <Link to={{ view: 'node', dc: props.dc, name: e.node }}>{e.node}</Link>
            if (!e.ok || !s) {
              return (
                <tr key={e.node} data-server={e.node} class="row-down">
                  <th scope="row">{name}</th>
                  <td colSpan={7}><Badge tone="bad">unreachable</Badge> <span class="muted">{e.error ?? (e.data && !e.data.server ? 'not a server' : '')}</span></td>
                </tr>
              )
            }
            const voter = voterOf(s)
            return (
              <tr key={e.node} data-server={e.node} data-role={s.role}>
                <th scope="row">{name} <span class="muted small">{s.id.slice(0, 8)}</span></th>
                <td><Badge tone={s.role === 'leader' ? 'ok' : s.role === 'follower' ? 'info' : 'warn'}>{s.role}</Badge></td>
                <td>{s.term}</td>
                <td>{s.lastLogIndex} <span class="muted small">(t{s.lastLogTerm})</span></td>
                <td>{s.commitIndex}</td>
                <td>{s.appliedIndex}</td>
                <td>{s.role === 'leader' ? '—' : ago(s.lastContactMs)}</td>
                <td>{voter === undefined ? '?' : voter ? 'yes' : 'no'}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

function ElectionsTable(props: { rows: ElectionRow[]; named: Named }) {
  const { named } = props
  if (props.rows.length === 0) return <p class="muted">No elections recorded yet.</p>
  return (
    <div class="table-wrap">
      <table class="list" data-testid="raft-elections">
        <thead><tr><th scope="col">Term</th><th scope="col">Started</th><th scope="col">Candidates</th><th scope="col">Votes</th><th scope="col">Winner</th><th scope="col">Duration</th></tr></thead>
        <tbody>
          {props.rows.map((r) => (
            <tr key={r.term}>
              <th scope="row">{r.term}{r.preVote ? <span class="muted small"> (pre-vote first)</span> : null}</th>
              <td>{clock(r.startMs)}</td>
              <td>{r.candidates.map(named).join(', ') || '—'}</td>
              <td>{Object.entries(r.votes).map(([c, voters]) => <div key={c}>{named(c)} ← {voters.map(named).join(', ')}</div>)}
                {Object.entries(r.refusals).map(([c, voters]) => <div key={`r${c}`} class="muted">{named(c)} refused by {voters.map(named).join(', ')}</div>)}</td>
              <td>{r.winner ? <Badge tone="ok">{named(r.winner)}</Badge> : <span class="muted">none</span>}</td>
              <td>{r.durationMs === undefined ? '—' : ago(r.durationMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function LeaderChanges(props: { changes: LeaderChange[]; named: Named }) {
  return (
    <ol class="feed" data-testid="raft-leader-changes">
      {props.changes.map((c) => <li key={c.term}><span class="muted">{clock(c.atMs)}</span> term {c.term}: <strong>{props.named(c.leader)}</strong>{c.previous ? <span class="muted"> (was {props.named(c.previous)})</span> : null}</li>)}
    </ol>
  )
}

/** RaftView shows the cluster's Raft state and election history, live. */
export function RaftView(props: { dc: string }) {
  const bump = useRef<() => void>(() => undefined)
  const [localServer, setLocalServer] = useState(false)
  const stream = useStream('/v1/zx/raft/stream', (name, data) => {
    if (name === 'snapshot') setLocalServer((data as ZxRaftResponse).server)
    else bump.current()
  })
  // A client agent (or a broken stream) announces no elections, so poll faster there.
  const cluster = useCluster<ZxRaftResponse>('/v1/zx/cluster/raft', stream.connected && localServer ? appConfig.clusterPollMs : appConfig.clusterPollMsNoStream)
  bump.current = cluster.bump
  const entries = cluster.latest?.entries ?? []
  const leader = leaderOf(entries)
  const nameOfId = useMemo(() => {
    const map = new Map<string, string>()
    for (const [node, data] of Object.entries(cluster.lastGood)) if (data.status) map.set(data.status.id, node)
    return map
  }, [cluster.lastGood])
  const named: Named = (id) => nameOfId.get(id) ?? id
  const reported: ReportedEvent[] = Object.entries(cluster.lastGood).flatMap(([node, data]) => data.events.map((event) => ({ reporter: node, event })))
  return (
    <section aria-labelledby="raft-title">
      <PageHeader title={<span id="raft-title">Raft</span>}>
        <span class="live" aria-live="polite">{stream.connected && localServer ? <Badge tone="ok">live</Badge> : <Badge tone="muted">polling</Badge>}</span>
      </PageHeader>
      <ErrorBanner error={cluster.error} />
      {cluster.latest === undefined ? <Loading what="Raft state" /> : (
        <>
          <div class="summary" aria-live="polite" data-testid="raft-summary">
            <div><span class="label">Leader</span> <strong data-testid="raft-leader">{leader.name ?? 'none'}</strong></div>
            <div><span class="label">Term</span> <strong data-testid="raft-term">{leader.top?.term ?? '—'}</strong></div>
            <div><span class="label">Commit index</span> <strong>{leader.commit ?? '—'}</strong></div>
          </div>
          <ServersTable dc={props.dc} entries={entries} />
          <h2>Elections</h2>
          <ElectionsTable rows={buildElections(reported).slice(0, 30)} named={named} />
          <h2>Leader changes</h2>
          <LeaderChanges changes={leaderChanges(reported).reverse().slice(0, 30)} named={named} />
        </>
      )}
    </section>
  )
}
