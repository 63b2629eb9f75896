// Goal: RaftLog's unstable tail on top of the durable log behaves as the driver expects — entries
// are handed out once, a conflicting suffix is re-handed from the conflict point (storage then
// replaces its suffix), advance only stabilises what still matches, and a received snapshot
// empties the log past it. Also: config entries round-trip and bad bytes are ZX_ERR_CORRUPT.
// Method: a RaftLog over MemStorage, driven by hand.
import { describe, expect, it } from 'vitest'
import { isZxError } from '../../../agent/errors.js'
import { decodeConfState, encodeConfState } from '../../../agent/raft/core/conf.js'
import { RaftLog } from '../../../agent/raft/core/log.js'
import type { Entry } from '../../../agent/raft/core/types.js'
import { MemStorage } from '../../sim/raft/mem-storage.js'
import { conf3, ready } from './harness.js'

const e = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new Uint8Array([index]) })

function persist(log: RaftLog, disk: MemStorage): Entry[] {
  const entries = log.takeUnstable()
  disk.write(ready({ entries }), undefined)
  const last = entries[entries.length - 1]
  if (last) log.stableTo(last.index, last.term)
  return entries
}

describe('RaftLog', () => {
  it('hands out unstable entries once and reads them back from storage after advance', () => {
    const disk = new MemStorage()
    const log = new RaftLog(disk)
    log.append([e(1, 1), e(2, 1)])
    expect(log.lastIndex()).toBe(2)
    expect(persist(log, disk).map((x) => x.index)).toEqual([1, 2])
    expect(log.hasUnstable()).toBe(false)
    expect(log.term(2)).toBe(1)
    expect(disk.lastIndex()).toBe(2)
  })

  it('re-hands a replaced suffix from the conflict point, and ignores a stale advance', () => {
    const disk = new MemStorage()
    const log = new RaftLog(disk)
    log.append([e(1, 1), e(2, 1), e(3, 1)])
    persist(log, disk)
    log.append([e(4, 1), e(5, 1)])
    const inFlight = log.takeUnstable()            // handed to the driver, not yet advanced
    log.append([e(3, 2)])                          // a new leader replaces 3.. while 4,5 are in flight
    const again = log.takeUnstable()
    expect(again.map((x) => [x.index, x.term])).toEqual([[3, 2]])
    log.stableTo(inFlight[1]!.index, inFlight[1]!.term)  // stale: index 5 no longer exists
    expect(log.lastIndex()).toBe(3)
    expect(log.term(3)).toBe(2)
    disk.write(ready({ entries: inFlight }), undefined)
    disk.write(ready({ entries: again }), undefined)
    log.stableTo(3, 2)
    expect(disk.lastIndex()).toBe(3)
    expect(log.term(3)).toBe(2)
  })

  it('finds the fast back-off hint: the last index whose term is <= the given term', () => {
    const disk = new MemStorage()
    const log = new RaftLog(disk)
    log.append([e(1, 1), e(2, 1), e(3, 3), e(4, 3), e(5, 5)])
    expect(log.findConflictByTerm(5, 4, 0)).toBe(4)
    expect(log.findConflictByTerm(5, 2, 0)).toBe(2)
    expect(log.findConflictByTerm(5, 2, 3)).toBe(3)   // never below the known-matching floor
  })

  it('a restored snapshot empties the log past it until persisted', () => {
    const disk = new MemStorage()
    const log = new RaftLog(disk)
    log.append([e(1, 1), e(2, 1)])
    persist(log, disk)
    log.restore({ index: 10, term: 3, conf: conf3 })
    expect(log.firstIndex()).toBe(11)
    expect(log.lastIndex()).toBe(10)
    expect(log.term(10)).toBe(3)
    expect(log.term(2)).toBeUndefined()
    expect(log.committed).toBe(10)
  })

  it('refuses to truncate committed entries (programmer error)', () => {
    const disk = new MemStorage()
    const log = new RaftLog(disk)
    log.append([e(1, 1), e(2, 1)])
    log.commitTo(2)
    expect(() => log.append([e(2, 2)])).toThrow(/truncate committed/)
  })
})

describe('config entries', () => {
  it('round-trip through encodeConfState/decodeConfState', () => {
    expect(decodeConfState(encodeConfState(conf3))).toEqual(conf3)
  })

  it('reject bad bytes with ZX_ERR_CORRUPT', () => {
    for (const bad of ['{', '{"voters":[1],"learners":[],"addresses":{}}', 'null']) {
      try {
        decodeConfState(new TextEncoder().encode(bad))
        expect.unreachable()
      } catch (error) {
        expect(isZxError(error, 'ZX_ERR_CORRUPT')).toBe(true)
      }
    }
  })
})
