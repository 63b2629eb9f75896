// Goal: the pure SWIM core follows the papers step by step. SWIM §4.1: a silent probe target gets
// indirect probes (and a TCP fallback) and then becomes suspect; §4.2: a suspected live node
// refutes with a higher incarnation. Lifeguard §4.1: failed probes with missing nacks raise the
// awareness score; §4.2: the suspicion timeout shrinks with independent confirmations.
// Method: drive SwimCores by hand with explicit times, delivering (or dropping) drained packets.
import { describe, expect, it } from 'vitest'
import { SwimCore } from '../../../agent/gossip/core/swim.js'
import type { CoreOutput } from '../../../agent/gossip/core/state.js'
import type { GossipMessage } from '../../../agent/gossip/core/messages.js'
import { BroadcastQueue, retransmitLimit } from '../../../agent/gossip/core/broadcast.js'
import { confirm, expectedConfirmations, newSuspicion, suspicionBoundsMs, suspicionDeadlineMs } from '../../../agent/gossip/core/suspicion.js'
import { encodeMessage } from '../../../agent/gossip/codec.js'
import { lanTimings } from '../../../agent/gossip/defaults.js'
import { Xoshiro128 } from '../../../agent/util/prng.js'
import { isZxError } from '../../../agent/errors.js'

function makeCore(name: string, seed: number): SwimCore {
  return new SwimCore({
    name, endpoint: { addr: name, port: 1 }, tags: { role: 'node' }, timings: lanTimings,
    packetBytesMax: 1371, sizeOf: (m) => encodeMessage(m).length,
  }, new Xoshiro128(seed), 0)
}

/** meet makes a group of cores know each other via push-pull states. */
function meet(cores: SwimCore[]): void {
  for (const a of cores) for (const b of cores) if (a !== b) a.mergeState(b.localState(false), 0)
  for (const c of cores) c.drain()
}

function packets(out: CoreOutput[]): Array<Extract<CoreOutput, { type: 'packet' }>> {
  return out.filter((o): o is Extract<CoreOutput, { type: 'packet' }> => o.type === 'packet')
}

describe('SwimCore probing', () => {
  it('acks a ping, and a silent target goes indirect, tries TCP, then becomes suspect', () => {
    const [a, b, c] = [makeCore('a', 1), makeCore('b', 2), makeCore('c', 3)]
    meet([a, b, c])
    // Find the time of a's first probe and see whom it pings.
    let now = 0
    let ping: Extract<CoreOutput, { type: 'packet' }> | undefined
    while (ping === undefined && now < 2_000) {
      now += 10
      a.tick(now)
      ping = packets(a.drain()).find((p) => p.messages[0]?.type === 'ping')
    }
    expect(ping).toBeDefined()
    const target = (ping!.messages[0] as Extract<GossipMessage, { type: 'ping' }>).target
    const targetCore = target === 'b' ? b : c
    targetCore.receive(ping!.messages, now)
    const ack = packets(targetCore.drain()).find((p) => p.messages[0]?.type === 'ack')
    expect(ack?.to.addr).toBe('a')
    a.receive(ack!.messages, now + 1)
    expect(a.stats().probeSuccesses).toBe(1)

    // Next probe: drop everything, expect indirect pings + a TCP ping, then a suspicion.
    const outputs: CoreOutput[] = []
    for (let t = now + 10; t < now + 3_000; t += 10) { a.tick(t); outputs.push(...a.drain()) }
    expect(outputs.some((o) => o.type === 'tcp-ping')).toBe(true)
    expect(packets(outputs).some((p) => p.messages[0]?.type === 'indirect-ping')).toBe(true)
    const suspect = outputs.find((o) => o.type === 'member' && o.event.type === 'suspect')
    expect(suspect).toBeDefined()
    expect(a.stats().awareness).toBeGreaterThan(0) // helpers sent no nacks: maybe we are the problem
  })

  it('a suspected node refutes with a higher incarnation', () => {
    const [a, b] = [makeCore('a', 1), makeCore('b', 2)]
    meet([a, b])
    b.receive([{ type: 'suspect', name: 'b', incarnation: 0, from: 'a' }], 10)
    expect(b.localMember().incarnation).toBe(1)
    expect(b.stats().refutes).toBe(1)
    // The alive(1) it gossips clears the suspicion at a.
    a.receive([{ type: 'suspect', name: 'b', incarnation: 0, from: 'a' }], 10)
    expect(a.members().find((m) => m.name === 'b')?.status).toBe('suspect')
    a.receive([{ type: 'alive', name: 'b', incarnation: 1, endpoint: { addr: 'b', port: 1 }, tags: { role: 'node' } }], 20)
    expect(a.members().find((m) => m.name === 'b')?.status).toBe('alive')
  })

  it('ignores stale updates and treats a self-sent dead as a leave', () => {
    const [a, b] = [makeCore('a', 1), makeCore('b', 2)]
    meet([a, b])
    a.receive([{ type: 'alive', name: 'b', incarnation: 5, endpoint: { addr: 'b', port: 1 }, tags: {} }], 1)
    a.receive([{ type: 'dead', name: 'b', incarnation: 4, from: 'a' }], 2)
    expect(a.members().find((m) => m.name === 'b')?.status).toBe('alive')
    a.receive([{ type: 'dead', name: 'b', incarnation: 5, from: 'b' }], 3)
    expect(a.members().find((m) => m.name === 'b')?.status).toBe('left')
  })

  it('reports a member that moved to a new address as an update', () => {
    const [a, b] = [makeCore('a', 1), makeCore('b', 2)]
    meet([a, b])
    a.receive([{ type: 'alive', name: 'b', incarnation: 1, endpoint: { addr: 'b', port: 1 }, tags: { role: 'node' } }], 1)
    expect(a.drain().some((o) => o.type === 'member')).toBe(false)  // same address, same tags: no news
    a.receive([{ type: 'alive', name: 'b', incarnation: 2, endpoint: { addr: 'b2', port: 1 }, tags: { role: 'node' } }], 2)
    const events = a.drain().filter((o): o is Extract<CoreOutput, { type: 'member' }> => o.type === 'member')
    expect(events.map((e) => [e.event.type, e.event.member.addr])).toEqual([['update', 'b2']])
  })

  it('refuses oversized tags with ZX_ERR_BAD_REQUEST', () => {
    const a = makeCore('a', 1)
    let caught: unknown
    try { a.setTags({ blob: 'x'.repeat(1_000) }) } catch (error) { caught = error }
    expect(isZxError(caught, 'ZX_ERR_BAD_REQUEST')).toBe(true)
  })

  it('dedupes user events and advances the Lamport clock past what it sees', () => {
    const a = makeCore('a', 1)
    const event = { type: 'user' as const, id: 'e1', name: 'deploy', ltime: 41, payload: undefined, nodeFilter: '', serviceFilter: '', tagFilter: '' }
    a.receive([event, event], 1)
    expect(a.userEventsCount()).toBe(1)
    expect(a.fireUserEvent({ name: 'x', payload: undefined, nodeFilter: '', serviceFilter: '', tagFilter: '' }).ltime).toBe(42)
  })
})

