// Goal: the watcher/sync loop registers running containers at start, follows start/die/destroy
// events per --deregister, never registers a service twice, retries when the agent is down,
// cleans up dangling services of its own only, and survives a dropped event stream and garbage.
// Method: a fake Docker (recorded inspect JSON, a PassThrough event stream) and a fake agent that
// records every call; no sockets. Waits are bounded polls on short real timers.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { LabError } from '../../../src/errors.js'
import type { AgentServices, RegistryClient } from '../../../src/registrator/agent-client.js'
import type { ContainerInspect, ServiceRegistration } from '../../../src/registrator/mapping.js'
import { Registrator, type DockerSource, type RegistratorConfig } from '../../../src/registrator/registrator.js'

const demo = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'inspect-demo.json'), 'utf8')) as ContainerInspect
const plain = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'inspect-plain.json'), 'utf8')) as ContainerInspect

function container(id: string, name: string, base: ContainerInspect = demo, exitCode = 0): ContainerInspect {
  return { ...structuredClone(base), Id: id.padEnd(64, '0'), Name: `/${name}`, State: { Running: true, ExitCode: exitCode } }
}

class FakeDocker implements DockerSource {
  containers = new Map<string, ContainerInspect>()
  streams: PassThrough[] = []
  pingFailures = 0
  async ping(): Promise<unknown> {
    if (this.pingFailures > 0) { this.pingFailures--; throw Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' }) }
    return 'OK'
  }
  async listContainers(): Promise<Array<{ Id: string }>> {
    return [...this.containers.values()].filter((c) => c.State?.Running).map((c) => ({ Id: c.Id }))
  }
  getContainer(id: string): { inspect(): Promise<ContainerInspect> } {
    return {
      inspect: async () => {
        const found = this.containers.get(id)
        if (found === undefined) throw Object.assign(new Error('no such container'), { statusCode: 404 })
        return structuredClone(found)
      },
    }
  }
  async getEvents(): Promise<NodeJS.ReadableStream> {
    const stream = new PassThrough()
    this.streams.push(stream)
    return stream
  }
  emit(action: string, id: string, attributes: Record<string, string> = {}): void {
    this.streams.at(-1)!.write(JSON.stringify({ Type: 'container', Action: action, Actor: { ID: id, Attributes: attributes } }) + '\n')
  }
}

class FakeAgent implements RegistryClient {
  down = false
  reject = false
  calls: string[] = []
  services_: AgentServices = {}
  private check(): void { if (this.down) throw new LabError('ZX_ERR_AGENT_UNREACHABLE', 'connect ECONNREFUSED') }
  async leader(): Promise<string> { this.check(); return '127.0.0.1:8300' }
  async register(service: ServiceRegistration): Promise<void> {
    this.check(); this.calls.push(`register ${service.ID}`)
    if (this.reject) throw new LabError('ZX_ERR_API', 'agent PUT /v1/agent/service/register: 400 Invalid check', { details: { status: 400 } })
    this.services_[service.ID] = { ID: service.ID, Service: service.Name, Port: service.Port, Address: service.Address, Tags: service.Tags, Meta: service.Meta }
  }
  async deregister(id: string): Promise<void> { this.check(); this.calls.push(`deregister ${id}`); delete this.services_[id] }
  async services(): Promise<AgentServices> { this.check(); return structuredClone(this.services_) }
  async passTtl(checkId: string): Promise<void> { this.check(); this.calls.push(`pass ${checkId}`) }
}

const config: RegistratorConfig = {
  hostname: 'lab', defaultIp: '10.0.0.5', internal: false, explicit: false, tags: [], checkInterval: '10s', ttlSeconds: 0,
  deregister: 'always', cleanup: false, resyncSeconds: 0, retryAttempts: 0, retryIntervalMs: 20, ttlRefreshSeconds: 0,
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

function setup(overrides: Partial<RegistratorConfig> = {}): { docker: FakeDocker; agent: FakeAgent; logs: string[]; registrator: Registrator } {
  const docker = new FakeDocker()
  const agent = new FakeAgent()
  const logs: string[] = []
  return { docker, agent, logs, registrator: new Registrator(docker, agent, { ...config, ...overrides }, (line) => logs.push(line)) }
}

describe('Registrator', () => {
  it('syncs running containers at start and logs like registrator', async () => {
    const { docker, agent, logs, registrator } = setup()
    docker.containers.set('a'.padEnd(64, '0'), container('a', 'web1'))
    docker.containers.set('b'.padEnd(64, '0'), container('b', 'quiet', plain))
    await registrator.start()
    expect(agent.calls).toEqual(['register lab:web1:8080'])
    expect(logs).toContain('consul: current leader 127.0.0.1:8300')
    expect(logs).toContain(`added: ${'a'.padEnd(12, '0')} lab:web1:8080`)
    expect(logs).toContain(`ignored: ${'b'.padEnd(12, '0')} no published ports`)
    await registrator.stop()
  })

  it('follows start/die events without double registration', async () => {
    const { docker, agent, registrator } = setup()
    await registrator.start()
    const id = 'c'.padEnd(64, '0')
    docker.containers.set(id, container('c', 'web2'))
    docker.emit('start', id)
    docker.emit('start', id)
    await until(() => agent.calls.length >= 1, 'register')
    await registrator.sync({ quiet: true })    // a resync re-PUTs the same ID: still one service
    expect(Object.keys(agent.services_)).toEqual(['lab:web2:8080'])
    docker.containers.get(id)!.State = { Running: false, ExitCode: 137 }
    docker.emit('die', id, { exitCode: '137' })
    await until(() => agent.calls.includes('deregister lab:web2:8080'), 'deregister')
    expect(agent.calls.filter((call) => call.startsWith('register')).length).toBeLessThanOrEqual(2)
    expect(registrator.registered()).toEqual([])
    await registrator.stop()
  })

  it('resync re-registers only what the agent lost', async () => {
    const { docker, agent, registrator } = setup()
    for (const [id, name] of [['j', 'web9'], ['k', 'web10']] as const) docker.containers.set(id.padEnd(64, '0'), container(id, name))
    await registrator.start()
    agent.calls.length = 0
    await registrator.sync({ quiet: true })
    expect(agent.calls).toEqual([])
    delete agent.services_['lab:web10:8080']
    agent.services_['lab:web9:8080']!.Tags = ['tampered']
    await registrator.sync({ quiet: true })
    expect(agent.calls.sort()).toEqual(['register lab:web10:8080', 'register lab:web9:8080'])
    await registrator.stop()
  })

  it('keeps a failed container with --deregister on-success until it is destroyed', async () => {
    const { docker, agent, registrator } = setup({ deregister: 'on-success' })
    const id = 'd'.padEnd(64, '0')
    docker.containers.set(id, container('d', 'web3'))
    await registrator.start()
    docker.containers.get(id)!.State = { Running: false, ExitCode: 1 }
    docker.emit('die', id, { exitCode: '1' })
    docker.emit('stop', id)
    await registrator.sync({ quiet: true })
    expect(agent.services_['lab:web3:8080']).toBeDefined()
    docker.containers.delete(id)
    docker.emit('destroy', id)
    await until(() => agent.services_['lab:web3:8080'] === undefined, 'destroy removes')
    await registrator.stop()
  })

  it('retries registrations while the agent is down, then registers once', async () => {
    const { docker, agent, logs, registrator } = setup()
    await registrator.start()
    agent.down = true
    const id = 'e'.padEnd(64, '0')
    docker.containers.set(id, container('e', 'web4'))
    docker.emit('start', id)
    await until(() => logs.some((line) => line.startsWith('register failed')), 'failure log')
    await new Promise((resolve) => setTimeout(resolve, 60))
    agent.down = false
    await until(() => agent.calls.includes('register lab:web4:8080'), 'retry')
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(agent.calls.filter((call) => call === 'register lab:web4:8080')).toHaveLength(1)
    expect(logs.filter((line) => line.startsWith('register failed'))).toHaveLength(1)
    await registrator.stop()
  })

  it('waits for an unreachable Docker engine with a clear message, then syncs', async () => {
    const { docker, agent, logs, registrator } = setup()
    docker.pingFailures = 1
    docker.containers.set('h'.padEnd(64, '0'), container('h', 'web7'))
    await registrator.start()
    expect(logs.some((line) => line.includes('Docker engine unreachable (ENOENT'))).toBe(true)
    expect(agent.calls).toEqual(['register lab:web7:8080'])
    await registrator.stop()
  })

  it('does not retry a registration the agent rejects with 4xx', async () => {
    const { docker, agent, logs, registrator } = setup()
    agent.reject = true
    docker.containers.set('i'.padEnd(64, '0'), container('i', 'web8'))
    await registrator.start()
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(agent.calls).toEqual(['register lab:web8:8080'])
    expect(logs.some((line) => line.startsWith('register rejected:'))).toBe(true)
    await registrator.stop()
  })

  it('gives up at start when the agent stays down (retry-attempts)', async () => {
    const { agent, logs, registrator } = setup({ retryAttempts: 2 })
    agent.down = true
    await expect(registrator.start()).rejects.toMatchObject({ code: 'ZX_ERR_AGENT_UNREACHABLE' })
    expect(logs.filter((line) => line.includes('retrying'))).toHaveLength(2)
    await registrator.stop()
  })

  it('with --cleanup removes only its own dangling services', async () => {
    const { docker, agent, registrator } = setup({ cleanup: true })
    agent.services_ = {
      'lab:gone:8080': { ID: 'lab:gone:8080', Service: 'x' },
      'lab:gone:53:udp': { ID: 'lab:gone:53:udp', Service: 'x' },
      'other:gone:8080': { ID: 'other:gone:8080', Service: 'x' },
      web: { ID: 'web', Service: 'web' },
    }
    docker.containers.set('f'.padEnd(64, '0'), container('f', 'web5'))
    await registrator.start()
    expect(Object.keys(agent.services_).sort()).toEqual(['lab:web5:8080', 'other:gone:8080', 'web'])
    await registrator.stop()
  })

  it('reconnects after the event stream ends, syncs, and drops garbage lines', async () => {
    const { docker, agent, registrator } = setup()
    await registrator.start()
    docker.streams[0]!.write('not json\n[1,2]\n')
    await until(() => registrator.stats.eventsDropped === 2, 'dropped count')
    const id = 'g'.padEnd(64, '0')
    docker.containers.set(id, container('g', 'web6'))
    docker.streams[0]!.end()
    await until(() => docker.streams.length === 2, 'resubscribe')
    await until(() => agent.calls.includes('register lab:web6:8080'), 'sync after reconnect')
    await registrator.stop()
  })
})
