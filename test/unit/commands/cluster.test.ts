// Goal: the cluster commands drive the Runtime interface correctly: `up` plans node1–node4
// (3 servers + 1 client, seed ports), records cluster.json, waits for a leader and all members
// through the HTTP API, prints the table and the UI URL, and is idempotent; stop/start/
// restart/down/logs reach the runtime. Method: FakeRuntime behind setRuntimeFactory, the
// Docker probe answering "no engine", and an undici MockAgent for the health checks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import ClusterUp from '../../../commands/cluster/up.js'
import ClusterDown from '../../../commands/cluster/down.js'
import ClusterStop from '../../../commands/cluster/stop.js'
import ClusterStart from '../../../commands/cluster/start.js'
import ClusterStatus from '../../../commands/cluster/status.js'
import ClusterLogs from '../../../commands/cluster/logs.js'
import { FakeRuntime } from '../../../src/runtime/fake.js'
import { setRuntimeFactory } from '../../../src/runtime/select.js'
import { readClusterState } from '../../../src/cluster/state.js'
import { installMockAgent, runCommand, type MockSetup } from './helpers.js'

let setup: MockSetup
let fake: FakeRuntime
let restoreFactory: () => void
beforeEach(() => {
  setup = installMockAgent()
  fake = new FakeRuntime()
  restoreFactory = setRuntimeFactory(async () => fake, async () => false)
})
afterEach(async () => {
  restoreFactory()
  await setup.restore()
})

const members = JSON.stringify(['node1', 'node2', 'node3', 'node4'].map((n, i) => ({ Name: n, Addr: `127.0.0.1`, Port: 8301 + 1000 * i, Status: 1, Tags: { role: i < 3 ? 'consul' : 'node' } })))
const raft = JSON.stringify({ Index: 1, Servers: [{ ID: 'a', Node: 'node2', Address: '127.0.0.1:9300', Leader: true, Voter: true, ProtocolVersion: '3' }] })

function mockHealthyCluster(): void {
  const node1 = setup.mock.get('http://127.0.0.1:8500')
  node1.intercept({ path: '/v1/status/leader', method: 'GET' }).reply(200, '"127.0.0.1:9300"')
  node1.intercept({ path: '/v1/operator/raft/configuration?stale', method: 'GET' }).reply(200, raft)
  node1.intercept({ path: '/v1/agent/self', method: 'GET' }).reply(200, '{"Config":{},"Stats":{"raft":{"term":"2"}}}')
  for (const port of [8500, 9500, 10500, 11500]) setup.mock.get(`http://127.0.0.1:${port}`).intercept({ path: '/v1/agent/members', method: 'GET' }).reply(200, members)
}

describe('zx cluster up', () => {
  it('starts node1–node4 as processes when no Docker engine answers, waits for a leader and prints the table', async () => {
    mockHealthyCluster()
    const run = await runCommand(ClusterUp, ['--servers', '3', '--clients', '1'])
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('No Docker engine answers: running the nodes as local zx agent processes on 127.0.0.1.')
    expect(run.stdout).toMatch(/node2\s+server\s+running\s+127\.0\.0\.1:9500\s+127\.0\.0\.1:9600\s+127\.0\.0\.1:9301\s+\*/)
    expect(run.stdout).toMatch(/node4\s+client\s+running\s+127\.0\.0\.1:11500/)
    expect(run.stdout).toContain('Leader node2 elected; all 4 members alive')
    expect(run.stdout).toContain('UI: http://127.0.0.1:8500/ui/')
    const state = await readClusterState('zx')
    expect(state?.runtime).toBe('process')
    expect(state?.nodes.map((n) => `${n.name}:${n.role}`)).toEqual(['node1:server', 'node2:server', 'node3:server', 'node4:client'])
  })

  it('is idempotent: a second up reports what runs and starts nothing', async () => {
    await runCommand(ClusterUp, ['--no-wait'])
    const second = await runCommand(ClusterUp, ['--no-wait'])
    expect(second.stdout).toContain('Cluster zx already runs (process).')
    expect(fake.calls.filter((c) => c.startsWith('up'))).toHaveLength(2)
  })

  it('refuses --runtime docker clearly when no engine answers', async () => {
    const run = await runCommand(ClusterUp, ['--runtime', 'docker', '--no-wait'])
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('no Docker engine answers')
  })

  it('lays out compact ports from --base-port for tests', async () => {
    await runCommand(ClusterUp, ['--no-wait', '--base-port', '25000', '--name', 'it'])
    const state = await readClusterState('it')
    expect(state?.nodes[3]?.ports).toEqual({ server: 25030, serfLan: 25031, serfWan: 25032, legacy: 25033, http: 25034, dns: 25035 })
  })
})

describe('zx cluster stop/start/status/logs/down', () => {
  it('stops and starts a node, shows status, and down removes everything', async () => {
    await runCommand(ClusterUp, ['--no-wait'])
    expect((await runCommand(ClusterStop, ['node2'])).stdout).toBe('node2 stopped\n')
    expect(fake.nodes.get('node2')?.state).toBe('stopped')
    setup.mock.get('http://127.0.0.1:8500').intercept({ path: '/v1/status/leader', method: 'GET' }).reply(200, '""')
    setup.mock.get('http://127.0.0.1:10500').intercept({ path: '/v1/status/leader', method: 'GET' }).reply(200, '""')
    const status = await runCommand(ClusterStatus, [])
    expect(status.stdout).toMatch(/node2\s+server\s+stopped/)
    expect(status.stdout).toContain('No leader')
    await runCommand(ClusterStart, ['node2'])
    expect(fake.nodes.get('node2')?.state).toBe('running')
    const down = await runCommand(ClusterDown, ['--volumes'])
    expect(down.stdout).toBe('Removed node1, node2, node3, node4 and their data.\n')
    expect(await readClusterState('zx')).toBeUndefined()
  })

  it('stop of an unknown node exits 1 with the runtime\'s message', async () => {
    await runCommand(ClusterUp, ['--no-wait'])
    const run = await runCommand(ClusterStop, ['node9'])
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('no node node9')
  })

  it('logs asks the runtime for the node\'s output', async () => {
    await runCommand(ClusterUp, ['--no-wait'])
    fake.logText = 'agent: started\n'
    const run = await runCommand(ClusterLogs, ['node3'])
    expect(run.stdout).toBe('agent: started\n')
    expect(fake.calls).toContain('logs node3 follow=false')
  })
})
