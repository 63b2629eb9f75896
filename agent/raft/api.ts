/**
 * agent/raft/api.ts: the contract between the Raft library and the agent that drives it.
 * The agent (agent/server.ts and agent/endpoints) only ever talks to Raft through RaftApi,
 * and Raft only ever talks to the replicated state through StateMachine. Both sides are
 * built separately; change this file only together with both.
 */

/** ServerId is a server's stable Raft id (Consul uses the node UUID). */
export type ServerId = string

/** ServerInfo is one member of the Raft configuration. */
export interface ServerInfo {
  id: ServerId
  /** address is host:port of the server RPC listener (8300). */
  address: string
  voter: boolean
}

/** RaftRole is a server's role as a learner sees it in the UI and list-peers. */
export type RaftRole = 'leader' | 'follower' | 'candidate' | 'precandidate'

/** ReadMode is the consistency a read asks for: Consul's default, ?consistent, ?stale. */
export type ReadMode = 'leader' | 'consistent' | 'stale'

/** ReadGuarantee says what a read actually had, for X-Consul-* headers. */
export interface ReadGuarantee {
  /** mode is the guarantee the read got (reported in X-Consul-Effective-Consistency). */
  mode: ReadMode
  /** appliedIndex is the state machine index the read may be served at (>= the barrier). */
  appliedIndex: number
  knownLeader: boolean
  /** lastContactMs is 0 on the leader, else ms since this server heard from the leader. */
  lastContactMs: number
}

/** ProposeResult is what a committed and applied command returned from StateMachine.apply. */
export interface ProposeResult {
  index: number
  result: unknown
}

/** RaftStatus is a snapshot of a server's Raft state for the API, list-peers and the UI. */
export interface RaftStatus {
  id: ServerId
  role: RaftRole
  term: number
  leaderId: ServerId | undefined
  leaderAddress: string | undefined
  commitIndex: number
  appliedIndex: number
  lastLogIndex: number
  lastLogTerm: number
  snapshotIndex: number
  lastContactMs: number
  configuration: ServerInfo[]
  /** matchIndex per follower, known only on the leader (for "Trails Leader By"). */
  matchIndex: Record<ServerId, number>
}

/** RaftEvent is what the driver reports for the UI's election timeline and for logs. */
export type RaftEvent =
  | { type: 'role'; atMs: number; role: RaftRole; term: number }
  | { type: 'election-start'; atMs: number; term: number; candidate: ServerId; preVote: boolean }
  | { type: 'vote'; atMs: number; term: number; from: ServerId; to: ServerId; granted: boolean }
  | { type: 'leader'; atMs: number; term: number; leader: ServerId; electionMs: number | undefined }
  | { type: 'configuration'; atMs: number; index: number; servers: ServerInfo[] }
  | { type: 'snapshot'; atMs: number; index: number; bytes: number }

/**
 * RaftApi is what a running Raft server offers the agent. Every promise either resolves with
 * the documented result or rejects with a ZxError (ZX_ERR_NOT_LEADER with details.leaderId and
 * details.leaderAddress, ZX_ERR_NO_LEADER, ZX_ERR_TIMEOUT, ZX_ERR_STOPPED).
 */
export interface RaftApi {
  readonly id: ServerId
  /** hasState tells whether the data dir already held Raft state at start (no bootstrap then). */
  hasState(): boolean
  /** bootstrap installs the first configuration; a no-op error if state exists. */
  bootstrap(servers: ServerInfo[]): Promise<void>
  /** propose appends a command on the leader and resolves after it is committed and applied here. */
  propose(command: Uint8Array): Promise<ProposeResult>
  /** readBarrier waits until this server may serve a read with the asked consistency. */
  readBarrier(mode: ReadMode, options?: { maxStaleMs?: number }): Promise<ReadGuarantee>
  status(): RaftStatus
  addVoter(server: { id: ServerId; address: string }): Promise<void>
  addNonVoter(server: { id: ServerId; address: string }): Promise<void>
  removeServer(id: ServerId): Promise<void>
  /** transferLeadership hands leadership to `to` (or the most up-to-date voter) and resolves once done. */
  transferLeadership(to?: ServerId): Promise<ServerId>
  /** onEvent subscribes to RaftEvents; returns an unsubscribe function. */
  onEvent(listener: (event: RaftEvent) => void): () => void
  /** close stops timers and sockets and flushes the log; the data dir stays valid. */
  close(): Promise<void>
}

/**
 * StateMachine is the replicated state (agent/state/fsm.ts). apply must be deterministic: it
 * never reads the clock, randomness or the network; time-based decisions are in the command.
 */
export interface StateMachine {
  /** apply applies one committed command at its Raft index and returns its result. */
  apply(index: number, command: Uint8Array): unknown
  /** snapshot serialises the whole state as of the last applied index. */
  snapshot(): { index: number; data: Uint8Array }
  /** restore replaces the whole state with a snapshot taken at `index`. */
  restore(index: number, data: Uint8Array): void
  /** appliedIndex is the index of the last command applied (or restored). */
  appliedIndex(): number
}
