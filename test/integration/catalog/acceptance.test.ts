// Goal (issue 4 acceptance): a service with an HTTP check on a client and a TTL check on a
// server shows up healthy; a blocking `/v1/health/service/web?passing` watch on another server
// wakes when the HTTP target dies, within one check interval plus one sync; real `dig` against
// the DNS interface returns only the healthy instance; the leader keeps serfHealth and the
// `consul` service in the catalog; the npm `consul` client's agent/catalog/health/event calls
// work unchanged. Method: three servers + one client as Agent.start() in-process on 127.0.0.1
// (ports 24100–24499), membership and user events from an in-memory gossip double.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import Consul from 'consul'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent } from '../../../agent/agent.js'
import { silentLogger } from '../../../agent/agent-log.js'
import { loadRuntimeConfig } from '../../../agent/config/build.js'
import { ensureCatalogAgent, stopCatalogAgent } from '../../../agent/local/agent.js'
import { EventGossipNet } from './gossip-double.js'

const root = mkdtempSync(join(tmpdir(), 'zx-catalog-'))
const net = new EventGossipNet()
const agents = new Map<number, Agent>()
const httpPort = (i: number): number => 24200 + i
const dnsPort = (i: number): number => 24400 + i
const api = (i: number, path: string): string => `http://127.0.0.1:${httpPort(i)}${path}`
let target: Server
let targetPort = 0

function configFor(i: number, server: boolean) {
  const argv = ['-node', `node${i}`, '-data-dir', join(root, `node${i}`), '-bind', '127.0.0.1', '-client', '127.0.0.1',
    '-http-port', String(httpPort(i)), '-server-port', String(24100 + i), '-serf-lan-port', String(24300 + i), '-dns-port', String(dnsPort(i))]
  if (server) argv.push('-server', '-bootstrap-expect=3')
  return loadRuntimeConfig(argv, { env: {}, hostname: () => 'h', privateIps: () => [], pid: process.pid, tmpdir })
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

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: any; index: string | null }> {
  const response = await fetch(url, init)
  const text = await response.text()
  let body: unknown = text
  try { body = JSON.parse(text) } catch { /* plain text */ }
  return { status: response.status, body, index: response.headers.get('x-consul-index') }
}

beforeAll(async () => {
  target = createServer((_req, res) => res.end('ok'))
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve))
  targetPort = (target.address() as AddressInfo).port
  for (let i = 1; i <= 4; i++) {
    const agent = await Agent.start(configFor(i, i <= 3), { startGossip: net.start }, silentLogger)
    agents.set(i, agent)
    ensureCatalogAgent(agent.ctx)
  }
  await until('a leader', async () => ((await json(api(1, '/v1/status/leader'))).body || undefined))
})

afterAll(async () => {
  for (const agent of agents.values()) { await stopCatalogAgent(agent.ctx); await agent.shutdown() }
  target.closeAllConnections()
  await new Promise((resolve) => target.close(resolve))
  rmSync(root, { recursive: true, force: true })
})

