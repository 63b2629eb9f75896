// Goal: bad gossip input never crashes a pool: garbage, truncated, wrong-key and replayed UDP
// packets and a garbage TCP frame are dropped and counted by reason, and the pool keeps working.
// Method: a real encrypted pool on 127.0.0.1:22140; raw dgram/net sockets throw bytes at it.
import { createSocket } from 'node:dgram'
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { GossipPool } from '../../../agent/gossip/pool.js'
import { Keyring, generateKey } from '../../../agent/gossip/crypto.js'
import { encodeMessage, encodePacket } from '../../../agent/gossip/codec.js'

const log = { info: () => undefined, warn: () => undefined }
const key = generateKey()
const pools: GossipPool[] = []

afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.close()
})

async function send(packets: Uint8Array[], port: number): Promise<void> {
  const socket = createSocket('udp4')
  for (const p of packets) await new Promise<void>((resolve) => socket.send(p, port, '127.0.0.1', () => resolve()))
  socket.close()
}

describe('GossipPool bad input', () => {
  it('drops and counts garbage, wrong-key, replayed and malformed packets, then still joins', async () => {
    const ring = new Keyring([key])
    const a = await GossipPool.start({ name: 'a', bindAddr: '127.0.0.1', bindPort: 22140, tags: {}, keyring: ring, profile: 'local', log })
    pools.push(a)
    const ping = encodePacket([encodeMessage({ type: 'ping', seq: 1, target: 'a', from: 'x', source: { addr: '127.0.0.1', port: 22149 } })])
    const sealed = ring.seal(ping)
    const garbage = new Uint8Array(300).map((_, i) => (i * 37) & 255)
    await send([
      garbage, sealed.subarray(0, 20), new Keyring([generateKey()]).seal(ping), sealed, sealed,
      ring.seal(new Uint8Array([2, 5, 0, 1])), ring.seal(ping.subarray(0, ping.length - 2)),
    ], 22140)
    // A garbage TCP frame: a length prefix promising more than the cap.
    const tcp = connect({ host: '127.0.0.1', port: 22140 })
    await new Promise<void>((resolve) => tcp.once('connect', () => resolve()))
    tcp.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]))
    await new Promise((resolve) => setTimeout(resolve, 300))
    tcp.destroy()
    const stats = a.stats()
    expect(stats['dropped.decrypt']).toBeGreaterThanOrEqual(3)
    expect(stats['dropped.replay']).toBe(1)
    expect((stats['dropped.truncated'] ?? 0) + (stats['dropped.garbage'] ?? 0)).toBeGreaterThanOrEqual(2)
    expect(stats['dropped.stream']).toBe(1)
    const b = await GossipPool.start({ name: 'b', bindAddr: '127.0.0.1', bindPort: 22141, tags: {}, keyring: new Keyring([key]), profile: 'local', log })
    pools.push(b)
    expect(await b.join(['127.0.0.1:22140'])).toBe(1)
  })
})
