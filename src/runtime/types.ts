/**
 * src/runtime/types.ts: the Runtime interface, the one seam between the cluster commands and
 * where nodes actually run. Docker (dockerode: containers on a user-defined network) and
 * process (detached `zx agent` children on 127.0.0.1) implement it; FakeRuntime implements it
 * in memory for unit tests. Every method is idempotent where that makes sense (starting a
 * running node, removing a missing one), so `cluster up` can be run twice.
 */
import type { Writable } from 'node:stream'
import type { NodePlan } from '../cluster/layout.js'
import type { RuntimeKind } from '../cluster/state.js'

/** NodeState is what a runtime knows about one node's host-side life. */
export type NodeState = 'running' | 'paused' | 'stopped' | 'missing'

/** NodeStatus is one node as `zx cluster status` shows it. */
export interface NodeStatus {
  plan: NodePlan
  state: NodeState
  /** id is the container ID or the process ID, when there is one. */
  id: string | undefined
  /** partitioned says the node was cut off with `zx chaos partition`. */
  partitioned: boolean
  /** gossipAddress is where its gossip port is reached when not 127.0.0.1 (process nodes' own loopback). */
  gossipAddress?: string
}

/** StopSignal is how a node is stopped or killed. */
export type StopSignal = 'TERM' | 'KILL'

/** ClusterSpec is what `cluster up` asks a runtime to run. */
export interface ClusterSpec {
  name: string
  nodes: NodePlan[]
}

/** UpReport says what `up` did to each node. */
export interface UpReport {
  started: string[]
  alreadyRunning: string[]
  /** firstSpawnAt is when the first node was started (epoch ms), when any was. */
  firstSpawnAt?: number
}

/** Runtime runs the nodes of one lab cluster. */
export interface Runtime {
  readonly kind: RuntimeKind
  /** up creates and starts every node that is not running yet (all at once where the runtime can). */
  up(spec: ClusterSpec, log: (line: string) => void): Promise<UpReport>
  /** down removes every node; with volumes also their data. */
  down(options: { volumes: boolean }): Promise<string[]>
  /** status lists the nodes this runtime knows for the cluster. */
  status(): Promise<NodeStatus[]>
  start(node: string): Promise<void>
  stop(node: string, signal?: StopSignal): Promise<void>
  restart(node: string): Promise<void>
  /** kill sends a signal and returns at once: the node stays down (no restart policy). */
  kill(node: string, signal: StopSignal): Promise<void>
  pause(node: string): Promise<void>
  unpause(node: string): Promise<void>
  /** partition cuts a node off (from everyone, or from one peer where the runtime can). */
  partition(node: string, from?: string): Promise<string>
  /** heal undoes every partition; returns the nodes it reconnected. */
  heal(): Promise<string[]>
  /** logs copies a node's output to `out`; with follow it keeps going until `signal` aborts. */
  logs(node: string, options: { follow: boolean; out: Writable; signal?: AbortSignal; tail?: number }): Promise<void>
}