describe('catalog acceptance', () => {
  it('registers every node with serfHealth and every server as the consul service', async () => {
    const nodes = await until('4 nodes', async () => {
      const { body } = await json(api(2, '/v1/catalog/nodes'))
      return Array.isArray(body) && body.length === 4 ? body : undefined
    })
    expect(nodes.map((n: { Node: string }) => n.Node)).toEqual(['node1', 'node2', 'node3', 'node4'])
    const consul = await until('consul service on 3 servers', async () => {
      const { body } = await json(api(4, '/v1/catalog/service/consul'))
      return Array.isArray(body) && body.length === 3 ? body : undefined
    })
    expect(consul[0]).toMatchObject({ ServiceName: 'consul', ServicePort: 24101 })
    const checks = (await json(api(3, '/v1/health/node/node4'))).body
    expect(checks).toEqual([expect.objectContaining({ CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing', Output: 'Agent alive and reachable' })])
  })

  it('drops a failed HTTP check out of a blocking passing watch and out of DNS', async () => {
    const register = (i: number, body: unknown) => fetch(api(i, '/v1/agent/service/register'), { method: 'PUT', body: JSON.stringify(body) })
    expect((await register(4, { ID: 'web-client', Name: 'web', Port: targetPort, Check: { HTTP: `http://127.0.0.1:${targetPort}/`, Interval: '1s', Timeout: '500ms' } })).status).toBe(200)
    expect((await register(1, { id: 'web-server', name: 'web', port: 9001, check: { ttl: '60s' } })).status).toBe(200)
    expect((await fetch(api(1, '/v1/agent/check/pass/service:web-server?note=up'), { method: 'PUT' })).status).toBe(200)
    const healthy = await until('2 passing web instances', async () => {
      const reply = await json(api(2, '/v1/health/service/web?passing'))
      return Array.isArray(reply.body) && reply.body.length === 2 ? reply : undefined
    })
    const watch = json(api(2, `/v1/health/service/web?passing&index=${healthy.index}&wait=30s`))
    const killedAt = Date.now()
    target.closeAllConnections()
    await new Promise((resolve) => target.close(resolve))
    const woke = await watch
    const elapsedMs = Date.now() - killedAt
    expect(woke.body.map((e: { Service: { ID: string } }) => e.Service.ID)).toEqual(['web-server'])
    expect(elapsedMs).toBeLessThan(1_000 + 1_500)
    console.log(`health change reached the blocking watcher ${elapsedMs} ms after the target died`)
    const { stdout } = await promisify(execFile)('dig', ['@127.0.0.1', '-p', String(dnsPort(2)), 'web.service.consul', 'SRV', '+short', '+time=2', '+tries=1'])
    expect(stdout.trim().split('\n')).toEqual(['1 1 9001 node1.node.dc1.consul.'])
    const { stdout: node } = await promisify(execFile)('dig', ['@127.0.0.1', '-p', String(dnsPort(4)), 'node1.node.consul', 'A', '+short', '+time=2', '+tries=1'])
    expect(node.trim()).toBe('127.0.0.1')
  })

  it('serves the npm consul client: agent, catalog, health and events', async () => {
    const consul = new Consul({ host: '127.0.0.1', port: httpPort(3) })
    await consul.agent.service.register({ name: 'api', id: 'api-3', port: 7000, tags: ['v1'], check: { ttl: '30s', status: 'passing' } } as never)
    expect(Object.keys(await consul.agent.service.list())).toContain('api-3')
    expect(Object.keys(await consul.agent.check.list())).toContain('service:api-3')
    await consul.agent.check.fail({ id: 'service:api-3', note: 'broken' } as never)
    const nodes = await until('api in catalog', async () => {
      const rows = await consul.catalog.service.nodes('api') as Array<{ ServiceID: string }>
      return rows.length === 1 ? rows : undefined
    })
    expect(nodes[0]).toMatchObject({ ServiceID: 'api-3', Node: 'node3', ServicePort: 7000 })
    const health = await until('critical api check', async () => {
      const rows = await consul.health.service('api') as Array<{ Checks: Array<{ Status: string }> }>
      return rows[0]?.Checks.some((c) => c.Status === 'critical') ? rows : undefined
    })
    expect(health).toHaveLength(1)
    expect(await consul.health.service({ service: 'api', passing: true } as never)).toEqual([])
    expect((await consul.health.state('critical') as Array<{ CheckID: string }>).map((c) => c.CheckID)).toContain('service:api-3')
    expect(Object.keys(await consul.catalog.service.list())).toEqual(expect.arrayContaining(['api', 'consul', 'web']))
    const fired = await consul.event.fire('deploy', 'v2') as { ID: string; Name: string }
    expect(fired.Name).toBe('deploy')
    const seen = await until('event on node1', async () => {
      const list = await new Consul({ host: '127.0.0.1', port: httpPort(1) }).event.list({ name: 'deploy' } as never) as Array<{ ID: string; Payload: string }>
      return list.length === 1 ? list : undefined
    })
    expect(seen[0]!.ID).toBe(fired.ID)
    await consul.agent.service.deregister('api-3')
    await until('api gone', async () => ((await consul.catalog.service.nodes('api') as unknown[]).length === 0 ? true : undefined))
  })

  it('marks a failed member critical and deregisters one that left', async () => {
    net.setStatus('node4', 'failed')
    const critical = await until('serfHealth critical', async () => {
      const { body } = await json(api(1, '/v1/health/node/node4'))
      return body.find?.((c: { CheckID: string; Status: string }) => c.CheckID === 'serfHealth' && c.Status === 'critical')
    })
    expect(critical.Output).toBe('Agent not live or unreachable')
    net.setStatus('node4', 'left')
    await until('node4 deregistered', async () => ((await json(api(1, '/v1/catalog/node/node4'))).body === null ? true : undefined))
  })
})
