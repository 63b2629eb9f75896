/**
 * agent/gossip/codec.ts: bytes ⇄ gossip messages. Each message is a msgpack array whose first
 * element is a type code; a UDP packet is either one message (kind 1) or a compound of up to
 * 255 messages each prefixed with a 16-bit length (kind 2), so probes carry piggybacked
 * updates within one MTU. Every decoded field is checked for type and size; anything off throws
 * a CodecError, which the driver counts and drops. Push-pull states use the same scheme.
 */
import { Packr } from 'msgpackr'
import { gossipLimits } from './defaults.js'
import type { Endpoint, GossipMessage, NodeState, PushPullMember, PushPullState, UserEventMessage } from './core/messages.js'
import { assertNever } from '../errors.js'

const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true })

/** CodecError is thrown for any malformed input; `reason` names the drop counter. */
export class CodecError extends Error {
  constructor(readonly reason: 'truncated' | 'garbage' | 'oversized') {
    super(`gossip codec: ${reason}`)
  }
}

const PACKET_SINGLE = 1
const PACKET_COMPOUND = 2
const codes = { ping: 1, 'indirect-ping': 2, ack: 3, nack: 4, alive: 5, suspect: 6, dead: 7, user: 8 } as const
const states: NodeState[] = ['alive', 'suspect', 'dead', 'left']

/** encodeMessage packs one message into its msgpack body. */
export function encodeMessage(m: GossipMessage): Uint8Array {
  return packr.pack(toTuple(m))
}

function toTuple(m: GossipMessage): unknown[] {
  switch (m.type) {
    case 'ping': return [codes.ping, m.seq, m.target, m.from, m.source.addr, m.source.port]
    case 'indirect-ping':
      return [codes['indirect-ping'], m.seq, m.target, m.targetAddr.addr, m.targetAddr.port, m.from, m.source.addr, m.source.port, m.wantNack]
    case 'ack': return [codes.ack, m.seq, m.from]
    case 'nack': return [codes.nack, m.seq, m.from]
    case 'alive': return [codes.alive, m.name, m.incarnation, m.endpoint.addr, m.endpoint.port, m.tags]
    case 'suspect': return [codes.suspect, m.name, m.incarnation, m.from]
    case 'dead': return [codes.dead, m.name, m.incarnation, m.from]
    case 'user':
      return [codes.user, m.id, m.name, m.ltime, m.payload ?? null, m.nodeFilter, m.serviceFilter, m.tagFilter]
    default: return assertNever(m)
  }
}

/** decodeMessage unpacks and validates one message body. */
export function decodeMessage(body: Uint8Array): GossipMessage {
  let raw: unknown
  try {
    raw = packr.unpack(body)
  } catch {
    throw new CodecError('garbage')
  }
  if (!Array.isArray(raw) || raw.length === 0) throw new CodecError('garbage')
  return fromTuple(raw)
}

function fromTuple(t: unknown[]): GossipMessage {
  switch (t[0]) {
    case codes.ping:
      return { type: 'ping', seq: uint(t[1]), target: name(t[2]), from: name(t[3]), source: endpoint(t[4], t[5]) }
    case codes['indirect-ping']:
      return {
        type: 'indirect-ping', seq: uint(t[1]), target: name(t[2]), targetAddr: endpoint(t[3], t[4]),
        from: name(t[5]), source: endpoint(t[6], t[7]), wantNack: bool(t[8]),
      }
    case codes.ack: return { type: 'ack', seq: uint(t[1]), from: name(t[2]) }
    case codes.nack: return { type: 'nack', seq: uint(t[1]), from: name(t[2]) }
    case codes.alive:
      return { type: 'alive', name: name(t[1]), incarnation: uint(t[2]), endpoint: endpoint(t[3], t[4]), tags: tags(t[5]) }
    case codes.suspect: return { type: 'suspect', name: name(t[1]), incarnation: uint(t[2]), from: name(t[3]) }
    case codes.dead: return { type: 'dead', name: name(t[1]), incarnation: uint(t[2]), from: name(t[3]) }
    case codes.user: return userEvent(t)
    default: throw new CodecError('garbage')
  }
}

function userEvent(t: unknown[]): UserEventMessage {
  const payload = t[4] === null || t[4] === undefined ? undefined : bytes(t[4])
  const event: UserEventMessage = {
    type: 'user', id: str(t[1], 64), name: str(t[2], gossipLimits.userEventBytesMax), ltime: uint(t[3]), payload,
    nodeFilter: str(t[5], 512), serviceFilter: str(t[6], 512), tagFilter: str(t[7], 512),
  }
  if (event.name.length + (payload?.length ?? 0) > gossipLimits.userEventBytesMax) throw new CodecError('oversized')
  return event
}

