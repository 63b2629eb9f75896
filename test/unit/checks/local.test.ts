// Goal: agent-local registrations behave like Consul's agent: service registration with embedded
// checks (auto IDs service:<id>, service:<id>:<n>), TTL pass/fail, maintenance, script checks
// refused when disabled, persistence round trip, reaping; and anti-entropy makes the catalog
// equal to local state, pushes status flips, and repairs drift (a catalog-side deregister is
// undone; a foreign service on the node is removed; serfHealth is left alone).
// Method: LocalState over a ManualClock and fake probes; AntiEntropy over a CatalogClient that
// applies requests straight to a real CatalogTables.
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../agent/checks/clock.js'
import type { Probes } from '../../../agent/checks/probes.js'
import { CheckRunner } from '../../../agent/checks/runner.js'
import { LocalState } from '../../../agent/local/state.js'
import { AntiEntropy, type CatalogClient } from '../../../agent/local/sync.js'
import type { PersistedState } from '../../../agent/local/persist.js'
import { CatalogTables } from '../../../agent/state/catalog.js'
import { normalizeRegister } from '../../../agent/state/catalog-types.js'
import { TableIndexes } from '../../../agent/state/indexes.js'
import { isZxError } from '../../../agent/errors.js'

function setup(enableScriptChecks = false) {
  const clock = new ManualClock(1_000)
  const probes: Probes = { http: async () => ({ status: 'passing', output: 'ok' }), tcp: async () => ({ status: 'passing', output: 'ok' }), script: async () => ({ status: 'passing', output: '' }) }
  let saved: PersistedState | undefined
  let changes = 0
  // eslint-disable-next-line prefer-const
  let state: LocalState
  const runner = new CheckRunner({ clock, probes, enableScriptChecks, onResult: (id, status, output) => state.onResult(id, status, output) })
  state = new LocalState({ nodeName: 'node4', clock, runner, enableScriptChecks, persist: async (s) => { saved = JSON.parse(JSON.stringify(s)) }, changed: () => { changes++ } })
  const catalog = new CatalogTables(new TableIndexes())
  let index = 0
  const client: CatalogClient = {
    nodeServices: async (node) => catalog.nodeServices(node).value,
    nodeChecks: async (node) => catalog.nodeChecks(node).value,
    register: async (req) => { const r = catalog.applyRegister(++index, JSON.parse(JSON.stringify(req))); if (!r.ok) throw new Error(r.error) },
    deregister: async (req) => { catalog.applyDeregister(++index, req) },
  }
  const identity = { node: 'node4', id: 'id-4', address: '127.0.0.4', datacenter: 'dc1', taggedAddresses: { lan: '127.0.0.4' }, meta: {} }
  const ae = new AntiEntropy(state, client, identity, clock, 60_000)
  return { clock, state, catalog, ae, saved: () => saved, changes: () => changes, next: () => ++index }
}

describe('LocalState', () => {
  it('registers services with embedded checks and Consul auto IDs', async () => {
    const { state, saved } = setup()
    await state.registerService({ Name: 'web', Port: 80, Check: { TTL: '10s' } }, false)
    await state.registerService({ name: 'db', id: 'db1', checks: [{ ttl: '5s' }, { name: 'named', ttl: '5s' }] }, false)
    expect([...state.checks.keys()].sort()).toEqual(['service:db1:1', 'service:db1:2', 'service:web'])
    expect(state.checks.get('service:web')).toMatchObject({ status: 'critical', definition: { name: "Service 'web' check", serviceId: 'web' } })
    expect(state.checks.get('service:db1:2')!.definition.name).toBe('named')
    expect(saved()!.services.map((s) => s.ID)).toEqual(['web', 'db1'])
  })
  it('signals anti-entropy for check-less registrations and deregistrations', async () => {
    const { state, changes } = setup()
    await state.registerService({ Name: 'bare' }, false)
    const afterRegister = changes()
    expect(afterRegister).toBeGreaterThan(0)
    await state.deregisterService('bare')
    expect(changes()).toBeGreaterThan(afterRegister)
    expect(state.dirtyServices.has('bare')).toBe(true)
  })
  it('updates TTL checks, expires them, and rejects non-TTL updates', async () => {
    const { state, clock } = setup()
    await state.registerService({ Name: 'web', Check: { TTL: '10s' } }, false)
    await state.registerCheck({ Name: 'tcp', TCP: '127.0.0.1:1', Interval: '10s' })
    await state.updateTtl('service:web', 'passing', 'fine')
    expect(state.checks.get('service:web')).toMatchObject({ status: 'passing', output: 'fine' })
    clock.advance(10_001)
    expect(state.checks.get('service:web')).toMatchObject({ status: 'critical', output: 'TTL expired' })
    await expect(state.updateTtl('tcp', 'passing', '')).rejects.toThrow(/TTL/)
    await expect(state.updateTtl('nope', 'passing', '')).rejects.toThrow(/Unknown check/)
  })
  it('adds and removes the maintenance check and refuses script checks when disabled', async () => {
    const { state } = setup()
    await state.registerService({ Name: 'web' }, false)
    await state.setServiceMaintenance('web', true, 'upgrading')
    expect(state.checks.get('_service_maintenance:web')).toMatchObject({ status: 'critical', definition: { notes: 'upgrading' } })
    await state.setServiceMaintenance('web', false, '')
    expect(state.checks.has('_service_maintenance:web')).toBe(false)
    let caught: unknown
    try { await state.registerCheck({ Name: 's', Args: ['true'], Interval: '10s' }) } catch (error) { caught = error }
    expect(isZxError(caught, 'ZX_ERR_BAD_REQUEST')).toBe(true)
    await expect(state.registerCheck({ Name: 'c', TTL: '1s', ServiceID: 'ghost' })).rejects.toThrow(/does not exist/)
  })
  it('restores persisted registrations and reaps long-critical services', async () => {
    const first = setup()
    await first.state.registerService({ Name: 'web', Check: { TTL: '10s', DeregisterCriticalServiceAfter: '1m' } }, false)
    await first.state.updateTtl('service:web', 'passing', 'up')
    const second = setup()
    second.state.restore(first.saved()!)
    expect(second.state.checks.get('service:web')).toMatchObject({ status: 'passing', output: 'up' })
    second.clock.advance(10_001)
    expect(second.state.reapable(second.clock.nowMs())).toEqual([])
    second.clock.advance(60_000)
    expect(second.state.reapable(second.clock.nowMs())).toEqual(['web'])
  })
})

