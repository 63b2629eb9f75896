/**
 * src/registrator/mapping.ts: the pure heart of the registrator. One `docker inspect` result
 * becomes the Consul service registrations registrator would make for it: one per published
 * port (with `--internal`, per exposed port at the container's IP), named after the image's
 * base name (`-<exposed port>` appended when the container offers several ports), with the ID
 * `<registrator hostname>:<container name>:<exposed port>[:udp]`. No I/O happens here, so the
 * rules are unit tested on recorded inspect JSON.
 */
import { checkFor, type CheckDefinition } from './checks.js'
import { metaOf, serviceMetadata, splitTags } from './metadata.js'

/** ContainerInspect is the part of `GET /containers/<id>/json` the mapping reads. */
export interface ContainerInspect {
  Id: string
  Name: string
  State?: { Running?: boolean; ExitCode?: number }
  Config: { Image: string; Env?: string[] | null; Labels?: Record<string, string> | null; ExposedPorts?: Record<string, object> | null }
  HostConfig?: { NetworkMode?: string }
  NetworkSettings: {
    IPAddress?: string
    Ports?: Record<string, Array<{ HostIp: string; HostPort: string }> | null> | null
    Networks?: Record<string, { IPAddress?: string }> | null
  }
}

/** MappingConfig is the registrator's own settings that shape every registration. */
export interface MappingConfig {
  hostname: string           // the registrator's hostname, first part of every service ID
  ip?: string                // --ip: force this address
  defaultIp: string          // used when a port is bound to 0.0.0.0 / :: and no --ip is given
  internal: boolean          // --internal: container IP + exposed port
  explicit: boolean          // --explicit: only containers with SERVICE_NAME
  tags: readonly string[]    // --tags: added to every service
  checkInterval: string      // default interval of HTTP/TCP checks
  ttlSeconds: number         // --ttl: a TTL check for services without their own check
}

/** ServiceRegistration is the body of PUT /v1/agent/service/register. */
export interface ServiceRegistration {
  ID: string
  Name: string
  Port: number
  Address: string
  Tags: string[]
  Meta: Record<string, string>
  Check?: CheckDefinition
}

/** Ignored says why a container or one of its ports is not registered (logged as `ignored:`). */
export interface Ignored { port?: string; reason: string }

/** MappingResult is everything one container yields. */
export interface MappingResult { services: ServiceRegistration[]; ignored: Ignored[] }

interface PortView { exposed: string; proto: string; hostIp: string; hostPort: string }

/** imageBaseName strips registry, repository path, tag and digest: `reg:5000/a/b:1.2` → `b`. */
export function imageBaseName(image: string): string {
  const withoutDigest = image.split('@')[0]!
  const last = withoutDigest.split('/').pop()!
  return last.split(':')[0]!
}

