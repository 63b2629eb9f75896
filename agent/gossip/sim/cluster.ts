/**
 * agent/gossip/sim/cluster.ts: a deterministic in-process cluster of real SWIM cores over a
 * simulated network. Time is a number advanced in fixed steps (no timers, no clock); one seeded
 * Prng drives every core, the loss, the latency and the schedule, so a run replays exactly from
 * its seed. The network drops packets at a loss rate, delays them by a random latency (plus a
 * per-node slowness), and blocks them across partitions. TCP (push-pull, fallback pings) is
 * modelled as reliable but subject to partitions and crashes.
 */
import type { MemberEvent, MemberStatus, UserEvent } from '../api.js'
import { encodeMessage } from '../codec.js'
import { sealOverheadBytes } from '../crypto.js'
import { gossipLimits, type GossipTimings } from '../defaults.js'
import { SwimCore } from '../core/swim.js'
import type { CoreOutput } from '../core/state.js'
import type { GossipMessage } from '../core/messages.js'
import { Xoshiro128, type Prng } from '../../util/prng.js'

/** SimNode is one simulated member. */
export interface SimNode {
  name: string
  index: number
  core: SwimCore
  up: boolean
  group: number
  slowMs: number
  wakeMs: number
  packetsSent: number
  failedEvents: number
  userEventsAtMs: Map<string, number>
}

/** SimClusterOptions configure the network and the cores. */
export interface SimClusterOptions {
  seed: number
  timings: GossipTimings
  lossRate?: number
  latencyMsMin?: number
  latencyMsMax?: number
  stepMs?: number
  /** exactSizes measures every broadcast with the real codec (slower); else a close estimate. */
  exactSizes?: boolean
  /** onMemberEvent sees every member event, with the observer's name. */
  onMemberEvent?: (observer: string, event: MemberEvent, nowMs: number) => void
}

interface Delivery { atMs: number; to: number; from: number; messages: GossipMessage[]; seq: number }

/** SimCluster runs many SwimCores against one simulated network. */
export class SimCluster {
  nowMs = 0
  readonly nodes: SimNode[] = []
  readonly rng: Prng
  lossRate: number
  private readonly byName = new Map<string, SimNode>()
  private readonly byEndpoint = new Map<string, SimNode>()
  private queue: Delivery[] = []
  private deliverySeq = 0

  constructor(private readonly options: SimClusterOptions) {
    this.rng = new Xoshiro128(options.seed)
    this.lossRate = options.lossRate ?? 0
  }

  /** node looks a member up by name. */
  node(name: string): SimNode {
    const node = this.byName.get(name)
    if (node === undefined) throw new Error(`no sim node ${name}`)
    return node
  }

