// Goal: real Consul clients work against a zx agent: the npm `consul` client (kv, txn, session,
// lock recipe, status, agent) and python-consul2 (Debian python3-consul2). Also: a session dies
// and its lock is released when its node's serfHealth check goes critical.
// Method: one -bootstrap server started in-process (real RaftNode, RPC, HTTP on 127.0.0.1:234xx);
// a test plugin registers the node with a passing serfHealth through Raft, standing in for the
// catalog reconciler; then the clients run their calls and a python script runs as a child.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Consul from 'consul'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent } from '../../../agent/agent.js'
import { silentLogger } from '../../../agent/agent-log.js'
import { loadRuntimeConfig } from '../../../agent/config/build.js'
import { propose } from '../../../agent/endpoints/blocking.js'
import type { AgentContext } from '../../../agent/endpoints/context.js'
import { MessageType } from '../../../agent/state/commands.js'
import { MemGossipNet } from './mem-gossip.js'

const HTTP = 23401
const root = mkdtempSync(join(tmpdir(), 'zx-compat-'))
let agent: Agent
const consul = new Consul({ host: '127.0.0.1', port: HTTP })

function serfHealth(status: string) {
  return { CheckID: 'serfHealth', Name: 'Serf Health Status', Status: status, Notes: '', Output: '', ServiceID: '', Type: '', Definition: {} }
}

async function registerNode(ctx: AgentContext, status: string): Promise<void> {
  await propose(ctx, MessageType.Register, {
    Node: 'compat1', ID: ctx.nodeId, Address: '127.0.0.1', Datacenter: 'dc1', TaggedAddresses: {}, NodeMeta: {},
    Service: undefined, Checks: [serfHealth(status)], SkipNodeUpdate: false,
  })
}