/** containerName drops the leading slash docker puts on names. */
export function containerName(inspect: ContainerInspect): string {
  return inspect.Name.replace(/^\//, '')
}

/** ownsServiceId tells whether an ID has the shape this registrator generates (for --cleanup). */
export function ownsServiceId(hostname: string, id: string): boolean {
  const prefix = `${hostname}:`
  if (!id.startsWith(prefix)) return false
  return /^[^:]+:\d+(:udp)?$/.test(id.slice(prefix.length))
}

/** mapContainer turns one inspected container into registrations and ignore reasons. */
export function mapContainer(inspect: ContainerInspect, config: MappingConfig): MappingResult {
  const ports = portViews(inspect, config)
  const candidates = config.internal ? ports : ports.filter((port) => port.hostPort !== '')
  if (candidates.length === 0) return { services: [], ignored: [{ reason: 'no published ports' }] }
  const source = { env: inspect.Config.Env ?? [], labels: inspect.Config.Labels ?? {} }
  const services: ServiceRegistration[] = []
  const ignored: Ignored[] = []
  const grouped = candidates.length > 1
  for (const port of candidates) {
    const outcome = serviceFor(inspect, port, grouped, source, config)
    if ('reason' in outcome) ignored.push({ port: port.exposed, reason: outcome.reason })
    else services.push(outcome)
  }
  return { services, ignored }
}

function serviceFor(inspect: ContainerInspect, port: PortView, grouped: boolean, source: { env: readonly string[]; labels: Readonly<Record<string, string>> }, config: MappingConfig): ServiceRegistration | Ignored {
  const { metadata, portKeys } = serviceMetadata(source, port.exposed)
  if (metadata.ignore !== undefined) return { reason: `SERVICE_IGNORE on port ${port.exposed}` }
  if (config.explicit && metadata.name === undefined) return { reason: 'no SERVICE_NAME (--explicit)' }
  let name = metadata.name ?? imageBaseName(inspect.Config.Image)
  if (grouped && !portKeys.has('name')) name = `${name}-${port.exposed}`
  const udp = port.proto === 'udp'
  const address = addressFor(inspect, port, config)
  const servicePort = Number(config.internal ? port.exposed : port.hostPort)
  const tags = [...splitTags(metadata.tags), ...config.tags]
  if (udp) tags.push('udp')
  const service: ServiceRegistration = {
    ID: metadata.id ?? `${config.hostname}:${containerName(inspect)}:${port.exposed}${udp ? ':udp' : ''}`,
    Name: sanitizeName(name),
    Port: servicePort,
    Address: address,
    Tags: [...new Set(tags)],
    Meta: metaOf(metadata),
  }
  const check = checkFor(metadata, address, servicePort, config.checkInterval)
    ?? (config.ttlSeconds > 0 ? { TTL: `${config.ttlSeconds}s` } : undefined)
  if (check !== undefined) service.Check = check
  return service
}

function portViews(inspect: ContainerInspect, config: MappingConfig): PortView[] {
  const views = new Map<string, PortView>()
  const hostMode = inspect.HostConfig?.NetworkMode === 'host'
  for (const key of Object.keys(inspect.Config.ExposedPorts ?? {})) {
    const [exposed, proto = 'tcp'] = key.split('/') as [string, string?]
    // With host networking an exposed port is reachable on the host at the same number.
    views.set(key, { exposed, proto, hostIp: hostMode ? (config.ip ?? '') : '', hostPort: hostMode ? exposed : '' })
  }
  for (const [key, bindings] of Object.entries(inspect.NetworkSettings.Ports ?? {})) {
    const [exposed, proto = 'tcp'] = key.split('/') as [string, string?]
    // Docker lists an IPv4 and an IPv6 binding for one port; registrator keeps the first.
    const binding = bindings?.[0]
    views.set(key, { exposed, proto, hostIp: binding?.HostIp ?? '', hostPort: binding?.HostPort ?? views.get(key)?.hostPort ?? '' })
  }
  return [...views.values()].sort((a, b) => Number(a.exposed) - Number(b.exposed) || a.proto.localeCompare(b.proto))
}

function addressFor(inspect: ContainerInspect, port: PortView, config: MappingConfig): string {
  if (config.internal) return containerIp(inspect) ?? config.defaultIp
  if (config.ip !== undefined && config.ip !== '') return config.ip
  if (port.hostIp === '' || port.hostIp === '0.0.0.0' || port.hostIp === '::') return config.defaultIp
  return port.hostIp
}

/** containerIp is the container's address on its network (custom networks included). */
export function containerIp(inspect: ContainerInspect): string | undefined {
  const mode = inspect.HostConfig?.NetworkMode
  const networks = inspect.NetworkSettings.Networks ?? {}
  if (mode !== undefined && networks[mode]?.IPAddress) return networks[mode]!.IPAddress
  if (inspect.NetworkSettings.IPAddress) return inspect.NetworkSettings.IPAddress
  for (const network of Object.values(networks)) if (network.IPAddress) return network.IPAddress
  return undefined
}

/** sanitizeName keeps a service name DNS-friendly, the way Consul wants it for `<name>.service.consul`. */
function sanitizeName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_.-]/g, '-')
  return clean === '' ? 'service' : clean
}
