// Goal: the gossip codec round-trips every message kind and never crashes on bad bytes: any
// truncated, oversized or random input raises a CodecError (which the driver counts and drops).
// Method: encode/decode each variant; then a seeded fuzz loop throws random and mutated bytes at
// decodePacket and decodePushPull and checks that only CodecError escapes.
import { describe, expect, it } from 'vitest'
import { CodecError, decodePacket, decodePushPull, encodeMessage, encodePacket, encodePushPull } from '../../../agent/gossip/codec.js'
import type { GossipMessage } from '../../../agent/gossip/core/messages.js'
import { pack } from 'msgpackr'
import { Xoshiro128 } from '../../../agent/util/prng.js'

const source = { addr: '127.0.0.1', port: 22001 }
const samples: GossipMessage[] = [
  { type: 'ping', seq: 7, target: 'n2', from: 'n1', source },
  { type: 'indirect-ping', seq: 8, target: 'n3', targetAddr: { addr: '10.0.0.3', port: 8301 }, from: 'n1', source, wantNack: true },
  { type: 'ack', seq: 7, from: 'n2' },
  { type: 'nack', seq: 8, from: 'n4' },
  { type: 'alive', name: 'n5', incarnation: 3, endpoint: source, tags: { role: 'consul', dc: 'dc1' } },
  { type: 'suspect', name: 'n5', incarnation: 3, from: 'n1' },
  { type: 'dead', name: 'n5', incarnation: 4, from: 'n5' },
  { type: 'user', id: 'abc', name: 'deploy', ltime: 12, payload: new Uint8Array([1, 2, 3]), nodeFilter: '', serviceFilter: 'web', tagFilter: '' },
]

function expectCodecErrorOrResult(fn: () => unknown): void {
  try { fn() } catch (error) { expect(error).toBeInstanceOf(CodecError) }
}

describe('gossip codec', () => {
  it('round-trips every message kind, alone and compound', () => {
    for (const m of samples) expect(decodePacket(encodePacket([encodeMessage(m)]))).toEqual([m])
    expect(decodePacket(encodePacket(samples.map(encodeMessage)))).toEqual(samples)
  })

  it('round-trips a push-pull state', () => {
    const state = {
      join: true, from: 'n1', eventLtime: 5,
      members: [{ name: 'n1', endpoint: source, tags: { role: 'node' }, incarnation: 2, state: 'alive' as const }],
      events: [samples[7] as Extract<GossipMessage, { type: 'user' }>],
    }
    expect(decodePushPull(encodePushPull(state))).toEqual(state)
  })

  it('rejects truncated packets, unknown kinds and wrong field types', () => {
    const packet = encodePacket(samples.map(encodeMessage))
    expect(() => decodePacket(packet.subarray(0, packet.length - 3))).toThrow(CodecError)
    expect(() => decodePacket(new Uint8Array([9, 1, 2]))).toThrow(CodecError)
    expect(() => decodePacket(new Uint8Array([1]))).toThrow(CodecError)
    expect(() => decodePacket(encodePacket([pack([3, 'one', 'x'])]))).toThrow(CodecError) // seq must be a number
    expect(() => decodePacket(encodePacket([pack([5, 'n', 1, 'a', 1, { k: 7 }])]))).toThrow(CodecError) // tag values are strings
    expect(() => decodePacket(encodePacket([pack([5, 'n', 1, 'a', 1, { k: 'v'.repeat(600) }])]))).toThrow(CodecError) // tags too big
  })

  it('survives 20,000 random and mutated inputs with only CodecError', () => {
    const rng = new Xoshiro128(1234)
    const valid = encodePacket(samples.map(encodeMessage))
    for (let i = 0; i < 20_000; i++) {
      let input: Uint8Array
      if (i % 2 === 0) {
        input = new Uint8Array(rng.int(200))
        for (let j = 0; j < input.length; j++) input[j] = rng.int(256)
      } else {
        input = valid.slice(0, 1 + rng.int(valid.length))
        for (let k = 0; k < 3; k++) input[rng.int(input.length)] = rng.int(256)
      }
      expectCodecErrorOrResult(() => decodePacket(input))
      expectCodecErrorOrResult(() => decodePushPull(input))
    }
  })
})
