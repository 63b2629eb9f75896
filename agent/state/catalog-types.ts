/**
 * agent/state/catalog-types.ts: the catalog's records (nodes, service instances, health checks)
 * in Consul's JSON shapes, and the canonical register/deregister/check-status requests the Raft
 * log carries. `normalizeRegister` turns a /v1/catalog/register body (or one the agent builds
 * for anti-entropy) into the canonical request, accepting CamelCase and snake_case keys.
 * Records are immutable once stored: an update stores a new object, so reads may hand out
 * references without copying.
 */
import { ZxError } from '../errors.js'
import { normalizeKeys, parseStatus, type HealthStatus } from '../checks/definition.js'

/** NodeRecord is a catalog node (Consul's Node JSON). */
export interface NodeRecord {
  ID: string
  Node: string
  Address: string
  Datacenter: string
  TaggedAddresses: Record<string, string>
  Meta: Record<string, string>
  CreateIndex: number
  ModifyIndex: number
}

/** ServiceWeights is the DNS SRV weight of an instance by health. */
export interface ServiceWeights { Passing: number; Warning: number }

/** ServiceSpec is a service instance as registered (Consul's NodeService without indexes). */
export interface ServiceSpec {
  ID: string
  Service: string
  Tags: string[]
  Address: string
  TaggedAddresses: Record<string, { Address: string; Port: number }>
  Meta: Record<string, string>
  Port: number
  Weights: ServiceWeights
  EnableTagOverride: boolean
  Kind: string
}

/** ServiceRecord is a stored service instance. */
export interface ServiceRecord extends ServiceSpec {
  CreateIndex: number
  ModifyIndex: number
}

/** CheckSpec is a health check as registered. */
export interface CheckSpec {
  CheckID: string
  Name: string
  Status: HealthStatus
  Notes: string
  Output: string
  ServiceID: string
  Type: string
  Definition: Record<string, unknown>
}

/** CheckRecord is a stored health check (Consul's HealthCheck JSON). */
export interface CheckRecord extends CheckSpec {
  Node: string
  ServiceName: string
  ServiceTags: string[]
  CreateIndex: number
  ModifyIndex: number
}

/** RegisterRequest is the canonical body of a MessageType.Register command. */
export interface RegisterRequest {
  Node: string
  ID: string
  Address: string
  Datacenter: string
  TaggedAddresses: Record<string, string>
  NodeMeta: Record<string, string>
  Service: ServiceSpec | undefined
  Checks: CheckSpec[]
  SkipNodeUpdate: boolean
}

/** DeregisterRequest is the body of a MessageType.Deregister command (only Node: the whole node). */
export interface DeregisterRequest {
  Node: string
  ServiceID?: string
  CheckID?: string
}

/** CheckStatusUpdate is one check's new status in a batch. */
export interface CheckStatusUpdate {
  Node: string
  CheckID: string
  Status: HealthStatus
  Output: string
}

/** CheckStatusRequest is the body of a MessageType.CheckStatus command. */
export interface CheckStatusRequest {
  Updates: CheckStatusUpdate[]
}

/** CatalogApplyResult is what an apply returns: Consul's error text travels back to the caller. */
export type CatalogApplyResult = { ok: true } | { ok: false; error: string }

function bad(message: string): ZxError {
  return new ZxError('ZX_ERR_BAD_REQUEST', message)
}

function text(value: unknown, field: string): string {
  if (value === undefined || value === null) return ''
  if (typeof value !== 'string') throw bad(`Request decode failed: ${field} must be a string`)
  return value
}

function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw bad(`Request decode failed: ${field} must be an object`)
  const out: Record<string, string> = {}
  for (const [key, entry] of Object.entries(value)) out[key] = text(entry, `${field}.${key}`)
  return out
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw bad(`Request decode failed: ${field} must be a list`)
  return value.map((entry, i) => text(entry, `${field}[${i}]`))
}

function port(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) throw bad(`Request decode failed: ${field} must be a port number`)
  return value
}

function weights(value: unknown): ServiceWeights {
  const fields = normalizeKeys(value)
  const passing = fields.get('passing')
  const warning = fields.get('warning')
  return {
    Passing: typeof passing === 'number' && passing > 0 ? Math.floor(passing) : 1,
    Warning: typeof warning === 'number' && warning >= 0 ? Math.floor(warning) : 1,
  }
}

function taggedServiceAddresses(value: unknown): Record<string, { Address: string; Port: number }> {
  const out: Record<string, { Address: string; Port: number }> = {}
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return out
  for (const [key, entry] of Object.entries(value)) {
    const fields = normalizeKeys(entry)
    out[key] = { Address: text(fields.get('address'), `TaggedAddresses.${key}.Address`), Port: port(fields.get('port'), `TaggedAddresses.${key}.Port`) }
  }
  return out
}

