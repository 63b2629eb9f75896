// Goal: one client cannot park unbounded connections (Consul http_max_conns_per_client = 200),
// and garbage on the socket never crashes the agent.
// Method: raw TCP sockets against the real HTTP server over Fsm + FakeRaft.
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from './harness.js'

let h: Harness
beforeAll(async () => { h = await startHarness() })
afterAll(async () => { await h.close() })

const port = (): number => Number(new URL(h.url).port)

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port(), '127.0.0.1', () => resolve(socket))
    socket.on('error', reject)
  })
}

describe('http limits', () => {
  it('refuses connections beyond 200 per client and serves again once they close', async () => {
    const sockets: Socket[] = []
    for (let i = 0; i < 200; i++) sockets.push(await open())
    const extra = await open()
    let answer = ''
    extra.on('data', (chunk) => { answer += chunk.toString() })
    const closed = await new Promise<boolean>((resolve) => {
      extra.once('close', () => resolve(true))
      setTimeout(() => resolve(false), 2_000)
    })
    expect(closed).toBe(true)
    expect(answer).toMatch(/^HTTP\/1.1 429 Too Many Requests/)
    expect(answer).toContain('Your IP is issuing too many concurrent connections')
    expect(h.api.rejectedConnections).toBeGreaterThanOrEqual(1)
    for (const s of sockets) s.destroy()
    await new Promise((r) => setTimeout(r, 100))
    expect((await fetch(`${h.url}/v1/status/leader`)).status).toBe(200)
  })

  it('survives garbage bytes and half requests', async () => {
    const s = await open()
    s.write('\x00\x01GARBAGE / HTTP/9.9\r\n\r\n')
    const t = await open()
    t.write('PUT /v1/kv/x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc')
    t.destroy()
    await new Promise((r) => setTimeout(r, 100))
    s.destroy()
    expect((await fetch(`${h.url}/v1/status/leader`)).status).toBe(200)
  })
})
