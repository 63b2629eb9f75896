// Goal: `zx kv put|get|delete|list|export|import` speak Consul's KV API exactly and print
// Consul's messages, keep uint64 flags exact, and exit non-zero on misses and CAS failures.
// Method: run each command class through oclif with an undici MockAgent (net connect disabled)
// standing in for the agent; every interceptor must be consumed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import KvPut from '../../../commands/kv/put.js'
import KvGet from '../../../commands/kv/get.js'
import KvDelete from '../../../commands/kv/delete.js'
import KvList from '../../../commands/kv/list.js'
import KvExport from '../../../commands/kv/export.js'
import KvImport from '../../../commands/kv/import.js'
import { agentOrigin, installMockAgent, runCommand, type MockSetup } from './helpers.js'

let setup: MockSetup
beforeEach(() => { setup = installMockAgent() })
afterEach(async () => { await setup.restore() })

const lockFlag = '3304740253564472344' // 0x2ddccbc058a50c18, above 2^53
const pair = (key: string, value: string, extra = '') =>
  `{"LockIndex":0,"Key":"${key}","Flags":0,"Value":"${Buffer.from(value).toString('base64')}","CreateIndex":5,"ModifyIndex":7${extra}}`

describe('zx kv put', () => {
  it('writes the value as the body and prints consul\'s success line', async () => {
    const pool = setup.mock.get(agentOrigin)
    let body = ''
    pool.intercept({ path: '/v1/kv/eleven', method: 'PUT' }).reply((req) => {
      body = Buffer.from(req.body as Uint8Array).toString('utf8')
      return { statusCode: 200, data: 'true' }
    })
    const run = await runCommand(KvPut, ['eleven', '11'])
    expect(run.exitCode).toBe(0)
    expect(body).toBe('11')
    expect(run.stdout).toBe('Success! Data written to: eleven\n')
  })

  it('sends cas and exact uint64 flags, and exits 1 when CAS fails', async () => {
    const pool = setup.mock.get(agentOrigin)
    pool.intercept({ path: `/v1/kv/a/b?flags=${lockFlag}&cas=3`, method: 'PUT' }).reply(200, 'false')
    const run = await runCommand(KvPut, ['a/b', 'x', '--cas', '--modify-index', '3', '--flags', '0x2ddccbc058a50c18'])
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('Error! Did not write to a/b: CAS failed')
  })

  it('talks to node4 on the seed table port with --node', async () => {
    setup.mock.get('http://127.0.0.1:11500').intercept({ path: '/v1/kv/k', method: 'PUT' }).reply(200, 'true')
    const run = await runCommand(KvPut, ['k', 'v', '--node', 'node4'])
    expect(run.exitCode).toBe(0)
  })

  it('refuses --cas without --modify-index before any request', async () => {
    const run = await runCommand(KvPut, ['k', 'v', '--cas'])
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('Must specify -modify-index with -cas!')
  })

  it('reports no quorum clearly when the agent says No cluster leader', async () => {
    setup.mock.get(agentOrigin).intercept({ path: '/v1/kv/k', method: 'PUT' }).reply(500, 'No cluster leader')
    const run = await runCommand(KvPut, ['k', 'v', '--json'])
    expect(run.exitCode).toBe(1)
    expect(JSON.parse(run.stdout).error.code).toBe('ZX_ERR_NO_QUORUM')
  })
})

