// Goal: registrator's mapping rules (gliderlabs/registrator docs/user/services.md) hold on real
// `docker inspect` output: one service per published port, image base name, `-<port>` suffix for
// multi-port containers unless SERVICE_<port>_NAME, `host:container:port[:udp]` IDs, tags from
// SERVICE_TAGS with `\,`, labels over env, SERVICE_IGNORE, --explicit, --internal, --ip, checks.
// Method: feed inspect JSON recorded from the real engine (fixtures/) to mapContainer.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { imageBaseName, mapContainer, ownsServiceId, type ContainerInspect, type MappingConfig } from '../../../src/registrator/mapping.js'
import { splitTags } from '../../../src/registrator/metadata.js'

const fixture = (name: string): ContainerInspect =>
  JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', `inspect-${name}.json`), 'utf8')) as ContainerInspect
const config: MappingConfig = {
  hostname: 'lab', defaultIp: '10.0.0.5', internal: false, explicit: false, tags: [], checkInterval: '10s', ttlSeconds: 0,
}

describe('imageBaseName', () => {
  it('drops registry, path, tag and digest', () => {
    expect(imageBaseName('registry.example.com:5000/team/nginx:1.25')).toBe('nginx')
    expect(imageBaseName('gliderlabs/foobar:1.2')).toBe('foobar')
    expect(imageBaseName('redis')).toBe('redis')
    expect(imageBaseName('redis@sha256:abc')).toBe('redis')
  })
})

describe('mapContainer', () => {
  it('maps a multi-port container to suffixed names, port names, udp IDs and tags', () => {
    const { services, ignored } = mapContainer(fixture('web'), config)
    expect(ignored).toEqual([])
    expect(services.map((s) => [s.ID, s.Name, s.Address, s.Port])).toEqual([
      ['lab:zxrec-web:53:udp', 'nginx-53', '127.0.0.1', 26503],
      ['lab:zxrec-web:80', 'nginx-80', '127.0.0.1', 26501],
      ['lab:zxrec-web:443', 'web-tls', '10.0.0.5', 26502],  // 0.0.0.0 binding → default IP
    ])
    expect(services[0]!.Tags).toEqual(['prod', 'eu,west', 'udp'])
    expect(services[1]!.Tags).toEqual(['prod', 'eu,west'])
    expect(services[1]!.Meta).toEqual({ version: '1.2' })
    expect(services[1]!.Check).toEqual({ HTTP: 'http://127.0.0.1:26501/health', Interval: '10s' })
  })

  it('ignores containers without published ports and with SERVICE_IGNORE', () => {
    expect(mapContainer(fixture('plain'), config)).toEqual({ services: [], ignored: [{ reason: 'no published ports' }] })
    const ignoredResult = mapContainer(fixture('ignored'), config)
    expect(ignoredResult.services).toEqual([])
    expect(ignoredResult.ignored[0]!.reason).toMatch(/SERVICE_IGNORE/)
  })

  it('takes SERVICE_NAME, lets labels win over env, and builds the HTTP check', () => {
    const { services } = mapContainer(fixture('demo'), config)
    expect(services).toEqual([{
      ID: 'lab:zxrec-demo:8080', Name: 'api', Port: 26505, Address: '127.0.0.1', Tags: ['label'], Meta: {},
      Check: { HTTP: 'http://127.0.0.1:26505/health', Interval: '2s' },
    }])
  })

  it('honours --ip, --tags, --explicit, --internal and --ttl', () => {
    const forced = mapContainer(fixture('demo'), { ...config, ip: '192.0.2.7', tags: ['zx', 'label'] }).services[0]!
    expect(forced.Address).toBe('192.0.2.7')
    expect(forced.Tags).toEqual(['label', 'zx'])
    expect(mapContainer(fixture('web'), { ...config, explicit: true }).services.map((s) => s.Name)).toEqual(['web-tls'])
    const internal = mapContainer(fixture('plain'), { ...config, internal: true }).services
    expect(internal).toMatchObject([{ ID: 'lab:zxrec-plain:8080', Name: 'zx-node-base', Port: 8080 }])
    expect(internal[0]!.Address).toMatch(/^172\./)
    const ttl = mapContainer(fixture('plain'), { ...config, internal: true, ttlSeconds: 30 }).services
    expect(ttl[0]!.Check).toEqual({ TTL: '30s' })            // no check of its own → TTL check
    const own = mapContainer(fixture('web'), { ...config, ttlSeconds: 30 }).services
    expect(own[1]!.Check?.HTTP).toBeDefined()                 // its own HTTP check wins
  })

  it('survives odd inspect shapes without throwing', () => {
    const odd = { Id: 'x', Name: '/odd', Config: { Image: 'a', Env: null, Labels: null, ExposedPorts: null }, NetworkSettings: { Ports: { '80/tcp': null } } }
    expect(mapContainer(odd, config)).toEqual({ services: [], ignored: [{ reason: 'no published ports' }] })
  })
})

describe('helpers', () => {
  it('recognises its own IDs for --cleanup', () => {
    expect(ownsServiceId('lab', 'lab:web:80')).toBe(true)
    expect(ownsServiceId('lab', 'lab:web:53:udp')).toBe(true)
    expect(ownsServiceId('lab', 'other:web:80')).toBe(false)
    expect(ownsServiceId('lab', 'lab:web')).toBe(false)
    expect(ownsServiceId('lab', 'consul')).toBe(false)
  })
  it('splits tags with escaped commas', () => {
    expect(splitTags('a, b\\,c,,d')).toEqual(['a', 'b,c', 'd'])
    expect(splitTags(undefined)).toEqual([])
  })
})
