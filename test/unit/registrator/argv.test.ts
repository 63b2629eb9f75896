// Goal: the container entry point takes gliderlabs/registrator's command line (`-ip x`,
// `-resync=30`, `-cleanup`, options before `consul://host:port`) and zx's two-dash spelling,
// and rejects unknown flags, bad integers and inconsistent TTL settings with usage errors.
// Method: parse argv lists; compare options.
import { describe, expect, it } from 'vitest'
import { parseRegistratorArgv } from '../../../src/registrator/argv.js'

const env = { ZX_REGISTRATOR_HOSTNAME: 'h' }

describe('parseRegistratorArgv', () => {
  it('accepts registrator spelling', () => {
    expect(parseRegistratorArgv(['-ip', '10.0.0.1', '-resync=30', '-cleanup', '-deregister', 'on-success', '-retry-attempts', '-1', 'consul://localhost:8500'], env)).toEqual({
      uri: 'consul://localhost:8500',
      options: { hostname: 'h', ip: '10.0.0.1', resyncSeconds: 30, cleanup: true, deregister: 'on-success', retryAttempts: -1 },
    })
  })
  it('accepts two dashes, camelCase and a CONSUL_HTTP_ADDR fallback', () => {
    expect(parseRegistratorArgv(['--internal', '--retryInterval', '500', '--ttl', '30', '--ttl-refresh', '10'], { ...env, CONSUL_HTTP_ADDR: '127.0.0.1:8500' })).toEqual({
      uri: '127.0.0.1:8500',
      options: { hostname: 'h', internal: true, retryIntervalMs: 500, ttlSeconds: 30, ttlRefreshSeconds: 10 },
    })
  })
  it('rejects bad input with usage errors', () => {
    expect(() => parseRegistratorArgv(['-bogus'], env)).toThrow(/unknown flag -bogus/)
    expect(() => parseRegistratorArgv(['-resync', 'soon'], env)).toThrow(/integer/)
    expect(() => parseRegistratorArgv(['-ip'], env)).toThrow(/needs a value/)
    expect(() => parseRegistratorArgv(['-deregister', 'never'], env)).toThrow(/always or on-success/)
    expect(() => parseRegistratorArgv(['-ttl', '10'], env)).toThrow(/together/)
    expect(() => parseRegistratorArgv(['-ttl', '10', '-ttl-refresh', '10'], env)).toThrow(/greater/)
    expect(() => parseRegistratorArgv(['consul://a:1', 'consul://b:2'], env)).toThrow(/unexpected argument/)
    expect(parseRegistratorArgv(['-ip', '1.2.3.4'], env).uri).toBeUndefined()
  })
})
