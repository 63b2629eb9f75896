// Goal: the registrator's agent client sends registrator's calls with the right method, path,
// body and token, and turns failures into stable codes: refused connection →
// ZX_ERR_AGENT_UNREACHABLE, non-2xx → ZX_ERR_API with the agent's text, garbage → ZX_ERR_BAD_RESPONSE.
// Method: undici MockAgent with net connect disabled; every interceptor must be consumed.
import { MockAgent } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HttpRegistryClient, parseAgentUri } from '../../../src/registrator/agent-client.js'

let mock: MockAgent
const base = 'http://127.0.0.1:8500'

beforeEach(() => { mock = new MockAgent(); mock.disableNetConnect() })
afterEach(async () => { mock.assertNoPendingInterceptors(); await mock.close() })

describe('parseAgentUri', () => {
  it('accepts consul://, http:// and bare host:port', () => {
    expect(parseAgentUri('consul://localhost:8500')).toBe('http://localhost:8500')
    expect(parseAgentUri('127.0.0.1:9500')).toBe('http://127.0.0.1:9500')
    expect(parseAgentUri('https://a:8501/')).toBe('https://a:8501')
    expect(parseAgentUri(undefined)).toBe('http://127.0.0.1:8500')
    expect(() => parseAgentUri('etcd://x:2379')).toThrow(/unsupported backend/)
  })
})

describe('HttpRegistryClient', () => {
  it('registers, deregisters, pings and lists with the token header', async () => {
    const pool = mock.get(base)
    const service = { ID: 'h:web:80', Name: 'web', Port: 5727, Address: '127.0.0.1', Tags: ['a'], Meta: {} }
    pool.intercept({ path: '/v1/agent/service/register', method: 'PUT', body: JSON.stringify(service), headers: { 'x-consul-token': 't0k' } }).reply(200, '')
    pool.intercept({ path: '/v1/agent/service/deregister/h%3Aweb%3A80', method: 'PUT' }).reply(200, '')
    pool.intercept({ path: '/v1/status/leader', method: 'GET' }).reply(200, '"10.0.0.1:8300"')
    pool.intercept({ path: '/v1/agent/services', method: 'GET' }).reply(200, { 'h:web:80': { ID: 'h:web:80', Service: 'web' } })
    const client = new HttpRegistryClient(base, { token: 't0k', dispatcher: mock })
    await client.register(service)
    await client.deregister('h:web:80')
    expect(await client.leader()).toBe('10.0.0.1:8300')
    expect(Object.keys(await client.services())).toEqual(['h:web:80'])
  })

  it('maps failures to stable codes', async () => {
    const pool = mock.get(base)
    pool.intercept({ path: '/v1/agent/service/register', method: 'PUT' }).reply(400, 'Missing service name\n')
    pool.intercept({ path: '/v1/agent/services', method: 'GET' }).reply(200, '[1]')
    pool.intercept({ path: '/v1/status/leader', method: 'GET' }).replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
    const client = new HttpRegistryClient(base, { dispatcher: mock })
    await expect(client.register({ ID: 'x', Name: '', Port: 1, Address: 'a', Tags: [], Meta: {} })).rejects.toMatchObject({ code: 'ZX_ERR_API', message: expect.stringContaining('400 Missing service name') })
    await expect(client.services()).rejects.toMatchObject({ code: 'ZX_ERR_BAD_RESPONSE' })
    await expect(client.leader()).rejects.toMatchObject({ code: 'ZX_ERR_AGENT_UNREACHABLE' })
  })
})
