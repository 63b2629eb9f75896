// Goal: `zx chaos kill-leader` finds the leader, kills that node through the runtime, and
// reports the new leader, its term and the recovery times; without a leader it reports
// "no quorum" instead of waiting; kill/pause/partition/heal reach the runtime.
// Method: FakeRuntime with node1–node4, undici MockAgent scripting the agents' answers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import ChaosKillLeader from '../../../commands/chaos/kill-leader.js'
import ChaosPause from '../../../commands/chaos/pause.js'
import ChaosPartition from '../../../commands/chaos/partition.js'
import ChaosHeal from '../../../commands/chaos/heal.js'
import { FakeRuntime } from '../../../src/runtime/fake.js'
import { setRuntimeFactory } from '../../../src/runtime/select.js'
import { planNodes } from '../../../src/cluster/layout.js'
import { installMockAgent, runCommand, type MockSetup } from './helpers.js'

let setup: MockSetup
let fake: FakeRuntime
let restoreFactory: () => void
beforeEach(async () => {
  setup = installMockAgent()
  fake = new FakeRuntime()
  await fake.up({ name: 'zx', nodes: planNodes(3, 1) }, () => {})
  restoreFactory = setRuntimeFactory(async () => fake, async () => false)
})
afterEach(async () => {
  restoreFactory()
  await setup.restore()
})

const config = (leader: string) => JSON.stringify({
  Index: 5, Servers: ['node1', 'node2', 'node3'].map((n, i) => ({ ID: n, Node: n, Address: `127.0.0.1:${8300 + 1000 * i}`, Leader: n === leader, Voter: true, ProtocolVersion: '3' })),
})

describe('zx chaos kill-leader', () => {
  it('kills the leader and reports the new leader, term and timings', async () => {
    const n1 = setup.mock.get('http://127.0.0.1:8500')
    const n2 = setup.mock.get('http://127.0.0.1:9500')
    n1.intercept({ path: '/v1/status/leader', method: 'GET' }).reply(200, '"127.0.0.1:8300"')
    n1.intercept({ path: '/v1/operator/raft/configuration?stale', method: 'GET' }).reply(200, config('node1'))
    n1.intercept({ path: '/v1/agent/self', method: 'GET' }).reply(200, '{"Stats":{"raft":{"term":"2"}}}')
    n2.intercept({ path: '/v1/status/leader', method: 'GET' }).reply(200, '"127.0.0.1:9300"').times(2)
    n2.intercept({ path: '/v1/operator/raft/configuration?stale', method: 'GET' }).reply(200, config('node2')).times(2)
    n2.intercept({ path: (p) => p.startsWith('/v1/kv/zx/chaos/kill-leader/'), method: 'PUT' }).reply(200, 'true')
    n2.intercept({ path: '/v1/agent/self', method: 'GET' }).reply(200, '{"Stats":{"raft":{"term":"3"}}}')
    const run = await runCommand(ChaosKillLeader, ['--json'])
    expect(run.exitCode).toBe(0)
    const result = JSON.parse(run.stdout) as Record<string, unknown>
    expect(result).toMatchObject({ oldLeader: 'node1', newLeader: 'node2', newTerm: 3 })
    expect(result.electionMs).toBeTypeOf('number')
    expect(fake.calls).toContain('kill KILL node1')
    expect(fake.nodes.get('node1')?.state).toBe('stopped')
  })

  it('says no quorum when no server knows a leader', async () => {
    for (const port of [8500, 9500, 10500]) setup.mock.get(`http://127.0.0.1:${port}`).intercept({ path: '/v1/status/leader', method: 'GET' }).reply(200, '""')
    const run = await runCommand(ChaosKillLeader, [])
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('no quorum')
    expect(fake.calls.some((c) => c.startsWith('kill'))).toBe(false)
  })
})

describe('zx chaos pause / partition / heal', () => {
  it('reach the runtime', async () => {
    expect((await runCommand(ChaosPause, ['node3'])).stdout).toBe('node3 paused\n')
    expect(fake.nodes.get('node3')?.state).toBe('paused')
    await runCommand(ChaosPartition, ['node2', '--from', 'node1'])
    expect(fake.calls).toContain('partition node2 from node1')
    expect((await runCommand(ChaosHeal, [])).stdout).toBe('Healed node2.\n')
  })
})
