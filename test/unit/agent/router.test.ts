// Goal: the RPC router sends a client's call to a known server and tries another when one is
// unreachable, never retries a call whose outcome is unknown, and gives Consul's errors when no
// server or no leader can be found within the hold time.
// Method: a client-mode context with a scripted transport; a server context over FakeRaft.
import { describe, expect, it } from 'vitest'
import { buildContext } from '../../../agent/agent-context.js'
import { silentLogger } from '../../../agent/agent-log.js'
import { loadRuntimeConfig } from '../../../agent/config/build.js'
import type { RpcTransport } from '../../../agent/endpoints/router.js'
import { ZxError } from '../../../agent/errors.js'
import { Fsm } from '../../../agent/state/fsm.js'
import { FakeRaft } from '../http/fake-raft.js'

const host = { env: {}, hostname: () => 'h', privateIps: () => [], pid: 1, tmpdir: () => '/tmp' }
const control = { leave: async () => undefined, join: async () => 1, forceLeave: () => true }

function client(transport: RpcTransport, servers: string[], holdTimeoutMs = 200) {
  const config = loadRuntimeConfig(['-node', 'c', '-data-dir', '/x'], host)
  return buildContext({ config, nodeId: 'c-id', log: silentLogger, control, transport, servers: () => servers, holdTimeoutMs })
}

describe('rpc router', () => {
  it('tries another server when one is unreachable', async () => {
    const serverConfig = loadRuntimeConfig(['-server', '-node', 's', '-data-dir', '/x'], host)
    const fsm = new Fsm()
    const server = buildContext({ config: serverConfig, nodeId: 's-id', raft: new FakeRaft(fsm), fsm, log: silentLogger, control })
    const tried: string[] = []
    const ctx = client({
      call: async (address, method, args) => {
        tried.push(address)
        if (address === 'down:8300') throw new ZxError('ZX_ERR_RPC', 'connection refused')
        return server.rpc.handleRemote(method, args)
      },
    }, ['down:8300', 'up:8300'])
    for (let i = 0; i < 5; i++) expect(await ctx.rpc.call('Status.Leader', {})).toBe('127.0.0.1:8300')
    expect(tried.filter((a) => a === 'up:8300')).toHaveLength(5)
  })

  it('does not retry a call that timed out (its outcome is unknown)', async () => {
    let calls = 0
    const ctx = client({ call: async () => { calls++; throw new ZxError('ZX_ERR_TIMEOUT', 'rpc timeout') } }, ['a:8300', 'b:8300'])
    await expect(ctx.rpc.call('KVS.Apply', { op: 'set', key: 'k' })).rejects.toThrow('rpc timeout')
    expect(calls).toBe(1)
  })

  it('reports No known Consul servers after the hold time', async () => {
    const ctx = client({ call: async () => undefined }, [], 100)
    const started = Date.now()
    await expect(ctx.rpc.call('Status.Leader', {})).rejects.toThrow('No known Consul servers')
    expect(Date.now() - started).toBeGreaterThanOrEqual(95)
  })

  it('rejects a malformed reply envelope with ZX_ERR_RPC', async () => {
    const ctx = client({ call: async () => ({ p: 'not bytes' }) }, ['a:8300'], 50)
    await expect(ctx.rpc.call('Status.Leader', {})).rejects.toMatchObject({ code: 'ZX_ERR_RPC' })
  })
})
