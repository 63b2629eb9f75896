// Goal: the pure logic behind the views is right: election rows (candidates, votes, winner,
// duration) from several servers' overlapping event rings; gossip spread (first/last observer,
// completeness, rounds); service health counts and filters; lossless KV Flags; URL routes
// that round-trip, so deep links and the back button agree.
// Method: hand-written event logs and API payloads; Raft §5.2 (one leader per term, votes
// counted once per voter) is what the election fold must respect.
import { describe, expect, it } from 'vitest'
import { buildElections, leaderChanges, type ReportedEvent } from '../../../agent/ui/lab/elections.js'
import { spreadRows } from '../../../agent/ui/lab/spread.js'
import { matchesFilter, memberStatusName, summarizeService } from '../../../agent/ui/lab/health.js'
import { breadcrumbs, bytesToBase64, decodeValue, encodeKeyPath, isValidFlags, leafName, parentFolder, parseKvPairs } from '../../../agent/ui/lab/kv.js'
import { parseRoute, routePath, type Route } from '../../../agent/ui/lab/routes.js'
import type { ZxGossipEvent } from '../../../agent/ui/lab/wire.js'

describe('buildElections', () => {
  it('merges every server ring, counts each vote once and measures the election', () => {
    const vote = (from: string, seq: number) => ({ type: 'vote' as const, atMs: 105, term: 3, from, to: 'b', granted: true, seq })
    const reported: ReportedEvent[] = [
      { reporter: 'b', event: { type: 'election-start', atMs: 100, term: 3, candidate: 'b', preVote: false, seq: 1 } },
      { reporter: 'b', event: vote('b', 2) },
      { reporter: 'b', event: vote('c', 3) },
      { reporter: 'c', event: vote('c', 7) }, // c reports its own vote too: counted once
      { reporter: 'c', event: { type: 'vote', atMs: 104, term: 3, from: 'a', to: 'c', granted: false, seq: 8 } },
      { reporter: 'b', event: { type: 'leader', atMs: 140, term: 3, leader: 'b', electionMs: undefined, seq: 4 } },
      { reporter: 'c', event: { type: 'leader', atMs: 150, term: 3, leader: 'b', electionMs: undefined, seq: 9 } },
      { reporter: 'a', event: { type: 'leader', atMs: 10, term: 2, leader: 'a', electionMs: 25, seq: 1 } },
    ]
    const rows = buildElections(reported)
    expect(rows.map((r) => r.term)).toEqual([3, 2])
    expect(rows[0]).toMatchObject({ term: 3, winner: 'b', candidates: ['b', 'c'], votes: { b: ['b', 'c'] }, refusals: { c: ['a'] }, durationMs: 40 })
    expect(rows[1]).toMatchObject({ winner: 'a', durationMs: 25 })
    expect(leaderChanges(reported)).toEqual([
      { term: 2, leader: 'a', previous: undefined, atMs: 10 },
      { term: 3, leader: 'b', previous: 'a', atMs: 140 },
    ])
  })
})

describe('spreadRows', () => {
  const ev = (member: string, type: ZxGossipEvent['type'], atMs: number, seq = 1): ZxGossipEvent => ({ seq, atMs, type, member, status: type === 'failed' ? 'failed' : 'alive', incarnation: 2 })
  it('measures how long a failure took to reach every live member, in ms and rounds', () => {
    const rows = spreadRows([
      { observer: 'n2', event: ev('n1', 'failed', 1_000) },
      { observer: 'n3', event: ev('n1', 'failed', 1_250) },
      { observer: 'n4', event: ev('n1', 'failed', 1_390) },
    ], ['n2', 'n3', 'n4'], 200)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ member: 'n1', firstObserver: 'n2', complete: true, spreadMs: 390, rounds: 3, expected: ['n2', 'n3', 'n4'] })
  })
  it('never waits for a member to hear about itself', () => {
    const rows = spreadRows([
      { observer: 'n2', event: ev('n4', 'join', 1_000) },
      { observer: 'n3', event: ev('n4', 'join', 1_100) },
    ], ['n2', 'n3', 'n4'], 200)
    expect(rows[0]).toMatchObject({ expected: ['n2', 'n3'], complete: true, rounds: 2 })
  })
  it('leaves rounds unknown while some live member has not heard, and separates repeats', () => {
    const rows = spreadRows([
      { observer: 'n2', event: ev('n1', 'failed', 1_000) },
      { observer: 'n2', event: ev('n1', 'failed', 200_000, 2) },
    ], ['n2', 'n3'], 200)
    expect(rows).toHaveLength(2)
    expect(rows.every((r) => !r.complete && r.rounds === undefined)).toBe(true)
  })
})

