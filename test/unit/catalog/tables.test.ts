// Goal: the catalog tables apply register/deregister/check-status like Consul's state store:
// idempotent writes leave indexes alone, per-service indexes move only for the service touched,
// health reads filter and aggregate correctly, snapshot/restore round-trips and session hooks
// hear of critical checks. Method: apply canonical requests at increasing Raft indexes to
// CatalogTables over a real TableIndexes and compare reads.
import { describe, expect, it } from 'vitest'
import { CatalogTables } from '../../../agent/state/catalog.js'
import { normalizeRegister, normalizeDeregister } from '../../../agent/state/catalog-types.js'
import { TableIndexes } from '../../../agent/state/indexes.js'

function fresh() {
  const indexes = new TableIndexes()
  return { indexes, catalog: new CatalogTables(indexes) }
}

const reg = (body: unknown) => normalizeRegister(body, { datacenter: 'dc1' })

describe('CatalogTables', () => {
  it('registers nodes, services and checks with Consul shapes', () => {
    const { catalog } = fresh()
    expect(catalog.applyRegister(5, reg({ Node: 'n1', Address: '10.0.0.1', Service: { Service: 'web', Tags: ['v1'], Port: 80 }, Check: { Name: 'alive', Status: 'passing', ServiceID: 'web' } }))).toEqual({ ok: true })
    const nodes = catalog.listNodes()
    expect(nodes.value).toEqual([expect.objectContaining({ Node: 'n1', Address: '10.0.0.1', Datacenter: 'dc1', CreateIndex: 5, ModifyIndex: 5 })])
    const rows = catalog.serviceNodes('web')
    expect(rows.value[0]).toMatchObject({ Node: 'n1', ServiceID: 'web', ServiceName: 'web', ServiceTags: ['v1'], ServicePort: 80, ServiceWeights: { Passing: 1, Warning: 1 } })
    expect(catalog.serviceChecks('web').value[0]).toMatchObject({ CheckID: 'alive', ServiceName: 'web', ServiceTags: ['v1'], Status: 'passing' })
    expect(catalog.listServices().value).toEqual({ web: ['v1'] })
    expect(catalog.nodeExists('n1')).toBe(true)
    expect(catalog.checkStatus('n1', 'alive')).toBe('passing')
  })
  it('rejects checks of unknown services and missing fields', () => {
    const { catalog } = fresh()
    expect(catalog.applyRegister(1, reg({ Node: 'n1', Address: 'a', Check: { Name: 'c', ServiceID: 'nope' } }))).toMatchObject({ ok: false })
    expect(() => reg({ Address: 'a' })).toThrow(/node/)
    expect(() => reg({ Node: 'n', Address: 'a', Service: { Port: 1 } })).toThrow(/service name/)
  })
  it('leaves indexes alone for identical writes and scopes service indexes', () => {
    const { catalog, indexes } = fresh()
    catalog.applyRegister(1, reg({ Node: 'n1', Address: 'a', Service: { Service: 'web' } }))
    catalog.applyRegister(2, reg({ Node: 'n1', Address: 'a', Service: { Service: 'db' } }))
    expect(catalog.serviceIndex('web')).toBe(1)
    expect(catalog.serviceIndex('db')).toBe(2)
    catalog.applyRegister(3, reg({ Node: 'n1', Address: 'a', Service: { Service: 'web' } }))
    expect(indexes.get('services')).toBe(2)
    expect(catalog.serviceNodes('web').value[0]!.ModifyIndex).toBe(1)
    // A node-level check change moves every service on the node.
    catalog.applyRegister(4, reg({ Node: 'n1', Address: 'a', Check: { CheckID: 'serfHealth', Status: 'passing' } }))
    expect(catalog.serviceIndex('web')).toBe(4)
    expect(catalog.serviceIndex('db')).toBe(4)
  })
  it('filters health by passing and tags and wakes per-service watchers', async () => {
    const { catalog, indexes } = fresh()
    catalog.applyRegister(1, reg({ Node: 'n1', Address: 'a', Service: { ID: 'w1', Service: 'web', Tags: ['Primary'] }, Checks: [{ CheckID: 'c1', ServiceID: 'w1', Status: 'passing' }, { CheckID: 'serfHealth', Status: 'passing' }] }))
    catalog.applyRegister(2, reg({ Node: 'n2', Address: 'b', Service: { ID: 'w2', Service: 'web' }, Checks: [{ CheckID: 'c2', ServiceID: 'w2', Status: 'warning' }] }))
    expect(catalog.checkServiceNodes('web').value.map((e) => e.Service.ID)).toEqual(['w1', 'w2'])
    expect(catalog.checkServiceNodes('web', [], true).value.map((e) => e.Service.ID)).toEqual(['w1'])
    expect(catalog.checkServiceNodes('web', ['primary']).value.map((e) => e.Service.ID)).toEqual(['w1'])
    expect(catalog.checkServiceNodes('web').value[0]!.Checks.map((c) => c.CheckID)).toEqual(['serfHealth', 'c1'])
    const woke = indexes.waitChange(['service:web'], 1000)
    const lost: unknown[] = []
    catalog.onHealthLoss((node, ids) => lost.push([node, ids]))
    catalog.applyCheckStatus(3, { Updates: [{ Node: 'n1', CheckID: 'c1', Status: 'critical', Output: 'down' }, { Node: 'zz', CheckID: 'x', Status: 'critical', Output: '' }] })
    expect(await woke).toBe(true)
    expect(lost).toEqual([['n1', ['c1']]])
    expect(catalog.checksInState('critical').value.map((c) => c.CheckID)).toEqual(['c1'])
    expect(catalog.serviceIndex('web')).toBe(3)
  })
  it('deregisters checks, services with their checks, and whole nodes', () => {
    const { catalog } = fresh()
    catalog.applyRegister(1, reg({ Node: 'n1', Address: 'a', Service: { ID: 'w1', Service: 'web' }, Checks: [{ CheckID: 'c1', ServiceID: 'w1' }, { CheckID: 'n' }] }))
    catalog.applyRegister(2, reg({ Node: 'n1', Address: 'a', Service: { ID: 'd1', Service: 'db' } }))
    catalog.applyDeregister(3, normalizeDeregister({ Node: 'n1', ServiceID: 'w1' }))
    expect(catalog.serviceNodes('web').value).toEqual([])
    expect(catalog.nodeChecks('n1').value.map((c) => c.CheckID)).toEqual(['n'])
    catalog.applyDeregister(4, normalizeDeregister({ Node: 'n1', CheckID: 'n' }))
    expect(catalog.nodeChecks('n1').value).toEqual([])
    catalog.applyDeregister(5, normalizeDeregister({ Node: 'n1' }))
    expect(catalog.listNodes().value).toEqual([])
    expect(catalog.listServices().value).toEqual({})
    expect(catalog.nodeServices('n1').value).toBeUndefined()
  })
  it('never throws on malformed commands and re-normalises canonical requests unchanged', () => {
    const { catalog } = fresh()
    for (const bad of [null, 42, {}, { Node: 'n', Address: 'a', Checks: 'x' }, { Node: 'n', Address: 'a', Checks: [null] }, { Node: 'n', Address: 'a', Checks: [], Service: { ID: 1 } }]) {
      expect(catalog.applyRegister(1, bad as never)).toMatchObject({ ok: false })
    }
    expect(catalog.applyDeregister(1, null as never)).toMatchObject({ ok: false })
    expect(catalog.applyCheckStatus(1, { Updates: [null, 3] } as never)).toEqual({ ok: true })
    const canonical = reg({ Node: 'n1', Address: 'a', NodeMeta: { k: 'v' }, Service: { ID: 'w', Service: 'web', Tags: ['t'], Weights: { Passing: 3, Warning: 0 }, TaggedAddresses: { lan: { Address: 'x', Port: 1 } } }, Check: { CheckID: 'c', ServiceID: 'w', Status: 'warning', Definition: { TTL: '5s' } } })
    expect(reg(JSON.parse(JSON.stringify(canonical)))).toEqual(canonical)
    expect(catalog.listNodes().value).toEqual([])
  })
  it('round-trips through snapshot and restore', () => {
    const { catalog } = fresh()
    catalog.applyRegister(1, reg({ Node: 'n1', Address: 'a', NodeMeta: { rack: 'r1' }, Service: { ID: 'w1', Service: 'web', Meta: { v: '1' } }, Check: { CheckID: 'c1', ServiceID: 'w1' } }))
    const data = JSON.parse(JSON.stringify(catalog.snapshot()))
    const other = fresh().catalog
    other.restore(data)
    expect(other.checkServiceNodes('web')).toEqual(catalog.checkServiceNodes('web'))
    expect(other.listNodes().value).toEqual(catalog.listNodes().value)
  })
})