/** encodePacket frames messages as one UDP packet (single or compound). */
export function encodePacket(bodies: Uint8Array[]): Uint8Array {
  if (bodies.length === 1) {
    const out = new Uint8Array(1 + bodies[0]!.length)
    out[0] = PACKET_SINGLE
    out.set(bodies[0]!, 1)
    return out
  }
  if (bodies.length > gossipLimits.compoundMessagesMax) throw new Error('assertion failed: too many compound parts')
  let size = 2 + 2 * bodies.length
  for (const b of bodies) size += b.length
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  out[0] = PACKET_COMPOUND
  out[1] = bodies.length
  let offset = 2
  for (const b of bodies) { view.setUint16(offset, b.length); offset += 2 }
  for (const b of bodies) { out.set(b, offset); offset += b.length }
  return out
}

/** compoundOverheadBytes is what framing adds per message in a compound packet. */
export const compoundOverheadBytes = 2

/** decodePacket splits a plaintext packet into validated messages. */
export function decodePacket(packet: Uint8Array): GossipMessage[] {
  if (packet.length < 2) throw new CodecError('truncated')
  if (packet.length > gossipLimits.udpReceiveBytesMax) throw new CodecError('oversized')
  if (packet[0] === PACKET_SINGLE) return [decodeMessage(packet.subarray(1))]
  if (packet[0] !== PACKET_COMPOUND) throw new CodecError('garbage')
  const count = packet[1]!
  if (count === 0) throw new CodecError('garbage')
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength)
  let offset = 2 + 2 * count
  if (offset > packet.length) throw new CodecError('truncated')
  const out: GossipMessage[] = []
  for (let i = 0; i < count; i++) {
    const length = view.getUint16(2 + 2 * i)
    if (offset + length > packet.length) throw new CodecError('truncated')
    out.push(decodeMessage(packet.subarray(offset, offset + length)))
    offset += length
  }
  if (offset !== packet.length) throw new CodecError('garbage')
  return out
}

/** encodePushPull packs a full state for a TCP exchange. */
export function encodePushPull(state: PushPullState): Uint8Array {
  const members = state.members.map((m) => [m.name, m.endpoint.addr, m.endpoint.port, m.tags, m.incarnation, states.indexOf(m.state)])
  return packr.pack([state.join, state.from, members, state.eventLtime, state.events.map(toTuple)])
}

/** decodePushPull unpacks and validates a full state. */
export function decodePushPull(body: Uint8Array): PushPullState {
  if (body.length > gossipLimits.tcpMessageBytesMax) throw new CodecError('oversized')
  let raw: unknown
  try { raw = packr.unpack(body) } catch { throw new CodecError('garbage') }
  if (!Array.isArray(raw) || raw.length !== 5) throw new CodecError('garbage')
  const [join, from, members, eventLtime, events] = raw as unknown[]
  if (!Array.isArray(members) || members.length > gossipLimits.pushPullMembersMax) throw new CodecError('garbage')
  if (!Array.isArray(events) || events.length > gossipLimits.userEventBufferMax) throw new CodecError('garbage')
  return {
    join: bool(join), from: name(from), eventLtime: uint(eventLtime),
    members: members.map(pushPullMember),
    events: events.map((e) => {
      if (!Array.isArray(e) || e[0] !== codes.user) throw new CodecError('garbage')
      return userEvent(e)
    }),
  }
}

function pushPullMember(m: unknown): PushPullMember {
  if (!Array.isArray(m) || m.length !== 6) throw new CodecError('garbage')
  const state = states[uint(m[5])]
  if (state === undefined) throw new CodecError('garbage')
  return { name: name(m[0]), endpoint: endpoint(m[1], m[2]), tags: tags(m[3]), incarnation: uint(m[4]), state }
}

function uint(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new CodecError('garbage')
  return v
}
function bool(v: unknown): boolean {
  if (typeof v !== 'boolean') throw new CodecError('garbage')
  return v
}
function str(v: unknown, max: number): string {
  if (typeof v !== 'string') throw new CodecError('garbage')
  if (v.length > max) throw new CodecError('oversized')
  return v
}
function name(v: unknown): string {
  const s = str(v, gossipLimits.nodeNameBytesMax)
  if (s.length === 0) throw new CodecError('garbage')
  return s
}
function bytes(v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new CodecError('garbage')
  return new Uint8Array(v)
}
function endpoint(addr: unknown, port: unknown): Endpoint {
  const p = uint(port)
  if (p > 65_535) throw new CodecError('garbage')
  return { addr: str(addr, 64), port: p }
}
function tags(v: unknown): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) throw new CodecError('garbage')
  const out: Record<string, string> = {}
  let size = 0
  for (const [key, value] of Object.entries(v)) {
    if (key === '__proto__' || typeof value !== 'string') throw new CodecError('garbage')
    size += key.length + value.length
    out[key] = value
  }
  if (size > gossipLimits.tagsBytesMax) throw new CodecError('oversized')
  return out
}
