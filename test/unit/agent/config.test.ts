// Goal: `zx agent` accepts Consul's flags in every form (one or two dashes, `=` or a space),
// merges JSON sources in order, applies Consul's defaults and rejects contradictions.
// Method: parse argv lists against an injected host environment and inspect the frozen result.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadRuntimeConfig, type ConfigEnvironment } from '../../../agent/config/build.js'
import { resolveNodeId } from '../../../agent/config/node-id.js'
import { isZxError } from '../../../agent/errors.js'

const host = (env: Record<string, string> = {}): ConfigEnvironment => ({
  env, hostname: () => 'box', privateIps: () => ['10.0.0.5'], pid: 42, tmpdir: () => '/tmp',
})

function fails(argv: string[], pattern: RegExp, env: Record<string, string> = {}): void {
  try {
    loadRuntimeConfig(argv, host(env))
  } catch (error) {
    expect(isZxError(error, 'ZX_ERR_CONFIG')).toBe(true)
    expect((error as Error).message).toMatch(pattern)
    return
  }
  throw new Error(`expected ${argv.join(' ')} to fail`)
}

describe('agent config', () => {
  it('accepts every flag form', () => {
    const a = loadRuntimeConfig(['-server', '--bootstrap-expect=3', '-node', 'node1', '--data-dir', '/d', '-dc=east', '-retry-join', 'a:1', '--retry-join=b:2'], host())
    expect(a.server).toBe(true)
    expect(a.bootstrapExpect).toBe(3)
    expect(a.nodeName).toBe('node1')
    expect(a.dataDir).toBe('/d')
    expect(a.datacenter).toBe('east')
    expect(a.retryJoin).toEqual(['a:1', 'b:2'])
    const b = loadRuntimeConfig(['--server=false', '-data-dir=/d', '-http-port', '9500', '-serf-lan-port=9301', '-ui', '-client', '0.0.0.0 127.0.0.2'], host())
    expect(b.server).toBe(false)
    expect(b.ports.http).toBe(9500)
    expect(b.ports.serfLan).toBe(9301)
    expect(b.ui).toBe(true)
    expect(b.clientAddrs).toEqual(['0.0.0.0', '127.0.0.2'])
    expect(Object.isFrozen(b)).toBe(true)
  })

  it('applies Consul defaults by role', () => {
    const server = loadRuntimeConfig(['-server', '-data-dir', '/d'], host())
    expect(server.leaveOnTerminate).toBe(false)
    expect(server.skipLeaveOnInterrupt).toBe(true)
    expect(server.nodeName).toBe('box')
    expect(server.advertiseAddr).toBe('10.0.0.5')
    expect(server.ports).toEqual({ http: 8500, dns: 8600, server: 8300, serfLan: 8301, serfWan: 8302 })
    const client = loadRuntimeConfig(['-data-dir', '/d'], host())
    expect(client.leaveOnTerminate).toBe(true)
    expect(client.skipLeaveOnInterrupt).toBe(false)
    expect(client.clientAddrs).toEqual(['127.0.0.1'])
    expect(client.raft).toMatchObject({ heartbeatTimeoutMs: 1000, electionTimeoutMs: 1000, leaderLeaseTimeoutMs: 500 })
  })

  it('scales raft timing with raft_multiplier', () => {
    const c = loadRuntimeConfig(['-data-dir', '/d'], host({ ZX_LOCAL_CONFIG: '{"performance":{"raft_multiplier":5}}' }))
    expect(c.raft).toMatchObject({ electionTimeoutMs: 5000, leaderLeaseTimeoutMs: 2500, tickMs: 500, electionTicks: 10 })
    expect(c.httpMaxConnsPerClient).toBe(200)
    const limited = loadRuntimeConfig(['-data-dir', '/d'], host({ ZX_LOCAL_CONFIG: '{"limits":{"http_max_conns_per_client":1000}}' }))
    expect(limited.httpMaxConnsPerClient).toBe(1000)
  })

  it('merges files, dirs, env and flags in order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zx-config-'))
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ datacenter: 'two', retry_join: ['y'] }))
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ datacenter: 'one', retry_join: ['x'], ports: { dns: 8653 } }))
    writeFileSync(join(dir, 'ignored.txt'), 'not json')
    const file = join(dir, 'file.cfg')
    writeFileSync(file, JSON.stringify({ node_name: 'fromfile', leave_on_terminate: true, server: true }))
    const c = loadRuntimeConfig(['-config-file', file, '-config-dir', dir, '-data-dir', '/d', '-retry-join', 'z'],
      host({ CONSUL_LOCAL_CONFIG: '{"skip_leave_on_interrupt": false}' }))
    expect(c.datacenter).toBe('two')
    expect(c.retryJoin).toEqual(['x', 'y', 'z'])
    expect(c.ports.dns).toBe(8653)
    expect(c.nodeName).toBe('fromfile')
    expect(c.leaveOnTerminate).toBe(true)
    expect(c.skipLeaveOnInterrupt).toBe(false)
  })

  it('rejects unknown flags, unknown keys and contradictions', () => {
    fails(['-data-dir', '/d', '-bogus'], /flag provided but not defined: -bogus/)
    fails(['-data-dir'], /flag needs an argument/)
    fails(['-server', '-bootstrap', '-bootstrap-expect=3', '-data-dir', '/d'], /mutually exclusive/)
    fails(['-bootstrap-expect=3', '-data-dir', '/d'], /requires 'server = true'/)
    fails(['-server'], /data_dir cannot be empty/)
    fails(['-data-dir', '/d'], /unknown configuration key "acl_bogus"/, { ZX_LOCAL_CONFIG: '{"acl_bogus": 1}' })
    fails(['-data-dir', '/d'], /invalid JSON/, { ZX_LOCAL_CONFIG: '{' })
    fails(['-data-dir', '/d', '-bootstrap-expect', 'x'], /expected an integer/)
    fails(['-data-dir', '/d', '-encrypt', 'short'], /base64 of 16, 24 or 32 bytes/)
    fails(['-data-dir', '/d', '-log-level', 'loud'], /invalid log level/)
    fails(['stray'], /unexpected argument/)
  })

  it('-dev needs no data dir and makes a bootstrapped server', () => {
    const c = loadRuntimeConfig(['-dev'], host())
    expect(c).toMatchObject({ server: true, bootstrap: true, ui: true, bindAddr: '127.0.0.1', logLevel: 'debug' })
    expect(c.dataDir).toBe('/tmp/zx-dev-42')
  })

  it('persists the node id in <data-dir>/node-id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zx-nodeid-'))
    const first = resolveNodeId(dir, undefined)
    expect(readFileSync(join(dir, 'node-id'), 'utf8').trim()).toBe(first)
    expect(resolveNodeId(dir, undefined)).toBe(first)
    expect(() => resolveNodeId(dir, '00000000-0000-0000-0000-000000000001')).toThrow(/differs/)
  })
})