describe('Lifeguard suspicion timeout', () => {
  it('starts at max and shrinks to min as confirmations arrive', () => {
    const [min, max] = suspicionBoundsMs(4, 6, 10, 1_000)
    expect(min).toBe(4_000)
    expect(max).toBe(24_000)
    const s = newSuspicion(0, min, max, 2, 'a')
    expect(suspicionDeadlineMs(s)).toBe(24_000)
    expect(confirm(s, 'a')).toBe(false) // the accuser is not a confirmation
    expect(confirm(s, 'b')).toBe(true)
    const one = suspicionDeadlineMs(s)
    expect(one).toBeLessThan(24_000)
    expect(confirm(s, 'c')).toBe(true)
    expect(suspicionDeadlineMs(s)).toBe(4_000)
    expect(confirm(s, 'd')).toBe(false) // beyond k, no more shrinking
  })

  it('expects mult − 2 confirmations, or none when too few members could give them (as memberlist)', () => {
    // Goal: a 3-node cluster must not wait for a confirmation it may never get (6·min). Method:
    // k for LAN mult 4 at several sizes, and the deadline a k = 0 suspicion gets.
    expect(expectedConfirmations(4, 40)).toBe(2)
    expect(expectedConfirmations(4, 4)).toBe(2)
    expect(expectedConfirmations(4, 3)).toBe(0)
    expect(expectedConfirmations(4, 2)).toBe(0)
    expect(expectedConfirmations(5, 4)).toBe(0) // k = 3 > N − 2 = 2: memberlist drops to 0, not 2
    const [min, max] = suspicionBoundsMs(4, 6, 3, 1_000)
    expect(suspicionDeadlineMs(newSuspicion(500, min, max, expectedConfirmations(4, 3), 'a'))).toBe(4_500)
  })
})

describe('BroadcastQueue', () => {
  it('replaces by key, sends least-transmitted first, and drops after the limit', () => {
    const q = new BroadcastQueue(100)
    const alive = (inc: number): GossipMessage => ({ type: 'alive', name: 'x', incarnation: inc, endpoint: { addr: 'x', port: 1 }, tags: {} })
    q.enqueue('x', alive(1), 30)
    q.enqueue('x', alive(2), 30)
    expect(q.size).toBe(1)
    q.enqueue('y', { type: 'suspect', name: 'y', incarnation: 0, from: 'z' }, 20)
    expect(q.take(2, 1_000, 10, 3)).toHaveLength(2)
    q.enqueue('w', { type: 'suspect', name: 'w', incarnation: 0, from: 'z' }, 20)
    const first = q.take(2, 25, 10, 3)
    expect(first).toEqual([{ type: 'suspect', name: 'w', incarnation: 0, from: 'z' }]) // only one fits; the fresh one wins
    q.take(2, 1_000, 10, 3)
    q.take(2, 1_000, 10, 3)
    expect(q.has('x')).toBe(false)
    expect(retransmitLimit(4, 9)).toBe(4)
    expect(retransmitLimit(4, 10)).toBe(8)
  })
})
