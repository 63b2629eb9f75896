// Goal: the catalog/health/agent HTTP surface on one real agent behaves like Consul's: catalog
// register/deregister with tag, node-meta and filter reads, a blocking catalog read woken by a
// write, 400 for a bad filter, health/state, agent health summaries (200/429/503/404 and
// ?format=text), maintenance mode, and agent registrations that survive an agent restart.
// Method: one -bootstrap server started with Agent.start() on 127.0.0.1 ports 24600–24699 and
// the in-memory gossip double; plain fetch calls.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent } from '../../../agent/agent.js'
import { silentLogger } from '../../../agent/agent-log.js'
import { loadRuntimeConfig } from '../../../agent/config/build.js'
import { EventGossipNet } from './gossip-double.js'

const root = mkdtempSync(join(tmpdir(), 'zx-catalog-api-'))
let agent: Agent | undefined
const base = 'http://127.0.0.1:24610'

async function start(): Promise<void> {
  const argv = ['-node', 'solo', '-data-dir', join(root, 'solo'), '-bind', '127.0.0.1', '-client', '127.0.0.1', '-server', '-bootstrap',
    '-http-port', '24610', '-server-port', '24611', '-serf-lan-port', '24612', '-serf-wan-port', '24613', '-dns-port', '24614']
  const config = loadRuntimeConfig(argv, { env: {}, hostname: () => 'h', privateIps: () => [], pid: process.pid, tmpdir })
  agent = await Agent.start(config, { startGossip: new EventGossipNet().start }, silentLogger)
  await until('a leader', async () => ((await call('GET', '/v1/status/leader')).body || undefined))
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await fn().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; index: number }> {
  const response = await fetch(base + path, { method, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) })
  const text = await response.text()
  let parsed: unknown = text
  try { parsed = JSON.parse(text) } catch { /* text */ }
  return { status: response.status, body: parsed, index: Number(response.headers.get('x-consul-index') ?? 0) }
}

beforeAll(start)
afterAll(async () => { await agent?.shutdown(); rmSync(root, { recursive: true, force: true }) })

