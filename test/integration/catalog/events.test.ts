// Goal: user events as in Consul: /v1/event/fire/<name> with `node`, `service` and `tag`
// regular-expression filters is recorded only by the agents it selects (the firing agent too:
// it keeps its own event only if it matches), /v1/event/list filters by `name`, and a blocking
// list (`?index=`) wakes when a matching event arrives but not for other names. Method: three
// client agents in-process (Agent.start, no servers needed for events) on 127.0.0.1 ports
// 24600–24699, gossip and user events from the in-memory gossip double; node1 runs `web`
// tagged v1, node2 runs `db`, node3 runs nothing.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent } from '../../../agent/agent.js'
import { silentLogger } from '../../../agent/agent-log.js'
import { loadRuntimeConfig } from '../../../agent/config/build.js'
import { ensureCatalogAgent, stopCatalogAgent } from '../../../agent/local/agent.js'
import { EventGossipNet } from './gossip-double.js'

const root = mkdtempSync(join(tmpdir(), 'zx-events-'))
const net = new EventGossipNet()
const agents = new Map<number, Agent>()
const api = (i: number, path: string): string => `http://127.0.0.1:${24610 + i}${path}`

function configFor(i: number) {
  const argv = ['-node', `node${i}`, '-data-dir', join(root, `node${i}`), '-bind', '127.0.0.1', '-client', '127.0.0.1',
    '-http-port', String(24610 + i), '-server-port', String(24620 + i), '-serf-lan-port', String(24630 + i), '-dns-port', String(24640 + i)]
  return loadRuntimeConfig(argv, { env: {}, hostname: () => 'h', privateIps: () => [], pid: process.pid, tmpdir })
}

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: any; index: string | null }> {
  const response = await fetch(url, init)
  const text = await response.text()
  let body: unknown = text
  try { body = JSON.parse(text) } catch { /* plain text */ }
  return { status: response.status, body, index: response.headers.get('x-consul-index') }
}

const fire = (from: number, name: string, query = '') => json(api(from, `/v1/event/fire/${name}${query}`), { method: 'PUT', body: 'p' })
const names = async (i: number, name: string): Promise<string[]> => (await json(api(i, `/v1/event/list?name=${name}`))).body.map((e: { ID: string }) => e.ID)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

beforeAll(async () => {
  for (let i = 1; i <= 3; i++) {
    const agent = await Agent.start(configFor(i), { startGossip: net.start }, silentLogger)
    agents.set(i, agent)
    ensureCatalogAgent(agent.ctx)
  }
  const register = (i: number, body: unknown) => json(api(i, '/v1/agent/service/register'), { method: 'PUT', body: JSON.stringify(body) })
  expect((await register(1, { ID: 'web-1', Name: 'web', Tags: ['v1'], Port: 80 })).status).toBe(200)
  expect((await register(2, { ID: 'db-1', Name: 'db', Port: 5432 })).status).toBe(200)
}, 60_000)

afterAll(async () => {
  for (const agent of agents.values()) { await stopCatalogAgent(agent.ctx); await agent.shutdown() }
  rmSync(root, { recursive: true, force: true })
})

describe('user events', () => {
  it('delivers a filtered event only to the agents it selects', async () => {
    const cases: Array<[string, string, number[]]> = [
      ['e-all', '', [1, 2, 3]],
      ['e-node', '?node=node[12]', [1, 2]],
      ['e-web', '?service=web', [1]],
      ['e-web-v1', '?service=^w&tag=v1', [1]],
      ['e-web-v2', '?service=web&tag=v2', []],
      ['e-db-node1', '?service=db&node=node1', []],
      ['e-db', '?service=db', [2]],
    ]
    const fired = new Map<string, string>()
    for (const [name, query] of cases) {
      const reply = await fire(3, name, query)
      expect(reply.status, name).toBe(200)
      expect(reply.body).toMatchObject({ Name: name, Payload: Buffer.from('p').toString('base64'), Version: 1 })
      fired.set(name, reply.body.ID)
    }
    await sleep(300) // the double delivers after 5 ms; leave room for a loaded machine
    for (const [name, , expected] of cases) {
      for (let i = 1; i <= 3; i++) {
        expect(await names(i, name), `${name} on node${i}`).toEqual(expected.includes(i) ? [fired.get(name)] : [])
      }
    }
  })

  it('lists by name, everything without one', async () => {
    await fire(1, 'list-a')
    await fire(1, 'list-b')
    await sleep(200)
    const all = (await json(api(2, '/v1/event/list'))).body.map((e: { Name: string }) => e.Name)
    expect(all).toEqual(expect.arrayContaining(['list-a', 'list-b', 'e-all', 'e-node']))
    expect((await json(api(2, '/v1/event/list?name=list-a'))).body.map((e: { Name: string }) => e.Name)).toEqual(['list-a'])
  })

  it('blocks on the list until a matching event arrives', async () => {
    const first = await json(api(2, '/v1/event/list?name=wake'))
    expect(first.index).toBe('1') // no matching event: index 1, never 0
    const started = Date.now()
    const watch = json(api(2, `/v1/event/list?name=wake&index=${first.index}&wait=10s`))
    await sleep(300)
    await fire(1, 'other') // another name must not end the wait
    await sleep(300)
    await fire(1, 'wake')
    const woke = await watch
    expect(woke.body.map((e: { Name: string }) => e.Name)).toEqual(['wake'])
    expect(woke.index).not.toBe(first.index)
    expect(Date.now() - started).toBeGreaterThanOrEqual(550)
    expect(Date.now() - started).toBeLessThan(5_000)
    const idle = Date.now()
    const again = await json(api(2, `/v1/event/list?name=wake&index=${woke.index}&wait=1s`))
    expect(again.index).toBe(woke.index)
    expect(Date.now() - idle).toBeGreaterThanOrEqual(900)
  })

  it('rejects bad fire requests', async () => {
    expect((await fire(1, '_reserved')).status).toBe(400)
    expect((await fire(1, 'x', '?tag=v1')).status).toBe(400)
    expect((await fire(1, 'x', '?node=(')).status).toBe(400)
    const big = await json(api(1, '/v1/event/fire/big'), { method: 'PUT', body: 'x'.repeat(600) })
    expect(big.status).toBe(413)
  })
})