  /** addNode starts a core (or restarts a crashed one) and joins it through `joinVia`. */
  addNode(name: string, joinVia?: string, tags: Record<string, string> = {}): SimNode {
    const index = this.byName.get(name)?.index ?? this.nodes.length
    const endpoint = { addr: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`, port: 8301 }
    const core = new SwimCore({
      name, endpoint, tags, timings: this.options.timings,
      packetBytesMax: gossipLimits.udpPacketBytesMax - sealOverheadBytes,
      sizeOf: this.options.exactSizes === true ? (m) => encodeMessage(m).length : approxBytes,
    }, this.rng, this.nowMs)
    const node: SimNode = {
      name, index, core, up: true, group: 0, slowMs: 0, wakeMs: core.nextDeadlineMs(),
      packetsSent: 0, failedEvents: 0, userEventsAtMs: new Map(),
    }
    this.nodes[index] = node
    this.byName.set(name, node)
    this.byEndpoint.set(`${endpoint.addr}:${endpoint.port}`, node)
    if (joinVia !== undefined) this.pushPull(node, this.node(joinVia), true)
    return node
  }

  /**
   * bootstrap starts `n` nodes that already know each other (as after every node rejoined from
   * its snapshot), with empty broadcast queues: large simulations start here, since an
   * in-process N² join storm for 1,000 nodes costs minutes of CPU.
   */
  bootstrap(n: number, prefix = 'n'): void {
    for (let i = 0; i < n; i++) this.addNode(`${prefix}${i}`)
    const members = this.nodes.map((node) => node.core.localState(false).members[0]!)
    const state = { join: false, from: this.nodes[0]!.name, members, eventLtime: 0, events: [] }
    for (const node of this.nodes) {
      node.core.mergeState(state, this.nowMs)
      node.core.drain()
      node.core.clearBroadcasts()
      node.wakeMs = node.core.nextDeadlineMs()
    }
  }

  /** crash stops a node abruptly: it neither sends nor receives. */
  crash(name: string): void {
    this.node(name).up = false
  }

  /** partition splits the cluster: nodes listed in `groups[i]` land in group i + 1. */
  partition(groups: string[][]): void {
    groups.forEach((names, i) => { for (const n of names) this.node(n).group = i + 1 })
  }

  /** heal puts every node back in one network. */
  heal(): void {
    for (const node of this.nodes) node.group = 0
  }

  /** reachable tells whether a can talk to b right now. */
  reachable(a: SimNode, b: SimNode): boolean {
    return a.up && b.up && a.group === b.group
  }

  /** run advances simulated time by `ms`, stopping early if `until` returns true (checked every `checkEveryMs`). */
  run(ms: number, until?: () => boolean, checkEveryMs = 250): boolean {
    const step = this.options.stepMs ?? 5
    const end = this.nowMs + ms
    let nextCheck = this.nowMs + checkEveryMs
    while (this.nowMs < end) {
      this.nowMs += step
      this.deliverDue()
      for (const node of this.nodes) {
        if (!node.up || node.wakeMs > this.nowMs) continue
        node.core.tick(this.nowMs)
        this.flush(node)
      }
      if (until !== undefined && this.nowMs >= nextCheck) {
        nextCheck = this.nowMs + checkEveryMs
        if (until()) return true
      }
    }
    return until?.() ?? false
  }

  private deliverDue(): void {
    if (this.queue.length === 0 || this.queue[0]!.atMs > this.nowMs) return
    let split = 0
    while (split < this.queue.length && this.queue[split]!.atMs <= this.nowMs) split++
    const due = this.queue.slice(0, split)
    this.queue = this.queue.slice(split)
    for (const d of due) {
      const to = this.nodes[d.to]!
      const from = this.nodes[d.from]!
      if (!this.reachable(from, to)) continue
      to.core.receive(d.messages, this.nowMs)
      this.flush(to)
    }
  }

  private schedule(from: SimNode, to: SimNode, messages: GossipMessage[]): void {
    const min = this.options.latencyMsMin ?? 1
    const max = this.options.latencyMsMax ?? 5
    const atMs = this.nowMs + min + this.rng.next() * (max - min) + from.slowMs + to.slowMs
    const d: Delivery = { atMs, to: to.index, from: from.index, messages, seq: this.deliverySeq++ }
    // Insert keeping the queue sorted by time (deliveries are mostly appended near the end).
    let i = this.queue.length
    while (i > 0 && this.queue[i - 1]!.atMs > atMs) i--
    this.queue.splice(i, 0, d)
  }

  /** flush carries out a core's outputs. */
  flush(node: SimNode): void {
    for (const out of node.core.drain()) this.perform(node, out)
    node.wakeMs = node.core.nextDeadlineMs()
  }

  private perform(node: SimNode, out: CoreOutput): void {
    switch (out.type) {
      case 'packet': {
        node.packetsSent += 1
        const to = this.byEndpoint.get(`${out.to.addr}:${out.to.port}`)
        if (to === undefined || !this.reachable(node, to) || this.rng.next() < this.lossRate) return
        this.schedule(node, to, out.messages)
        return
      }
      case 'tcp-ping': {
        const to = this.byEndpoint.get(`${out.to.addr}:${out.to.port}`)
        if (to === undefined || !this.reachable(node, to) || to.name !== out.target) return
        this.schedule(to, node, [{ type: 'ack', seq: out.seq, from: to.name }])
        return
      }
      case 'push-pull': {
        const to = this.byEndpoint.get(`${out.to.addr}:${out.to.port}`)
        if (to !== undefined) this.pushPull(node, to, false)
        return
      }
      case 'member':
        if (out.event.type === 'failed') node.failedEvents += 1
        this.options.onMemberEvent?.(node.name, out.event, this.nowMs)
        return
      case 'user':
        if (!node.userEventsAtMs.has(out.event.id)) node.userEventsAtMs.set(out.event.id, this.nowMs)
        return
    }
  }

  /** pushPull exchanges full states between two reachable nodes; false if unreachable. */
  pushPull(a: SimNode, b: SimNode, join: boolean): boolean {
    if (!this.reachable(a, b)) return false
    const stateA = a.core.localState(join)
    const stateB = b.core.localState(false)
    b.core.mergeState(stateA, this.nowMs)
    a.core.mergeState(stateB, this.nowMs)
    this.flush(a)
    this.flush(b)
    return true
  }

  /** fireUserEvent fires an event at one node and returns it. */
  fireUserEvent(name: string, eventName: string): UserEvent {
    const node = this.node(name)
    const event = node.core.fireUserEvent({ name: eventName, payload: undefined, nodeFilter: '', serviceFilter: '', tagFilter: '' })
    this.flush(node)
    return event
  }

  /** statusOf is how `observer` sees `subject` (undefined if unknown). */
  statusOf(observer: string, subject: string): MemberStatus | undefined {
    return this.node(observer).core.s.members.has(subject) ? memberStatusOf(this.node(observer).core, subject) : undefined
  }

  /** liveNodes are the nodes currently up. */
  liveNodes(): SimNode[] {
    return this.nodes.filter((n) => n.up)
  }

  /** converged tells whether every live node sees every live node alive and every crashed one failed or left. */
  converged(): boolean {
    const live = this.liveNodes()
    for (const observer of live) {
      const view = observer.core.s.members
      for (const subject of this.nodes) {
        const record = view.get(subject.name)
        if (subject.up && subject.group === observer.group) {
          if (record === undefined || record.state !== 'alive') return false
        } else if (!subject.up) {
          if (record !== undefined && (record.state === 'alive' || record.state === 'suspect')) return false
        }
      }
    }
    return true
  }
}

function memberStatusOf(core: SwimCore, name: string): MemberStatus {
  const record = core.s.members.get(name)!
  return record.state === 'dead' ? 'failed' : record.state
}

/** approxBytes estimates a message's msgpack size: strings plus a few bytes per field. */
function approxBytes(m: GossipMessage): number {
  switch (m.type) {
    case 'alive': {
      let tags = 0
      for (const k in m.tags) tags += k.length + m.tags[k]!.length + 2
      return 16 + m.name.length + m.endpoint.addr.length + tags
    }
    case 'suspect':
    case 'dead': return 12 + m.name.length + m.from.length
    case 'user': return 60 + m.name.length + (m.payload?.length ?? 0)
    default: return encodeMessage(m).length
  }
}