describe('catalog HTTP API', () => {
  it('registers through the catalog and reads with tag, node-meta and filter', async () => {
    expect((await call('PUT', '/v1/catalog/register', { Node: 'ext1', Address: '10.9.0.1', NodeMeta: { rack: 'a' }, Service: { Service: 'redis', ID: 'r1', Tags: ['primary', 'v6'], Port: 6379, Meta: { ver: '6' } } })).body).toBe(true)
    expect((await call('PUT', '/v1/catalog/register', { node: 'ext2', address: '10.9.0.2', node_meta: { rack: 'b' }, service: { service: 'redis', id: 'r2', tags: ['replica'], port: 6380 } })).body).toBe(true)
    expect((await call('GET', '/v1/catalog/service/redis?tag=primary')).body.map((r: { ServiceID: string }) => r.ServiceID)).toEqual(['r1'])
    expect((await call('GET', '/v1/catalog/service/redis?node-meta=rack:b')).body.map((r: { ServiceID: string }) => r.ServiceID)).toEqual(['r2'])
    expect((await call('GET', `/v1/catalog/service/redis?filter=${encodeURIComponent('ServiceMeta.ver == "6" and "v6" in ServiceTags')}`)).body.map((r: { ServiceID: string }) => r.ServiceID)).toEqual(['r1'])
    expect((await call('GET', '/v1/catalog/services')).body).toMatchObject({ redis: ['primary', 'replica', 'v6'] })
    expect((await call('GET', '/v1/catalog/services?node-meta=rack:b')).body).toEqual({ redis: ['replica'] })
    const node = (await call('GET', '/v1/catalog/node/ext1')).body
    expect(node).toMatchObject({ Node: { Node: 'ext1', Meta: { rack: 'a' } }, Services: { r1: { Service: 'redis', Port: 6379 } } })
    expect((await call('GET', '/v1/catalog/node-services/ext2')).body.Services).toHaveLength(1)
    expect((await call('GET', '/v1/catalog/node/nope')).body).toBeNull()
    expect((await call('GET', '/v1/catalog/datacenters')).body).toEqual(['dc1'])
    const bad = await call('GET', '/v1/catalog/nodes?filter=Node%20~%20x')
    expect(bad.status).toBe(400)
    expect(String(bad.body)).toMatch(/Failed to create boolean expression evaluator/)
    expect((await call('PUT', '/v1/catalog/register', '{not json')).status).toBe(400)
    expect((await call('PUT', '/v1/catalog/register', { Node: 'x' })).status).toBe(400)
  })

  it('wakes a blocking catalog read on a write and deregisters', async () => {
    const first = await call('GET', '/v1/catalog/service/redis')
    const started = Date.now()
    const watch = call('GET', `/v1/catalog/service/redis?index=${first.index}&wait=20s`)
    await new Promise((r) => setTimeout(r, 100))
    await call('PUT', '/v1/catalog/deregister', { Node: 'ext2', ServiceID: 'r2' })
    const woke = await watch
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(woke.index).toBeGreaterThan(first.index)
    expect(woke.body.map((r: { ServiceID: string }) => r.ServiceID)).toEqual(['r1'])
    await call('PUT', '/v1/catalog/deregister', { Node: 'ext2' })
    expect((await call('GET', '/v1/catalog/node/ext2')).body).toBeNull()
  })

  it('answers health and agent health summaries with Consul status codes', async () => {
    await call('PUT', '/v1/agent/service/register', { Name: 'api', ID: 'api1', Port: 8080, Checks: [{ TTL: '30s', Status: 'passing' }, { Name: 'second', TTL: '30s', Status: 'passing' }] })
    expect((await call('GET', '/v1/agent/health/service/id/api1')).status).toBe(200)
    await call('PUT', '/v1/agent/check/warn/service:api1:2?note=slow')
    const warn = await call('GET', '/v1/agent/health/service/name/api?format=text')
    expect([warn.status, warn.body]).toEqual([429, 'warning'])
    await call('PUT', '/v1/agent/check/update/service:api1:1', { Status: 'critical', Output: 'down' })
    expect((await call('GET', '/v1/agent/health/service/id/api1')).status).toBe(503)
    expect((await call('GET', '/v1/agent/health/service/id/ghost')).status).toBe(404)
    expect((await call('GET', '/v1/agent/checks')).body['service:api1:1']).toMatchObject({ Status: 'critical', Output: 'down', ServiceName: 'api', Node: 'solo' })
    const critical = await until('critical api check in the catalog', async () => {
      const { body } = await call('GET', '/v1/health/state/critical')
      return body.find?.((c: { CheckID: string }) => c.CheckID === 'service:api1:1')
    })
    expect(critical).toMatchObject({ ServiceName: 'api', Output: 'down', Type: 'ttl' })
    expect((await call('GET', '/v1/health/state/bogus')).status).toBe(400)
    expect((await call('GET', '/v1/health/checks/api')).body).toHaveLength(2)
    await call('PUT', '/v1/agent/service/maintenance/api1?enable=true&reason=patching')
    const maintenance = await call('GET', '/v1/agent/health/service/id/api1')
    expect([maintenance.status, maintenance.body.AggregatedStatus]).toEqual([503, 'maintenance'])
    expect((await call('PUT', '/v1/agent/service/maintenance/api1')).status).toBe(400)
    await call('PUT', '/v1/agent/service/maintenance/api1?enable=false')
    expect((await call('GET', '/v1/agent/service/api1')).body).toMatchObject({ ID: 'api1', Service: 'api', Port: 8080, ContentHash: expect.any(String) })
    expect((await call('PUT', '/v1/agent/check/register', { Name: 'script', Args: ['true'], Interval: '10s' })).status).toBe(400)
    await call('PUT', '/v1/agent/maintenance?enable=true&reason=rack%20swap')
    expect((await call('GET', '/v1/agent/checks')).body._node_maintenance).toMatchObject({ Status: 'critical', Notes: 'rack swap', Name: 'Node Maintenance Mode' })
    await call('PUT', '/v1/agent/maintenance?enable=false')
    expect((await call('GET', '/v1/agent/checks')).body).not.toHaveProperty('_node_maintenance')
  })

  it('keeps agent registrations across a restart', async () => {
    await call('PUT', '/v1/agent/service/register', { Name: 'keeper', ID: 'keep1', Port: 1234, Tags: ['x'], Check: { TTL: '5m', Status: 'passing' } })
    await agent!.shutdown()
    agent = undefined
    await start()
    expect((await call('GET', '/v1/agent/services')).body).toHaveProperty('keep1')
    expect((await call('GET', '/v1/agent/checks')).body['service:keep1']).toMatchObject({ Status: 'passing' })
    const rows = await until('keeper in the catalog after restart', async () => {
      const { body } = await call('GET', '/v1/health/service/keeper?passing')
      return body.length === 1 ? body : undefined
    })
    expect(rows[0].Service).toMatchObject({ ID: 'keep1', Port: 1234, Tags: ['x'] })
  })
})