describe('health summaries', () => {
  const check = (Status: string, ServiceID = '') => ({ Node: 'n', CheckID: `c${Math.random()}`, Status, ServiceID })
  it('counts checks over instances and takes each instance at its worst', () => {
    const s = summarizeService('web', [
      { Node: { Node: 'a' }, Service: { ID: 'w1', Service: 'web' }, Checks: [check('passing'), check('passing', 'w1')] },
      { Node: { Node: 'b' }, Service: { ID: 'w2', Service: 'web' }, Checks: [check('passing'), check('critical', 'w2')] },
      { Node: { Node: 'c' }, Service: { ID: 'w3', Service: 'web' }, Checks: [check('warning')] },
    ])
    expect(s).toMatchObject({ instances: 3, passing: 3, warning: 1, critical: 1, worst: 'critical', instancesByStatus: { passing: 1, warning: 1, critical: 1 } })
    expect(matchesFilter(s, 'WE', 'any')).toBe(true)
    expect(matchesFilter(s, '', 'passing')).toBe(false)
    expect(memberStatusName(4)).toBe('failed')
  })
})

describe('KV helpers', () => {
  it('keeps uint64 Flags exact and decodes values', () => {
    const pairs = parseKvPairs('[{"LockIndex":1,"Key":"locks/a","Flags":3304740253564472344,"Value":"aGVsbG8=","Session":"s1","CreateIndex":5,"ModifyIndex":6}]')
    expect(pairs[0]).toMatchObject({ Flags: '3304740253564472344', Session: 's1', ModifyIndex: 6 })
    expect(decodeValue(pairs[0]!.Value)).toEqual({ text: 'hello', binary: false })
    expect(decodeValue(bytesToBase64(new Uint8Array([0xff, 0xfe])))).toEqual({ text: '', binary: true })
    expect(isValidFlags('18446744073709551615')).toBe(true)
    expect(isValidFlags('18446744073709551616')).toBe(false)
    expect(isValidFlags('-1')).toBe(false)
  })
  it('walks folders', () => {
    expect(parentFolder('a/b/c')).toBe('a/b/')
    expect(parentFolder('a/b/')).toBe('a/')
    expect(parentFolder('a')).toBe('')
    expect(breadcrumbs('a/b/c')).toEqual(['a/', 'a/b/'])
    expect(leafName('a/b/')).toBe('b/')
    expect(encodeKeyPath('a b/c?d')).toBe('a%20b/c%3Fd')
  })
})

describe('routes', () => {
  it('parses Consul-style URLs and builds them back', () => {
    const cases: [string, Route][] = [
      ['/ui/', { view: 'root' }],
      ['/ui/dc1/services', { view: 'services', dc: 'dc1' }],
      ['/ui/dc1/services/web%20api', { view: 'service', dc: 'dc1', name: 'web api' }],
      ['/ui/dc1/nodes', { view: 'nodes', dc: 'dc1' }],
      ['/ui/dc1/nodes/node4', { view: 'node', dc: 'dc1', name: 'node4' }],
      ['/ui/dc1/kv/', { view: 'kv', dc: 'dc1', path: '' }],
      ['/ui/dc1/kv/a/b/', { view: 'kv', dc: 'dc1', path: 'a/b/' }],
      ['/ui/dc1/kv/a/b', { view: 'kv', dc: 'dc1', path: 'a/b' }],
      ['/ui/dc1/raft', { view: 'raft', dc: 'dc1' }],
      ['/ui/dc1/gossip', { view: 'gossip', dc: 'dc1' }],
    ]
    for (const [path, route] of cases) {
      expect(parseRoute(path)).toEqual(route)
      expect(parseRoute(routePath(route))).toEqual(route)
    }
    expect(parseRoute('/ui/dc1/bogus').view).toBe('notfound')
    expect(parseRoute('/ui/dc1').view).toBe('services')
  })
})
