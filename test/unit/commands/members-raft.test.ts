// Goal: `zx members` and `zx raft list-peers|remove-peer|transfer-leader` print Consul's
// columns and call Consul's endpoints; `members --status` with no match exits 2 like consul.
// Method: command classes run through oclif against an undici MockAgent (net connect off).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import Members from '../../../commands/members.js'
import RaftListPeers from '../../../commands/raft/list-peers.js'
import RaftRemovePeer from '../../../commands/raft/remove-peer.js'
import RaftTransferLeader from '../../../commands/raft/transfer-leader.js'
import Join from '../../../commands/join.js'
import Ui from '../../../commands/ui.js'
import { agentOrigin, installMockAgent, runCommand, type MockSetup } from './helpers.js'

let setup: MockSetup
beforeEach(() => { setup = installMockAgent() })
afterEach(async () => { await setup.restore() })

const member = (name: string, addr: string, role: string, status = 1) => ({
  Name: name, Addr: addr, Port: 8301, Status: status,
  Tags: { role, dc: 'dc1', build: '0.1.0:zx', vsn: '2', ...(role === 'consul' ? { port: '8300', expect: '3' } : {}) },
})
const raftConfig = {
  Index: 12,
  Servers: [
    { ID: 'id-1', Node: 'node1', Address: '172.18.0.2:8300', Leader: true, Voter: true, ProtocolVersion: '3' },
    { ID: 'id-2', Node: 'node2', Address: '172.18.0.3:8300', Leader: false, Voter: true, ProtocolVersion: '3' },
  ],
}

describe('zx members', () => {
  it('lists servers first, then clients, in consul\'s columns', async () => {
    const body = [member('node4', '172.18.0.5', 'node'), member('node2', '172.18.0.3', 'consul', 4), member('node1', '172.18.0.2', 'consul')]
    setup.mock.get(agentOrigin).intercept({ path: '/v1/agent/members', method: 'GET' }).reply(200, JSON.stringify(body))
    const run = await runCommand(Members, [])
    expect(run.stdout.split('\n').slice(0, 4)).toEqual([
      'Node   Address          Status  Type    Build  Protocol  DC   Partition  Segment',
      'node1  172.18.0.2:8301  alive   server  0.1.0  2         dc1  default    <all>',
      'node2  172.18.0.3:8301  failed  server  0.1.0  2         dc1  default    <all>',
      'node4  172.18.0.5:8301  alive   client  0.1.0  2         dc1  default    <default>',
    ])
  })

  it('exits 2 when --status matches nobody', async () => {
    setup.mock.get(agentOrigin).intercept({ path: '/v1/agent/members', method: 'GET' }).reply(200, JSON.stringify([member('node1', '10.0.0.1', 'consul')]))
    const run = await runCommand(Members, ['--status', 'failed'])
    expect(run.exitCode).toBe(2)
  })

  it('asks for the WAN pool with --wan and prints sorted tags with --detailed', async () => {
    setup.mock.get(agentOrigin).intercept({ path: '/v1/agent/members?wan', method: 'GET' }).reply(200, JSON.stringify([member('node1.dc1', '10.0.0.1', 'consul')]))
    const run = await runCommand(Members, ['--wan', '--detailed'])
    expect(run.stdout).toContain('build=0.1.0:zx,dc=dc1,expect=3,port=8300,role=consul,vsn=2')
  })
})

describe('zx raft', () => {
  it('list-peers prints Node ID Address State Voter RaftProtocol', async () => {
    setup.mock.get(agentOrigin).intercept({ path: '/v1/operator/raft/configuration', method: 'GET' }).reply(200, JSON.stringify(raftConfig))
    const run = await runCommand(RaftListPeers, [])
    expect(run.stdout).toBe([
      'Node   ID    Address          State     Voter  RaftProtocol',
      'node1  id-1  172.18.0.2:8300  leader    true   3',
      'node2  id-2  172.18.0.3:8300  follower  true   3', '',
    ].join('\n'))
  })

  it('remove-peer resolves a node name to its raft ID', async () => {
    const pool = setup.mock.get(agentOrigin)
    pool.intercept({ path: '/v1/operator/raft/configuration', method: 'GET' }).reply(200, JSON.stringify(raftConfig))
    pool.intercept({ path: '/v1/operator/raft/peer?id=id-2', method: 'DELETE' }).reply(200, '')
    const run = await runCommand(RaftRemovePeer, ['node2'])
    expect(run.stdout).toBe('Removed peer with id "id-2"\n')
  })

  it('remove-peer of an unknown node fails without deleting anything', async () => {
    setup.mock.get(agentOrigin).intercept({ path: '/v1/operator/raft/configuration', method: 'GET' }).reply(200, JSON.stringify(raftConfig))
    const run = await runCommand(RaftRemovePeer, ['node9'])
    expect(run.exitCode).toBe(1)
  })

  it('transfer-leader posts the target ID', async () => {
    const pool = setup.mock.get(agentOrigin)
    pool.intercept({ path: '/v1/operator/raft/configuration', method: 'GET' }).reply(200, JSON.stringify(raftConfig))
    pool.intercept({ path: '/v1/operator/raft/transfer-leader?id=id-2', method: 'POST' }).reply(200, '{}')
    const run = await runCommand(RaftTransferLeader, ['node2'])
    expect(run.exitCode).toBe(0)
  })
})

describe('zx join / ui', () => {
  it('join reports how many addresses it contacted', async () => {
    const pool = setup.mock.get('http://127.0.0.1:11500')
    pool.intercept({ path: '/v1/agent/join/10.0.0.1', method: 'PUT' }).reply(200, '')
    pool.intercept({ path: '/v1/agent/join/10.0.0.2', method: 'PUT' }).reply(200, '')
    const run = await runCommand(Join, ['--node', 'node4', '10.0.0.1', '10.0.0.2'])
    expect(run.stdout).toBe('Successfully joined cluster by contacting 2 nodes.\n')
  })

  it('ui prints the node\'s UI URL without calling the agent', async () => {
    const run = await runCommand(Ui, ['--node', 'node2'])
    expect(run.stdout).toBe('http://127.0.0.1:9500/ui/\n')
  })
})
