/**
 * agent/raft/node-events.ts: turns the core's CoreEvents and SoftState changes into the
 * timestamped RaftEvents the agent logs and the UI's election timeline draws, and fans them
 * out to subscribers. It also measures election duration: from the first election-start
 * after the last known leader to the moment a leader is known again.
 */
import type { RaftEvent, RaftRole, ServerInfo } from './api.js'
import type { ConfState, CoreEvent, NodeId, SoftState } from './core/types.js'
import type { Logger } from './node-log.js'

/** confToServers lists a configuration as ServerInfo, voters first. */
export function confToServers(conf: ConfState): ServerInfo[] {
  const out: ServerInfo[] = []
  for (const id of conf.voters) out.push({ id, address: conf.addresses[id] ?? '', voter: true })
  for (const id of conf.learners) out.push({ id, address: conf.addresses[id] ?? '', voter: false })
  return out
}

/** RaftEvents maps core facts to RaftEvents and delivers them to listeners. */
export class RaftEvents {
  private listeners: Array<(event: RaftEvent) => void> = []
  private electionStartMs: number | undefined
  private lastLeader: NodeId | undefined
  private lastRole: RaftRole | undefined

  constructor(private readonly selfId: NodeId, private readonly log: Logger) {}

  /** subscribe adds a listener; returns its unsubscribe function. */
  subscribe(listener: (event: RaftEvent) => void): () => void {
    this.listeners.push(listener)
    return () => { this.listeners = this.listeners.filter((l) => l !== listener) }
  }

  /** core reports one CoreEvent. */
  core(event: CoreEvent, nowMs: number): void {
    switch (event.type) {
      case 'election-start':
        this.electionStartMs ??= nowMs
        this.log.info(event.preVote ? 'starting pre-vote' : 'starting election', { term: event.term })
        return this.emit({ type: 'election-start', atMs: nowMs, term: event.term, candidate: this.selfId, preVote: event.preVote })
      case 'vote':
        return this.emit({ type: 'vote', atMs: nowMs, term: event.term, from: event.from, to: this.selfId, granted: event.granted })
      case 'became':
        return this.role(event.role, event.term, event.leaderId, nowMs)
      case 'conf':
        this.log.info('configuration changed', { index: event.index, voters: event.conf.voters, learners: event.conf.learners })
        return this.emit({ type: 'configuration', atMs: nowMs, index: event.index, servers: confToServers(event.conf) })
    }
  }

  /** soft reports a SoftState change (role, leader). */
  soft(soft: SoftState, nowMs: number): void {
    this.role(soft.role, soft.term, soft.leaderId, nowMs)
  }

  /** snapshot reports a snapshot taken or installed. */
  snapshot(index: number, bytes: number, nowMs: number): void {
    this.emit({ type: 'snapshot', atMs: nowMs, index, bytes })
  }

  private role(role: RaftRole, term: number, leaderId: NodeId | undefined, nowMs: number): void {
    if (role !== this.lastRole) {
      this.lastRole = role
      this.log.info(`entering ${role} state`, { term })
      this.emit({ type: 'role', atMs: nowMs, role, term })
    }
    if (leaderId !== undefined && leaderId !== this.lastLeader) {
      const electionMs = this.electionStartMs === undefined ? undefined : nowMs - this.electionStartMs
      this.electionStartMs = undefined
      this.log.info('leader elected', { leader: leaderId, term, electionMs })
      this.emit({ type: 'leader', atMs: nowMs, term, leader: leaderId, electionMs })
    }
    this.lastLeader = leaderId
  }

  private emit(event: RaftEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch (error) {
        this.log.error('raft event listener threw', { error: String(error) })
      }
    }
  }
}
