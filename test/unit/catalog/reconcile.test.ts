// Goal: the leader's membership → catalog plan matches Consul's reconcile rules: alive members
// get a node with serfHealth passing (servers also the consul service on their RPC port),
// failed members get serfHealth critical, left members and reaped nodes are deregistered, and a
// catalog that already agrees produces no writes at all. Method: run planReconcile against real
// CatalogTables, apply the plan, and plan again.
import { describe, expect, it } from 'vitest'
import type { Member } from '../../../agent/gossip/api.js'
import { planReconcile } from '../../../agent/leader/reconcile.js'
import { CatalogTables } from '../../../agent/state/catalog.js'
import { normalizeRegister } from '../../../agent/state/catalog-types.js'
import { TableIndexes } from '../../../agent/state/indexes.js'

const member = (name: string, status: Member['status'], server = false): Member => ({
  name, addr: `10.0.0.${name.slice(-1)}`, port: 8301, status, incarnation: 1,
  tags: server ? { role: 'consul', dc: 'dc1', id: `id-${name}`, port: '8300' } : { role: 'node', dc: 'dc1', id: `id-${name}` },
})

function applyPlan(catalog: CatalogTables, plan: ReturnType<typeof planReconcile>, start: number): number {
  let index = start
  for (const req of plan.registers) expect(catalog.applyRegister(++index, req)).toEqual({ ok: true })
  for (const req of plan.deregisters) catalog.applyDeregister(++index, req)
  return index
}

describe('planReconcile', () => {
  it('registers alive members with serfHealth and servers with the consul service, then settles', () => {
    const catalog = new CatalogTables(new TableIndexes())
    const members = [member('node1', 'alive', true), member('node4', 'alive')]
    const index = applyPlan(catalog, planReconcile(members, catalog, 'dc1'), 0)
    expect(catalog.checkStatus('node1', 'serfHealth')).toBe('passing')
    expect(catalog.nodeChecks('node4').value[0]).toMatchObject({ Name: 'Serf Health Status', Output: 'Agent alive and reachable' })
    expect(catalog.serviceNodes('consul').value.map((row) => [row.Node, row.ServicePort])).toEqual([['node1', 8300]])
    expect(catalog.getNode('node4')).toMatchObject({ ID: 'id-node4', Address: '10.0.0.4' })
    expect(planReconcile(members, catalog, 'dc1')).toEqual({ registers: [], deregisters: [] })
    expect(index).toBe(2)
  })
  it('marks failed members critical and deregisters left and reaped ones', () => {
    const catalog = new CatalogTables(new TableIndexes())
    let index = applyPlan(catalog, planReconcile([member('node1', 'alive', true), member('node2', 'alive'), member('node3', 'alive')], catalog, 'dc1'), 0)
    catalog.applyRegister(++index, normalizeRegister({ Node: 'external', Address: '1.2.3.4' }, { datacenter: 'dc1' }))
    index = applyPlan(catalog, planReconcile([member('node1', 'alive', true), member('node2', 'failed'), member('node3', 'left')], catalog, 'dc1'), index)
    expect(catalog.nodeChecks('node2').value[0]).toMatchObject({ Status: 'critical', Output: 'Agent not live or unreachable' })
    expect(catalog.getNode('node3')).toBeUndefined()
    applyPlan(catalog, planReconcile([member('node1', 'alive', true)], catalog, 'dc1'), index)
    // node2 vanished from gossip (reaped); the external node has no serfHealth and stays.
    expect(catalog.listNodes().value.map((n) => n.Node)).toEqual(['external', 'node1'])
  })
})
