// Goal: outbound cluster connections leave from the agent's bind address when it has one (so a
// per-node loopback address identifies the node to peers and to firewall rules), and from the
// kernel's choice otherwise.
// Method: dialSource's table of cases; then a real RpcClientPool and gossip request dial a plain
// TCP server on 127.0.0.1 and the server reports the peer address it saw.
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { dialSource } from '../../../agent/util/dial-source.js'
import { RpcClientPool } from '../../../agent/rpc/client-pool.js'
import { request } from '../../../agent/gossip/transport.js'

const servers: net.Server[] = []
afterEach(() => { for (const s of servers.splice(0)) s.close() })

/** listen starts a server that records each connection's remote address and then hangs up. */
async function listen(): Promise<{ port: number; seen: Promise<string> }> {
  let resolveSeen: (address: string) => void = () => {}
  const seen = new Promise<string>((resolve) => { resolveSeen = resolve })
  const server = net.createServer((socket) => { resolveSeen(socket.remoteAddress ?? ''); socket.destroy() })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as net.AddressInfo).port, seen }
}

describe('dialSource', () => {
  it('uses a specific bind address of the same family only', () => {
    expect(dialSource('127.0.0.12', '127.0.0.1')).toBe('127.0.0.12')
    expect(dialSource('0.0.0.0', '127.0.0.1')).toBeUndefined()
    expect(dialSource('::', '::1')).toBeUndefined()
    expect(dialSource(undefined, '127.0.0.1')).toBeUndefined()
    expect(dialSource('127.0.0.12', '::1')).toBeUndefined()
    expect(dialSource('127.0.0.12', 'node2.example')).toBeUndefined()
  })

  it('makes the rpc pool connect from the bind address', async () => {
    const { port, seen } = await listen()
    const pool = new RpcClientPool({ bindAddr: '127.0.0.12' })
    const call = pool.call(`127.0.0.1:${port}`, 'Status.Ping', [], 2_000).catch(() => undefined)
    expect(await seen).toBe('127.0.0.12')
    await call
    pool.close()
  })

  it('makes a gossip stream request connect from the given local address', async () => {
    const { port, seen } = await listen()
    const done = request('127.0.0.1', port, new Uint8Array([1]), 2_000, '127.0.0.13').catch(() => undefined)
    expect(await seen).toBe('127.0.0.13')
    await done
  })
})
