// A RaftApi test double for endpoint tests: one in-process "server" that is leader (or not, on
// demand) and applies every proposal to the StateMachine at the next index. No timers, no disk.
import { ZxError } from '../../../agent/errors.js'
import type { ProposeResult, RaftApi, RaftEvent, RaftStatus, ReadGuarantee, ReadMode, ServerInfo, StateMachine } from '../../../agent/raft/api.js'

export class FakeRaft implements RaftApi {
  readonly id = 'fake-1'
  leader = true
  private index = 0
  private configuration: ServerInfo[] = [{ id: 'fake-1', address: '127.0.0.1:8300', voter: true }]

  constructor(private readonly fsm: StateMachine) {}
  hasState(): boolean { return this.index > 0 }
  async bootstrap(servers: ServerInfo[]): Promise<void> { this.configuration = servers }
  async propose(command: Uint8Array): Promise<ProposeResult> {
    if (!this.leader) throw new ZxError('ZX_ERR_NO_LEADER', 'No cluster leader')
    const index = ++this.index
    return { index, result: this.fsm.apply(index, command) }
  }
  async readBarrier(mode: ReadMode): Promise<ReadGuarantee> {
    if (!this.leader && mode !== 'stale') throw new ZxError('ZX_ERR_NO_LEADER', 'No cluster leader')
    return { mode, appliedIndex: this.index, knownLeader: this.leader, lastContactMs: 0 }
  }
  status(): RaftStatus {
    return {
      id: this.id, role: this.leader ? 'leader' : 'follower', term: 1,
      leaderId: this.leader ? this.id : undefined, leaderAddress: this.leader ? '127.0.0.1:8300' : undefined,
      commitIndex: this.index, appliedIndex: this.index, lastLogIndex: this.index, lastLogTerm: 1, snapshotIndex: 0,
      lastContactMs: 0, configuration: this.configuration, matchIndex: {},
    }
  }
  async addVoter(server: { id: string; address: string }): Promise<void> { this.configuration.push({ ...server, voter: true }) }
  async addNonVoter(server: { id: string; address: string }): Promise<void> { this.configuration.push({ ...server, voter: false }) }
  async removeServer(id: string): Promise<void> { this.configuration = this.configuration.filter((s) => s.id !== id) }
  async transferLeadership(): Promise<string> { return this.id }
  onEvent(_listener: (event: RaftEvent) => void): () => void { return () => undefined }
  async close(): Promise<void> {}
}
