/**
 * test/e2e/ui/fake-cluster.ts: a stand-in cluster for driving the UI in Chromium until real
 * `zx agent` processes are available. It is a TEST DOUBLE, not an agent: four HTTP servers on
 * 127.0.0.1 (one per node) share one in-memory Consul-shaped state (catalog, health, KV with
 * CAS and blocking queries, sessions) and each mounts the real /ui handler and the real
 * LabApi (/v1/zx/*) over scripted RaftApi / GossipPool doubles. killNode() closes a node's
 * HTTP server and scripts what a real cluster would report: the survivors elect a new leader
 * (election-start, votes, leader events) and mark the node failed one by one in gossip.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createUiHandler } from '../../../agent/ui/serve.js'
import { LabApi } from '../../../agent/ui/api.js'
import type { RaftApi, RaftEvent, RaftStatus } from '../../../agent/raft/api.js'
import type { GossipPool, Member, MemberEvent } from '../../../agent/gossip/api.js'
import { handleConsulApi, type FakeState } from './fake-consul.js'

/** FakeRaft is a scripted RaftApi: status() returns what the script set, onEvent relays emit(). */
export class FakeRaft implements RaftApi {
  readonly listeners = new Set<(event: RaftEvent) => void>()
  constructor(readonly id: string, private readonly statusOf: () => RaftStatus) {}
  hasState(): boolean { return true }
  async bootstrap(): Promise<void> {}
  async propose(): Promise<never> { throw new Error('fake raft: propose not scripted') }
  async readBarrier(): Promise<never> { throw new Error('fake raft: readBarrier not scripted') }
  status(): RaftStatus { return this.statusOf() }
  async addVoter(): Promise<void> {}
  async addNonVoter(): Promise<void> {}
  async removeServer(): Promise<void> {}
  async transferLeadership(): Promise<string> { return this.id }
  onEvent(listener: (event: RaftEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
  emit(event: RaftEvent): void { for (const l of this.listeners) l(event) }
  async close(): Promise<void> {}
}

/** FakePool is a scripted GossipPool holding one node's view of the members. */
export class FakePool implements GossipPool {
  readonly listeners = new Set<(event: MemberEvent) => void>()
  constructor(readonly self: string, readonly view: Map<string, Member>) {}
  async join(): Promise<number> { return 0 }
  async leave(): Promise<void> {}
  forceLeave(): boolean { return false }
  members(): Member[] { return [...this.view.values()] }
  localMember(): Member { return this.view.get(this.self)! }
  setTags(): void {}
  onMemberEvent(listener: (event: MemberEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
  /** set changes a member's status here and reports it like a pool would. */
  set(name: string, status: Member['status'], type: MemberEvent['type']): void {
    const member = { ...this.view.get(name)!, status }
    this.view.set(name, member)
    const event = (type === 'suspect' ? { type, member, from: this.self } : { type, member }) as MemberEvent
    for (const l of this.listeners) l(event)
  }
  fireUserEvent(): never { throw new Error('fake pool: no user events') }
  userEvents() { return [] }
  onUserEvent(): () => void { return () => undefined }
  stats(): Record<string, number> { return { gossipIntervalMs: 200, probes: 0 } }
  async close(): Promise<void> {}
}

/** FakeNode is one fake agent: its HTTP server, raft (servers only) and gossip view. */
export interface FakeNode {
  name: string
  server: boolean
  id: string
  port: number
  http: Server
  raft: FakeRaft | undefined
  pool: FakePool
  lab: LabApi
  alive: boolean
}

const names = ['node1', 'node2', 'node3', 'node4']

/** FakeCluster is node1–node3 (servers) and node4 (client) sharing one state. */
export class FakeCluster {
  nodes: FakeNode[] = []
  term = 2
  leader = 'node1'
  /** requests counts requests per node, for the UI's load figures. */
  requests = new Map<string, number>()

  constructor(readonly state: FakeState, readonly uiDir: string) {}

  /** start listens on 127.0.0.1 (port 0) for every node and wires tags, raft and gossip. */
  async start(): Promise<void> {
    const ui = createUiHandler({ dir: this.uiDir })
    for (const name of names) {
      const http = createServer()
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
      const port = (http.address() as AddressInfo).port
      this.nodes.push({ name, server: name !== 'node4', id: `${name}-0000-4000-8000-000000000000`, port, http, raft: undefined, pool: undefined!, lab: undefined!, alive: true })
    }
    for (const node of this.nodes) {
      const view = new Map<string, Member>(this.nodes.map((n) => [n.name, this.member(n)]))
      node.pool = new FakePool(node.name, view)
      node.raft = node.server ? new FakeRaft(node.id, () => this.statusOf(node)) : undefined
      node.lab = new LabApi({ raft: node.raft, lan: node.pool, nodeName: node.name, gossipIntervalMs: 200 })
      node.raft?.emit({ type: 'election-start', atMs: Date.now() - 5_000, term: 2, candidate: this.byName('node1').id, preVote: false })
      node.raft?.emit({ type: 'leader', atMs: Date.now() - 4_800, term: 2, leader: this.byName('node1').id, electionMs: 180 })
      node.http.on('request', (req: IncomingMessage, res: ServerResponse) => void this.route(node, req, res, ui))
    }
  }

  private async route(node: FakeNode, req: IncomingMessage, res: ServerResponse, ui: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>): Promise<void> {
    this.requests.set(node.name, (this.requests.get(node.name) ?? 0) + 1)
    try {
      if (await node.lab.handle(req, res)) return
      if (await ui(req, res)) return
      await handleConsulApi(this.state, this.consulView(node), req, res)
    } catch (error) {
      if (!res.headersSent) res.writeHead(500)
      res.end(String(error))
    }
  }

  private consulView(node: FakeNode) {
    return {
      members: () => node.pool.members(),
      leaderAddress: () => `127.0.0.1:${this.byName(this.leader).port + 1}`,
      raftServers: () => this.nodes.filter((n) => n.server).map((n) => ({ ID: n.id, Node: n.name, Address: `127.0.0.1:${n.port + 1}`, Leader: n.name === this.leader, Voter: true, ProtocolVersion: '3' })),
    }
  }

  byName(name: string): FakeNode {
    return this.nodes.find((n) => n.name === name)!
  }

  private member(node: FakeNode): Member {
    return { name: node.name, addr: '127.0.0.1', port: node.port + 2, status: 'alive', incarnation: 1, tags: { role: node.server ? 'consul' : 'node', dc: 'dc1', http: String(node.port), id: node.id, port: String(node.port + 1) } }
  }

  private statusOf(node: FakeNode): RaftStatus {
    const leader = this.byName(this.leader)
    return {
      id: node.id, role: node.name === this.leader ? 'leader' : 'follower', term: this.term, leaderId: leader.id, leaderAddress: `127.0.0.1:${leader.port + 1}`,
      commitIndex: this.state.index, appliedIndex: this.state.index, lastLogIndex: this.state.index, lastLogTerm: this.term, snapshotIndex: 0,
      lastContactMs: node.name === this.leader ? 0 : 40,
      configuration: this.nodes.filter((n) => n.server).map((n) => ({ id: n.id, address: `127.0.0.1:${n.port + 1}`, voter: true })),
      matchIndex: {},
    }
  }

  /**
   * killNode stops a node's HTTP server; if it led, survivors elect `successor` after
   * electionDelayMs; every survivor marks it suspect then failed, staggered like gossip rounds.
   */
  async killNode(name: string, successor = 'node2', electionDelayMs = 600): Promise<void> {
    const dead = this.byName(name)
    dead.alive = false
    dead.lab.close()
    dead.http.closeAllConnections()
    await new Promise<void>((resolve) => dead.http.close(() => resolve()))
    const survivors = this.nodes.filter((n) => n.alive)
    survivors.forEach((n, i) => setTimeout(() => { if (n.alive) n.pool.set(name, 'suspect', 'suspect') }, 200 + i * 200))
    survivors.forEach((n, i) => setTimeout(() => {
      if (!n.alive) return
      n.pool.set(name, 'failed', 'failed')
      this.state.setCheck(name, 'serfHealth', 'critical', 'Agent not live or unreachable')
    }, 900 + i * 200))
    if (name !== this.leader) return
    setTimeout(() => this.elect(successor, survivors), electionDelayMs)
  }

  private elect(successor: string, survivors: FakeNode[]): void {
    const winner = this.byName(successor)
    const started = Date.now()
    this.term += 1
    winner.raft?.emit({ type: 'election-start', atMs: started, term: this.term, candidate: winner.id, preVote: false })
    for (const voter of survivors.filter((n) => n.server)) {
      voter.raft?.emit({ type: 'vote', atMs: started + 5, term: this.term, from: voter.id, to: winner.id, granted: true })
    }
    this.leader = successor
    this.state.bump()
    for (const n of survivors) n.raft?.emit({ type: 'leader', atMs: started + 30, term: this.term, leader: winner.id, electionMs: 30 })
  }

  /** stop closes every node's server and lab API. */
  async stop(): Promise<void> {
    for (const n of this.nodes) {
      if (!n.alive) continue
      n.alive = false
      n.lab.close()
      n.http.closeAllConnections()
      await new Promise<void>((resolve) => n.http.close(() => resolve()))
    }
    this.state.close()
  }
}
