/**
 * test/unit/raft-core/harness.ts: helpers to drive one RaftCore by hand — a MemStorage disk and a
 * `flush` that plays the driver (persist, collect messages, advance).
 */
import { RaftCore } from '../../../agent/raft/core/core.js'
import type { ConfState, Entry, RaftConfig, RaftMessage, Ready } from '../../../agent/raft/core/types.js'
import { Xoshiro128 } from '../../../agent/util/prng.js'
import { MemStorage } from '../../sim/raft/mem-storage.js'

/** baseConfig is a small config for hand-driven tests. */
export const baseConfig: Omit<RaftConfig, 'id'> = {
  electionTicks: 10, heartbeatTicks: 1, preVote: true, checkQuorum: true, maxInflight: 2, maxBatchBytes: 1024, leaseTicks: 8,
}

/** conf3 is the three-voter configuration n1..n3. */
export const conf3: ConfState = { voters: ['n1', 'n2', 'n3'], learners: [], addresses: { n1: 'a:1', n2: 'a:2', n3: 'a:3' } }

/** Handle is a core with its disk. */
export interface Handle {
  core: RaftCore
  disk: MemStorage
}

/** makeCore creates a core on a disk pre-filled with entries (terms given), bootstrapped with conf3. */
export function makeCore(id: string, terms: number[] = [], config: Partial<RaftConfig> = {}, hardTerm?: number): Handle {
  const disk = new MemStorage()
  const entries: Entry[] = [{ index: 1, term: 1, type: 'config', data: new TextEncoder().encode(JSON.stringify(conf3)) }]
  terms.forEach((term, k) => entries.push({ index: k + 2, term, type: 'normal', data: new Uint8Array([k]) }))
  const last = entries[entries.length - 1]!
  disk.write(ready({ entries, hardState: { term: hardTerm ?? last.term, vote: undefined, commit: 1 } }), undefined)
  disk.sync()
  const core = new RaftCore({ id, ...baseConfig, ...config }, disk, new Xoshiro128(1))
  return { core, disk }
}

/** ready builds a Ready with defaults. */
export function ready(partial: Partial<Ready>): Ready {
  return {
    softState: undefined, hardState: undefined, snapshot: undefined, entries: [], mustSync: false,
    messages: [], committed: [], readStates: [], events: [], ...partial,
  }
}

/** flush plays the driver for every pending Ready and returns them. */
export function flush(h: Handle): Ready[] {
  const out: Ready[] = []
  for (let k = 0; k < 100 && h.core.hasReady(); k++) {
    const rd = h.core.ready()
    h.disk.write(rd, undefined)
    if (rd.mustSync) h.disk.sync()
    h.core.advance(rd)
    out.push(rd)
  }
  return out
}

/** sent returns the messages of the Readies. */
export function sent(readies: Ready[]): RaftMessage[] {
  return readies.flatMap((r) => r.messages)
}

/** electLeader makes h the leader of the next term: a timeout-now starts its campaign, n2 votes for it. */
export function electLeader(h: Handle): void {
  h.core.step({ type: 'timeout-now', term: h.core.term, from: 'n2', to: h.core.id })
  if (h.core.role !== 'candidate') throw new Error(`expected candidate, got ${h.core.role}`)
  h.core.step({ type: 'vote-resp', term: h.core.term, from: 'n2', to: h.core.id, granted: true, preVote: false })
  if (h.core.role !== 'leader') throw new Error('expected leader')
}
