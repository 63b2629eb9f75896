/**
 * Goal: the etcd workload maps the v3 JSON gateway's requests and answers onto the same
 * register history as Consul — absent keys read as null with revision 0, values decoded from
 * base64, a txn without `succeeded` (the gateway omits false) is a failed CAS — and malformed
 * answers throw rather than being recorded as results.
 * Method: literal gateway bodies (as etcd 3.4 returns them) through the exported mappers, plus
 * a hand-built history of mapped results decided by the same checker.
 */
import { describe, expect, it } from 'vitest'
import { etcdCasRequest, etcdKey, etcdRangeRequest, parseEtcdRange, parseEtcdTxn } from '../../../src/verify/etcd-clients.js'
import { checkHistory } from '../../../src/verify/check.js'
import { HistoryRecorder } from '../../../src/verify/history.js'

const header = { cluster_id: '1', member_id: '2', revision: '9', raft_term: '2' }

describe('etcd gateway mapping', () => {
  it('encodes range and CAS requests with base64 keys and a mod_revision compare', () => {
    expect(etcdRangeRequest('p/k0', false)).toEqual({ key: 'cC9rMA==' })
    expect(etcdRangeRequest('p/k0', true)).toEqual({ key: 'cC9rMA==', serializable: true })
    expect(etcdCasRequest('p/k0', 0, '1-2')).toEqual({
      compare: [{ key: 'cC9rMA==', target: 'MOD', result: 'EQUAL', mod_revision: '0' }],
      success: [{ request_put: { key: 'cC9rMA==', value: etcdKey('1-2') } }],
    })
  })

  it('reads an absent key as null at revision 0 and a present one as its decoded value', () => {
    expect(parseEtcdRange(JSON.stringify({ header }))).toEqual({ value: null, modRevision: 0 })
    const body = { header, kvs: [{ key: 'cC9rMA==', create_revision: '5', mod_revision: '8', version: '2', value: etcdKey('3-7') }], count: '1' }
    expect(parseEtcdRange(JSON.stringify(body))).toEqual({ value: '3-7', modRevision: 8 })
    expect(parseEtcdRange(JSON.stringify({ header, kvs: [{ key: 'cC9rMA==', mod_revision: '8' }] }))).toEqual({ value: '', modRevision: 8 })
  })

  it('treats a txn without `succeeded` as a failed compare', () => {
    expect(parseEtcdTxn(JSON.stringify({ header, succeeded: true, responses: [{ response_put: { header } }] }))).toBe(true)
    expect(parseEtcdTxn(JSON.stringify({ header }))).toBe(false)
  })

  it('throws on malformed answers instead of recording them', () => {
    expect(() => parseEtcdRange('not json')).toThrow()
    expect(() => parseEtcdRange(JSON.stringify({ header, kvs: [{ mod_revision: 'x' }] }))).toThrow(/mod_revision/)
    expect(() => parseEtcdTxn(JSON.stringify({ error: 'etcdserver: request timed out', code: 14 }))).toThrow(/header/)
  })
})

describe('etcd histories through the checker', () => {
  it('accepts a legal sequence and rejects a stale read after a CAS', () => {
    const ok = new HistoryRecorder()
    const r0 = ok.invoke(0, { f: 'read', key: 'k', output: null }, 0)
    ok.complete(r0, { f: 'read', key: 'k', output: parseEtcdRange(JSON.stringify({ header })).value }, 1)
    const c = ok.invoke(1, { f: 'cas', key: 'k', expected: null, value: '1-0', ok: true }, 2)
    ok.complete(c, { f: 'cas', key: 'k', expected: null, value: '1-0', ok: parseEtcdTxn(JSON.stringify({ header, succeeded: true })) }, 3)
    const r1 = ok.invoke(0, { f: 'read', key: 'k', output: null }, 4)
    ok.complete(r1, { f: 'read', key: 'k', output: '1-0' }, 5)
    expect(checkHistory(ok.all()).valid).toBe(true)

    const bad = new HistoryRecorder()
    for (const e of ok.all().slice(0, 2)) { const h = bad.invoke(e.process, e.op, e.invokeMs); bad.complete(h, e.op, e.completeMs!) }
    const stale = bad.invoke(0, { f: 'read', key: 'k', output: null }, 4)
    bad.complete(stale, { f: 'read', key: 'k', output: null }, 5)
    expect(checkHistory(bad.all()).valid).toBe(false)
  })
})