describe('AntiEntropy', () => {
  it('syncs local state into the catalog and pushes status flips', async () => {
    const { state, catalog, ae } = setup()
    await state.registerService({ Name: 'web', Port: 80, Tags: ['a'], Check: { TTL: '10s' } }, false)
    ae.start(); await ae.idle()
    expect(catalog.getNode('node4')).toMatchObject({ Address: '127.0.0.4', ID: 'id-4' })
    expect(catalog.checkServiceNodes('web').value[0]).toMatchObject({ Service: { Port: 80, Tags: ['a'] }, Checks: [expect.objectContaining({ CheckID: 'service:web', Status: 'critical' })] })
    await state.updateTtl('service:web', 'passing', 'ok')
    ae.trigger(); await ae.idle()
    expect(catalog.checkServiceNodes('web', [], true).value).toHaveLength(1)
  })
  it('repairs drift and leaves server-owned entries alone', async () => {
    const { state, catalog, ae, next } = setup()
    await state.registerService({ Name: 'web' }, false)
    ae.start(); await ae.idle()
    catalog.applyDeregister(next(), { Node: 'node4', ServiceID: 'web' })
    catalog.applyRegister(next(), normalizeRegister({ Node: 'node4', Address: '127.0.0.4', Service: { Service: 'stray' }, Checks: [{ CheckID: 'serfHealth', Status: 'passing' }] }, { datacenter: 'dc1' }))
    ae.requestFull(); await ae.idle()
    expect(Object.keys(catalog.listServices().value)).toEqual(['web'])
    expect(catalog.checkStatus('node4', 'serfHealth')).toBe('passing')
    await state.deregisterService('web')
    ae.trigger(); await ae.idle()
    expect(catalog.listServices().value).toEqual({})
  })
  it('retries with backoff while the servers fail and defers output-only changes', async () => {
    const { state, catalog, clock } = setup()
    let failures = 3
    const calls: number[] = []
    const flaky: CatalogClient = {
      nodeServices: async (node) => { calls.push(clock.nowMs()); if (failures-- > 0) throw new Error('No cluster leader'); return catalog.nodeServices(node).value },
      nodeChecks: async (node) => catalog.nodeChecks(node).value,
      register: async (req) => { catalog.applyRegister(catalog.listNodes().index + 100 + calls.length, JSON.parse(JSON.stringify(req))) },
      deregister: async (req) => { catalog.applyDeregister(999, req) },
    }
    const identity = { node: 'node4', id: 'id-4', address: '127.0.0.4', datacenter: 'dc1', taggedAddresses: {}, meta: {} }
    const ae = new AntiEntropy(state, flaky, identity, clock, 60_000)
    await state.registerService({ Name: 'web', Check: { TTL: '10m', Status: 'passing' } }, false)
    ae.start(); await ae.idle()
    for (let i = 0; i < 4; i++) { clock.advance(10_000); await ae.idle() }
    expect(calls.length).toBe(4)
    expect(calls[2]! - calls[1]!).toBeGreaterThan(calls[1]! - calls[0]!)
    expect(ae.stats.failures).toBe(3)
    expect(catalog.serviceNodes('web').value).toHaveLength(1)
    // Same status, new output: recorded locally, not pushed until the next full sync.
    await state.updateTtl('service:web', 'passing', 'new output')
    ae.trigger(); await ae.idle()
    expect(catalog.nodeChecks('node4').value[0]!.Output).toBe('')
    clock.advance(60_000); await ae.idle()
    expect(catalog.nodeChecks('node4').value[0]!.Output).toBe('new output')
  })
})