/** normalizeService decodes a service body ({ID, Service|Name, Tags, …}); throws ZX_ERR_BAD_REQUEST. */
export function normalizeService(value: unknown): ServiceSpec {
  const fields = normalizeKeys(value)
  const name = text(fields.get('service') ?? fields.get('name'), 'Service.Service')
  if (name === '') throw bad('Must provide service name')
  return {
    ID: text(fields.get('id'), 'Service.ID') || name,
    Service: name,
    Tags: stringList(fields.get('tags'), 'Service.Tags'),
    Address: text(fields.get('address'), 'Service.Address'),
    TaggedAddresses: taggedServiceAddresses(fields.get('taggedaddresses')),
    Meta: stringMap(fields.get('meta'), 'Service.Meta'),
    Port: port(fields.get('port'), 'Service.Port'),
    Weights: weights(fields.get('weights')),
    EnableTagOverride: fields.get('enabletagoverride') === true,
    Kind: text(fields.get('kind'), 'Service.Kind'),
  }
}

/** normalizeCheck decodes a catalog check body ({CheckID, Name, Status, …}). */
export function normalizeCheck(value: unknown): CheckSpec {
  const fields = normalizeKeys(value)
  const name = text(fields.get('name'), 'Check.Name')
  const checkId = text(fields.get('checkid') ?? fields.get('id'), 'Check.CheckID') || name
  if (checkId === '') throw bad('Must provide a CheckID')
  const definition = fields.get('definition')
  return {
    CheckID: checkId,
    Name: name || checkId,
    Status: parseStatus(fields.get('status')) ?? 'critical',
    Notes: text(fields.get('notes'), 'Check.Notes'),
    Output: text(fields.get('output'), 'Check.Output'),
    ServiceID: text(fields.get('serviceid'), 'Check.ServiceID'),
    Type: text(fields.get('type'), 'Check.Type'),
    Definition: definition !== null && typeof definition === 'object' && !Array.isArray(definition) ? { ...definition as Record<string, unknown> } : {},
  }
}

/** normalizeRegister decodes a /v1/catalog/register body into the canonical request. */
export function normalizeRegister(body: unknown, defaults: { datacenter: string }): RegisterRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad('Request decode failed: body must be a JSON object')
  const fields = normalizeKeys(body)
  const node = text(fields.get('node'), 'Node')
  if (node === '') throw bad('Must provide node')
  const skipNodeUpdate = fields.get('skipnodeupdate') === true
  const address = text(fields.get('address'), 'Address')
  if (address === '' && !skipNodeUpdate) throw bad('Must provide address if SkipNodeUpdate is not set')
  const service = fields.get('service')
  const checks: CheckSpec[] = []
  const single = fields.get('check')
  if (single !== undefined && single !== null) checks.push(normalizeCheck(single))
  const many = fields.get('checks')
  if (many !== undefined && many !== null) {
    if (!Array.isArray(many)) throw bad('Request decode failed: Checks must be a list')
    for (const check of many) checks.push(normalizeCheck(check))
  }
  return {
    Node: node,
    ID: text(fields.get('id'), 'ID'),
    Address: address,
    Datacenter: text(fields.get('datacenter'), 'Datacenter') || defaults.datacenter,
    TaggedAddresses: stringMap(fields.get('taggedaddresses'), 'TaggedAddresses'),
    NodeMeta: stringMap(fields.get('nodemeta'), 'NodeMeta'),
    Service: service === undefined || service === null ? undefined : normalizeService(service),
    Checks: checks,
    SkipNodeUpdate: skipNodeUpdate,
  }
}

/** normalizeDeregister decodes a /v1/catalog/deregister body. */
export function normalizeDeregister(body: unknown): DeregisterRequest {
  const fields = normalizeKeys(body)
  const node = text(fields.get('node'), 'Node')
  if (node === '') throw bad('Must provide node')
  const serviceId = text(fields.get('serviceid'), 'ServiceID')
  const checkId = text(fields.get('checkid'), 'CheckID')
  return { Node: node, ...(serviceId ? { ServiceID: serviceId } : {}), ...(checkId ? { CheckID: checkId } : {}) }
}

/** sameJson compares two plain records by content (key order included, as we build them). */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** normalizeCheckStatus validates a batch of check status updates. */
export function normalizeCheckStatus(body: unknown): CheckStatusRequest {
  const updates = normalizeKeys(body).get('updates')
  if (!Array.isArray(updates)) throw bad('Request decode failed: Updates must be a list')
  return {
    Updates: updates.map((update) => {
      const fields = normalizeKeys(update)
      const status = parseStatus(fields.get('status'))
      if (status === undefined) throw bad('Invalid check status: ""')
      return { Node: text(fields.get('node'), 'Node'), CheckID: text(fields.get('checkid'), 'CheckID'), Status: status, Output: text(fields.get('output'), 'Output') }
    }),
  }
}
