// Starts the real HTTP API over a Fsm + FakeRaft on 127.0.0.1 (port 0) for endpoint tests.
import { buildContext, buildHttpApi } from '../../../agent/agent-context.js'
import { silentLogger } from '../../../agent/agent-log.js'
import { loadRuntimeConfig } from '../../../agent/config/build.js'
import type { AgentContext } from '../../../agent/endpoints/context.js'
import type { HttpApi } from '../../../agent/http/server.js'
import { Fsm } from '../../../agent/state/fsm.js'
import { FakeRaft } from './fake-raft.js'

export interface Harness {
  url: string
  ctx: AgentContext
  raft: FakeRaft
  fsm: Fsm
  api: HttpApi
  close(): Promise<void>
}

export async function startHarness(holdTimeoutMs = 200): Promise<Harness> {
  const config = loadRuntimeConfig(['-server', '-bootstrap', '-node', 'n1', '-data-dir', '/nonexistent'], {
    env: {}, hostname: () => 'n1', privateIps: () => [], pid: 1, tmpdir: () => '/tmp',
  })
  const fsm = new Fsm()
  const raft = new FakeRaft(fsm)
  const ctx = buildContext({
    config, nodeId: '11111111-2222-3333-4444-555555555555', raft, fsm, log: silentLogger, holdTimeoutMs,
    control: { leave: async () => undefined, join: async () => 1, forceLeave: () => true },
  })
  ctx.server!.sessionTimers.start([])
  const api = buildHttpApi(ctx)
  const [port] = await api.listen(['127.0.0.1'], 0)
  return {
    url: `http://127.0.0.1:${port}`, ctx, raft, fsm, api,
    close: async () => { ctx.server!.sessionTimers.stop(); await api.close() },
  }
}