describe('zx kv get', () => {
  it('prints the raw value', async () => {
    setup.mock.get(agentOrigin).intercept({ path: '/v1/kv/eleven', method: 'GET' }).reply(200, `[${pair('eleven', '11')}]`)
    const run = await runCommand(KvGet, ['eleven'])
    expect(run.stdout).toBe('11\n')
  })

  it('prints consul\'s error and exits 1 for a missing key', async () => {
    setup.mock.get(agentOrigin).intercept({ path: '/v1/kv/nope', method: 'GET' }).reply(404, '')
    const run = await runCommand(KvGet, ['nope'])
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('Error! No key exists at: nope')
  })

  it('prints the detailed block with exact lock flags and the session', async () => {
    const body = `[{"LockIndex":1,"Key":"job/.lock","Flags":${lockFlag},"Value":null,"Session":"abc","CreateIndex":9,"ModifyIndex":10}]`
    setup.mock.get(agentOrigin).intercept({ path: '/v1/kv/job/.lock', method: 'GET' }).reply(200, body)
    const run = await runCommand(KvGet, ['job/.lock', '--detailed'])
    expect(run.stdout).toBe([
      'CreateIndex      9', `Flags            ${lockFlag}`, 'Key              job/.lock', 'LockIndex        1',
      'ModifyIndex      10', 'Session          abc', 'Value            ', '',
    ].join('\n'))
  })

  it('keeps big flags exact in --json output', async () => {
    const body = `[{"LockIndex":1,"Key":"l","Flags":${lockFlag},"Value":null,"CreateIndex":9,"ModifyIndex":10}]`
    setup.mock.get(agentOrigin).intercept({ path: '/v1/kv/l', method: 'GET' }).reply(200, body)
    const run = await runCommand(KvGet, ['l', '--json'])
    expect(JSON.parse(run.stdout).pairs[0].flags).toBe(lockFlag)
  })

  it('prints key:value lines with --recurse', async () => {
    setup.mock.get(agentOrigin).intercept({ path: '/v1/kv/cfg/?recurse', method: 'GET' })
      .reply(200, `[${pair('cfg/a', '1')},${pair('cfg/b', '2')}]`)
    const run = await runCommand(KvGet, ['cfg/', '--recurse'])
    expect(run.stdout).toBe('cfg/a:1\ncfg/b:2\n')
  })

  it('reads with ?stale when asked', async () => {
    setup.mock.get(agentOrigin).intercept({ path: '/v1/kv/k?stale', method: 'GET' }).reply(200, `[${pair('k', 'v')}]`)
    const run = await runCommand(KvGet, ['k', '--stale'])
    expect(run.stdout).toBe('v\n')
  })

  it('says which address did not answer when the agent is down', async () => {
    const run = await runCommand(KvGet, ['k', '--http-addr', '127.0.0.1:9'])
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('cannot reach the agent at http://127.0.0.1:9')
  })
})

describe('zx kv delete / list / export / import', () => {
  it('deletes a prefix recursively', async () => {
    setup.mock.get(agentOrigin).intercept({ path: '/v1/kv/cfg?recurse', method: 'DELETE' }).reply(200, 'true')
    const run = await runCommand(KvDelete, ['cfg', '--recurse'])
    expect(run.stdout).toBe('Success! Deleted keys with prefix: cfg\n')
  })

  it('lists folded key names', async () => {
    setup.mock.get(agentOrigin).intercept({ path: '/v1/kv/?keys&separator=%2F', method: 'GET' }).reply(200, '["a/","b"]')
    const run = await runCommand(KvList, [])
    expect(run.stdout).toBe('a/\nb\n')
  })

  it('exports and re-imports entries with exact flags', async () => {
    const body = `[{"LockIndex":0,"Key":"x","Flags":${lockFlag},"Value":"MTE=","CreateIndex":1,"ModifyIndex":1}]`
    setup.mock.get(agentOrigin).intercept({ path: '/v1/kv/?recurse', method: 'GET' }).reply(200, body)
    const exported = await runCommand(KvExport, [])
    expect(exported.stdout).toContain(`"flags": ${lockFlag}`)
    setup.mock.get(agentOrigin).intercept({ path: `/v1/kv/x?flags=${lockFlag}`, method: 'PUT' }).reply(200, 'true')
    const imported = await runCommand(KvImport, [exported.stdout])
    expect(imported.stdout).toBe('Imported: x\n')
  })

  it('rejects import data that is not an export document without writing anything', async () => {
    const run = await runCommand(KvImport, ['[{"key":"a","value":"not base64!"}]'])
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('not base64')
  })
})
