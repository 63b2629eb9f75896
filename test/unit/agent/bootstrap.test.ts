// Goal: bootstrap-expect follows Consul's maybeBootstrap: wait for `expect` alive servers in
// gossip, refuse conflicting expect values, stand down when a peer already has Raft peers or
// when local Raft data exists, else bootstrap with every server as a voter.
// Method: runBootstrap over FakeRaft, a scripted member list and a scripted Status.Peers answer.
import { describe, expect, it } from 'vitest'
import { silentLogger } from '../../../agent/agent-log.js'
import type { RpcRouter } from '../../../agent/endpoints/router.js'
import type { GossipPool, Member } from '../../../agent/gossip/api.js'
import { runBootstrap } from '../../../agent/leader/bootstrap.js'
import type { ServerInfo } from '../../../agent/raft/api.js'
import { Fsm } from '../../../agent/state/fsm.js'
import { FakeRaft } from '../http/fake-raft.js'

function server(n: number, expect = '3', status: Member['status'] = 'alive'): Member {
  return { name: `node${n}`, addr: `10.0.0.${n}`, port: 8301, tags: { role: 'consul', dc: 'dc1', id: `id-${n}`, port: '8300', expect }, status, incarnation: 1 }
}

class EmptyRaft extends FakeRaft {
  bootstrapped: ServerInfo[] | undefined
  constructor(private readonly state = false) { super(new Fsm()) }
  override hasState(): boolean { return this.state }
  override status() { const s = super.status(); return { ...s, configuration: this.bootstrapped ?? [] } }
  override async bootstrap(servers: ServerInfo[]): Promise<void> { this.bootstrapped = servers }
}

function setup(members: Member[], peers: (address: string) => string[] = () => [], state = false) {
  const raft = new EmptyRaft(state)
  const router = { callAt: async (address: string) => peers(address) } as unknown as RpcRouter
  const lan = { members: () => members } as unknown as GossipPool
  const boot = runBootstrap({ raft, lan, router, dc: 'dc1', expect: 3, self: { id: 'id-1', address: '10.0.0.1:8300' }, log: silentLogger })
  return { raft, boot }
}

const settle = () => new Promise((r) => setTimeout(r, 50))

describe('bootstrap-expect', () => {
  it('waits for the expected servers, then bootstraps them all as voters', async () => {
    const members = [server(1), server(2)]
    const { raft, boot } = setup(members)
    await settle()
    expect(raft.bootstrapped).toBeUndefined()
    members.push(server(3))
    await boot.done
    expect(raft.bootstrapped).toEqual([
      { id: 'id-1', address: '10.0.0.1:8300', voter: true },
      { id: 'id-2', address: '10.0.0.2:8300', voter: true },
      { id: 'id-3', address: '10.0.0.3:8300', voter: true },
    ])
  })

  it('does not bootstrap with a conflicting expect value', async () => {
    const { raft, boot } = setup([server(1), server(2), server(3, '5')])
    await settle()
    boot.stop()
    expect(raft.bootstrapped).toBeUndefined()
  })

  it('stands down when a peer already reports Raft peers', async () => {
    const { raft, boot } = setup([server(1), server(2), server(3)], (address) => (address === '10.0.0.3:8300' ? ['10.0.0.3:8300'] : []))
    await boot.done
    expect(raft.bootstrapped).toBeUndefined()
  })

  it('never bootstraps over existing Raft data', async () => {
    const { raft, boot } = setup([server(1), server(2), server(3)], () => [], true)
    await boot.done
    expect(raft.bootstrapped).toBeUndefined()
  })
})
