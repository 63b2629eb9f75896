// Goal: Consul's filter language (go-bexpr) selects the rows Consul would select for the common
// operators. Method: evaluate expressions against ServiceNode-shaped records and compare the IDs
// kept; malformed expressions must be rejected with ZX_ERR_BAD_REQUEST, never crash.
import { describe, expect, it } from 'vitest'
import { applyFilter, applyFilterToMap, compileFilter } from '../../../agent/filter/evaluate.js'
import { isZxError } from '../../../agent/errors.js'

const rows = [
  { ServiceID: 'web1', ServiceName: 'web', ServiceTags: ['v1', 'primary'], ServiceMeta: { env: 'prod' }, ServicePort: 80, ServiceEnableTagOverride: false, Node: 'node1' },
  { ServiceID: 'web2', ServiceName: 'web', ServiceTags: ['v2'], ServiceMeta: { env: 'dev', 'a.b': 'x' }, ServicePort: 8080, ServiceEnableTagOverride: true, Node: 'node2' },
  { ServiceID: 'db1', ServiceName: 'db', ServiceTags: [], ServiceMeta: {}, ServicePort: 5432, ServiceEnableTagOverride: false, Node: 'node1' },
]

function ids(filter: string): string[] {
  return applyFilter(rows, filter).map((row) => row.ServiceID)
}

describe('filter expressions', () => {
  it('supports equality, inequality and type coercion', () => {
    expect(ids('ServiceName == web')).toEqual(['web1', 'web2'])
    expect(ids('ServiceName == "db"')).toEqual(['db1'])
    expect(ids('ServiceName != "web"')).toEqual(['db1'])
    expect(ids('ServicePort == 8080')).toEqual(['web2'])
    expect(ids('ServiceEnableTagOverride == true')).toEqual(['web2'])
  })
  it('supports in / not in / contains over arrays, maps and strings', () => {
    expect(ids('"v1" in ServiceTags')).toEqual(['web1'])
    expect(ids('v2 not in ServiceTags')).toEqual(['web1', 'db1'])
    expect(ids('ServiceTags contains "primary"')).toEqual(['web1'])
    expect(ids('ServiceTags not contains "primary"')).toEqual(['web2', 'db1'])
    expect(ids('env in ServiceMeta')).toEqual(['web1', 'web2'])
    expect(ids('ServiceName contains "e"')).toEqual(['web1', 'web2'])
  })
  it('selects map keys with dots and brackets', () => {
    expect(ids('ServiceMeta.env == prod')).toEqual(['web1'])
    expect(ids('ServiceMeta["a.b"] == x')).toEqual(['web2'])
    expect(ids('ServiceMeta.missing != x')).toEqual(['web1', 'web2', 'db1'])
  })
  it('supports matches, is empty, and/or/not and parentheses', () => {
    expect(ids('ServiceID matches "^web[0-9]$"')).toEqual(['web1', 'web2'])
    expect(ids('ServiceID not matches "^web"')).toEqual(['db1'])
    expect(ids('ServiceTags is empty')).toEqual(['db1'])
    expect(ids('ServiceMeta is not empty')).toEqual(['web1', 'web2'])
    expect(ids('ServiceName == web and Node == node1 or ServiceName == db')).toEqual(['web1', 'db1'])
    expect(ids('ServiceName == web and (Node == node2 or ServicePort == 80)')).toEqual(['web1', 'web2'])
    expect(ids('not (ServiceName == web)')).toEqual(['db1'])
    expect(ids('servicename == db')).toEqual(['db1'])
  })
  it('applies to maps and keeps everything for an empty filter', () => {
    const map = { a: rows[0], b: rows[2] }
    expect(Object.keys(applyFilterToMap(map, 'ServiceName == db'))).toEqual(['b'])
    expect(ids('')).toHaveLength(3)
  })
  it('rejects malformed expressions with a bad-request error', () => {
    for (const bad of ['ServiceName ==', '(ServiceName == a', 'ServiceName ~ a', '"unterminated', 'a matches "("', 'x is full', ') a == b', 'a == b c']) {
      let caught: unknown
      try { compileFilter(bad) } catch (error) { caught = error }
      expect(isZxError(caught, 'ZX_ERR_BAD_REQUEST'), bad).toBe(true)
    }
  })
})