beforeAll(async () => {
  const config = loadRuntimeConfig(['-server', '-bootstrap', '-node', 'compat1', '-data-dir', join(root, 'd'), '-bind', '127.0.0.1',
    '-http-port', String(HTTP), '-server-port', '23400', '-serf-lan-port', '23402', '-serf-wan-port', '23403', '-dns-port', '23404'], { env: {}, hostname: () => 'h', privateIps: () => [], pid: 1, tmpdir })
  agent = await Agent.start(config, { startGossip: new MemGossipNet().start, plugins: [] }, silentLogger)
  const deadline = Date.now() + 10_000
  while (agent.ctx.server!.raft.status().role !== 'leader' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  await registerNode(agent.ctx, 'passing')
})

afterAll(async () => {
  await agent?.shutdown()
  rmSync(root, { recursive: true, force: true })
})

describe('npm consul client', () => {
  it('kv, keys, cas, delete', async () => {
    expect(await consul.kv.set('eleven', '11')).toBe(true)
    const item = await consul.kv.get('eleven') as { Value: string; Key: string }
    expect(item).toMatchObject({ Key: 'eleven', Value: '11' })
    await consul.kv.set('dir/a', 'a')
    await consul.kv.set('dir/b/c', 'c')
    expect(await consul.kv.keys({ key: 'dir/', separator: '/' })).toEqual(['dir/a', 'dir/b/'])
    expect(await consul.kv.set({ key: 'eleven', value: 'x', cas: 1 })).not.toBe(true)
    await consul.kv.del({ key: 'dir/', recurse: true })
    expect(await consul.kv.get('dir/a')).toBeUndefined()
  })

  it('transactions', async () => {
    const result = await consul.transaction.create([
      { KV: { Verb: 'set', Key: 'tx/one', Value: Buffer.from('1').toString('base64') } },
      { KV: { Verb: 'get', Key: 'eleven' } },
    ]) as { Results: { KV: { Key: string } }[] }
    expect(result.Results.map((r) => r.KV.Key)).toEqual(['tx/one', 'eleven'])
  })

  it('sessions and the lock recipe', async () => {
    const { ID } = await consul.session.create({ name: 'lock', ttl: '15s', lockdelay: '1s' }) as { ID: string }
    const info = await consul.session.info(ID) as { ID: string; NodeChecks: string[] }
    expect(info).toMatchObject({ ID, NodeChecks: ['serfHealth'] })
    expect(((await consul.session.renew(ID)) as { ID: string }[])[0]!.ID).toBe(ID)
    expect(await consul.kv.set({ key: 'service/job/.lock', value: 'me', acquire: ID, flags: 3 })).toBe(true)
    const other = await consul.session.create({ lockdelay: '0s' }) as { ID: string }
    expect(await consul.kv.set({ key: 'service/job/.lock', value: 'them', acquire: other.ID })).not.toBe(true)
    expect(await consul.kv.set({ key: 'service/job/.lock', value: 'me', release: ID })).toBe(true)
    expect(await consul.kv.set({ key: 'service/job/.lock', value: 'them', acquire: other.ID })).toBe(true)
    expect((await consul.session.list() as unknown[]).length).toBeGreaterThanOrEqual(2)
    await consul.session.destroy(ID)
    await consul.session.destroy(other.ID)
  })

  it('status and agent', async () => {
    expect(await consul.status.leader()).toBe('127.0.0.1:23400')
    expect(await consul.status.peers()).toEqual(['127.0.0.1:23400'])
    const self = await consul.agent.self() as { Config: { NodeName: string } }
    expect(self.Config.NodeName).toBe('compat1')
    const members = await consul.agent.members() as { Name: string; Status: number }[]
    expect(members).toEqual([expect.objectContaining({ Name: 'compat1', Status: 1 })])
  })
})

describe('session invalidation by health', () => {
  it('releases the lock when serfHealth goes critical', async () => {
    const { ID } = await consul.session.create({ lockdelay: '0s' }) as { ID: string }
    expect(await consul.kv.set({ key: 'health/lock', value: 'x', acquire: ID })).toBe(true)
    await registerNode(agent.ctx, 'critical')
    expect(await consul.session.info(ID)).toBeUndefined()
    const pair = await consul.kv.get('health/lock') as { Session?: string }
    expect(pair.Session).toBeUndefined()
    await expect(consul.session.create({})).rejects.toThrow(/Check 'serfHealth' is in critical state/)
    await registerNode(agent.ctx, 'passing')
  })
})

describe('python-consul2', () => {
  it('runs kv, txn, session, lock and status calls', async () => {
    const script = `
import consul, base64
c = consul.Consul(host='127.0.0.1', port=${HTTP})
assert c.kv.put('py/key', 'value') is True
index, data = c.kv.get('py/key')
assert data['Value'] == b'value', data
assert int(index) > 0
sid = c.session.create(name='py', ttl=20, lock_delay=0)
assert c.kv.put('py/lock', 'held', acquire=sid) is True
index, data = c.kv.get('py/lock')
assert data['Session'] == sid, data
assert c.kv.put('py/lock', 'held', release=sid) is True
r = c.txn.put([{'KV': {'Verb': 'set', 'Key': 'py/txn', 'Value': base64.b64encode(b'1').decode()}}])
assert r['Results'][0]['KV']['Key'] == 'py/txn', r
assert c.status.leader() == '127.0.0.1:23400'
index, sessions = c.session.list()
assert any(s['ID'] == sid for s in sessions)
c.session.destroy(sid)
index, keys = c.kv.get('py/', keys=True)
assert keys == ['py/key', 'py/lock', 'py/txn'], keys
print('ok')
`
    const traced = script.split('\n').map((line) => (line.trim() === '' || line.startsWith(' ') ? line : `${line}\nprint(${JSON.stringify(line.slice(0, 40))}, flush=True)`)).join('\n')
    let out: string
    try {
      // Async: the agent runs in this process, so its event loop must keep serving meanwhile.
      out = (await promisify(execFile)('/usr/bin/python3', ['-u', '-c', traced], { encoding: 'utf8', timeout: 15_000 })).stdout
    } catch (error) {
      throw new Error(`python failed: ${String((error as { stdout?: string }).stdout)} ${String((error as { stderr?: string }).stderr)}`)
    }
    expect(out.trim().split('\n')).toContain('ok')
  })
})
