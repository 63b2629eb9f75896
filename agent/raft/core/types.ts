/**
 * agent/raft/core/types.ts: the vocabulary shared by the pure Raft core (core.ts), its driver
 * (agent/raft/node.ts), the durable log (agent/raft/storage) and the transport. The core
 * never performs I/O: it reads the durable log through LogReader and hands everything it
 * wants done to the driver as a Ready, which the driver handles in order — persist (fsync if
 * mustSync) → send → apply → advance — exactly as shared/STYLE.md describes.
 */

/** NodeId is a server's Raft id (the node UUID in the agent). */
export type NodeId = string

/** EntryType tells normal commands from configuration changes and the leader's no-op. */
export type EntryType = 'normal' | 'config' | 'noop'

/** Entry is one log entry. For 'config' entries, data is encodeConfState(ConfState). */
export interface Entry {
  index: number
  term: number
  type: EntryType
  data: Uint8Array
}

/** ConfState is a Raft configuration: voters, non-voting learners and their RPC addresses. */
export interface ConfState {
  voters: NodeId[]
  learners: NodeId[]
  addresses: Record<NodeId, string>
}

/** HardState is what must be durable before any message depending on it is sent. */
export interface HardState {
  term: number
  vote: NodeId | undefined
  commit: number
}

/** SnapshotMeta describes a state machine snapshot: the last index/term it covers and its config. */
export interface SnapshotMeta {
  index: number
  term: number
  conf: ConfState
}

/**
 * RaftMessage is every message between servers. `from`/`to` are NodeIds; `term` is the
 * sender's term. A 'snapshot' message carries only the meta: the driver streams the data in
 * chunks beside it and steps the message into the receiving core once the data is on disk.
 */
export type RaftMessage =
  | { type: 'vote'; term: number; from: NodeId; to: NodeId; lastLogIndex: number; lastLogTerm: number; preVote: boolean; transfer: boolean }
  | { type: 'vote-resp'; term: number; from: NodeId; to: NodeId; granted: boolean; preVote: boolean }
  | { type: 'append'; term: number; from: NodeId; to: NodeId; prevIndex: number; prevTerm: number; entries: Entry[]; commit: number }
  | { type: 'append-resp'; term: number; from: NodeId; to: NodeId; success: boolean; matchIndex: number; conflictIndex: number; conflictTerm: number }
  | { type: 'heartbeat'; term: number; from: NodeId; to: NodeId; commit: number; ctx: number }
  | { type: 'heartbeat-resp'; term: number; from: NodeId; to: NodeId; ctx: number }
  | { type: 'snapshot'; term: number; from: NodeId; to: NodeId; meta: SnapshotMeta }
  | { type: 'snapshot-resp'; term: number; from: NodeId; to: NodeId; success: boolean; matchIndex: number }
  | { type: 'timeout-now'; term: number; from: NodeId; to: NodeId }

/** Role is the core's role. */
export type Role = 'follower' | 'precandidate' | 'candidate' | 'leader'

/** SoftState is volatile state the driver reports (UI, status, leader hints). */
export interface SoftState {
  role: Role
  leaderId: NodeId | undefined
  term: number
}

/** ReadState answers a ReadIndex request: reads tagged ctx may be served once applied >= index. */
export interface ReadState {
  ctx: number
  index: number
}

/** CoreEvent is a fact the core reports for logs and the UI's election timeline (driver adds time). */
export type CoreEvent =
  | { type: 'election-start'; term: number; preVote: boolean }
  | { type: 'vote'; term: number; from: NodeId; granted: boolean }
  | { type: 'became'; role: Role; term: number; leaderId: NodeId | undefined }
  | { type: 'conf'; index: number; conf: ConfState }

/**
 * Ready is a batch of work for the driver. Handle it in order: save snapshot (if any) and
 * entries and hardState — fdatasync when mustSync — then send messages, then apply
 * committed entries (and restore the snapshot first if one is set), then call advance(ready).
 */
export interface Ready {
  softState: SoftState | undefined
  hardState: HardState | undefined
  /** snapshot received from the leader, to persist and restore before applying committed. */
  snapshot: SnapshotMeta | undefined
  /** entries to append; entries[0].index may be <= lastIndex, in which case the suffix from there is replaced. */
  entries: Entry[]
  mustSync: boolean
  messages: RaftMessage[]
  committed: Entry[]
  readStates: ReadState[]
  events: CoreEvent[]
}

/** LogReader is the durable log as the core reads it (synchronously; storage keeps it in memory). */
export interface LogReader {
  hardState(): HardState
  snapshotMeta(): SnapshotMeta | undefined
  /** firstIndex is the index of the first entry still in the log (snapshot index + 1). */
  firstIndex(): number
  lastIndex(): number
  /** term returns the term at index, for index in [snapshotIndex, lastIndex]; undefined when compacted or absent. */
  term(index: number): number | undefined
  /** entries returns [lo, hi) limited to about maxBytes of data (at least one entry). */
  entries(lo: number, hi: number, maxBytes: number): Entry[]
}

/** ConfChange asks the leader to change the configuration, one server at a time. */
export type ConfChange =
  | { type: 'add-voter'; id: NodeId; address: string }
  | { type: 'add-learner'; id: NodeId; address: string }
  | { type: 'remove'; id: NodeId }

/** RaftConfig are the core's settings, in ticks. The driver chooses the tick length. */
export interface RaftConfig {
  id: NodeId
  /** electionTicks: a follower campaigns after a random timeout in [electionTicks, 2·electionTicks). */
  electionTicks: number
  heartbeatTicks: number
  preVote: boolean
  checkQuorum: boolean
  /** maxInflight: append messages in flight per follower before waiting (pipelining window). */
  maxInflight: number
  /** maxBatchBytes: data bytes per append message (batching). */
  maxBatchBytes: number
  /** leaseTicks: how long a leader may serve lease reads after a quorum ack (< electionTicks). */
  leaseTicks: number
}
