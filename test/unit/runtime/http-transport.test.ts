// Goal: without a dispatcher (the CLI's normal case) HttpTransport talks node:http, not undici,
// and keeps the same contract: X-Consul-* headers decoded, bodies sent and read whole, 500 "No
// cluster leader" → ZX_ERR_NO_QUORUM, refused → ZX_ERR_AGENT_UNREACHABLE, slow → ZX_ERR_TIMEOUT.
// Method: a real HTTP server on 127.0.0.1 port 0; the test checks undici's global dispatcher is
// not installed, so the node:http path is the one exercised.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { HttpTransport } from '../../../src/api/http.js'

let server: Server
let address: string
const seen: Array<{ method: string; url: string; body: string; token: string | undefined }> = []

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString(), token: req.headers['x-consul-token'] as string | undefined })
      if (req.url?.startsWith('/slow')) return void setTimeout(() => res.end('late'), 2_000)
      if (req.url?.startsWith('/noleader')) { res.statusCode = 500; return void res.end('No cluster leader') }
      res.setHeader('X-Consul-Index', '42')
      res.setHeader('X-Consul-KnownLeader', 'true')
      res.setHeader('X-Consul-LastContact', '0')
      res.end('x'.repeat(100_000))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

describe('HttpTransport over node:http', () => {
  it('runs without undici\'s global dispatcher', () => {
    expect((globalThis as Record<symbol, unknown>)[Symbol.for('undici.globalDispatcher.1')]).toBeUndefined()
  })

  it('sends query, token and body, and decodes headers and a large body', async () => {
    const t = new HttpTransport({ address, token: 'secret' })
    const res = await t.send({ method: 'PUT', path: '/v1/kv/a b', query: { cas: 0, recurse: true }, body: 'héllo' })
    expect(res.status).toBe(200)
    expect(res.index).toBe(42n)
    expect(res.knownLeader).toBe(true)
    expect(res.lastContactMs).toBe(0)
    expect(res.body.length).toBe(100_000)
    expect(seen.at(-1)).toEqual({ method: 'PUT', url: '/v1/kv/a%20b?cas=0&recurse', body: 'héllo', token: 'secret' })
  })

  it('maps no leader, refused and slow answers to their error codes', async () => {
    const t = new HttpTransport({ address })
    await expect(t.send({ method: 'GET', path: '/noleader' })).rejects.toMatchObject({ code: 'ZX_ERR_NO_QUORUM' })
    await expect(t.send({ method: 'GET', path: '/slow', timeoutMs: 200 })).rejects.toMatchObject({ code: 'ZX_ERR_TIMEOUT' })
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    await expect(new HttpTransport({ address: `127.0.0.1:${port}` }).send({ method: 'GET', path: '/' })).rejects.toMatchObject({ code: 'ZX_ERR_AGENT_UNREACHABLE' })
  })
})
