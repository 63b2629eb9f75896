// Goal: a snapshot stream is reassembled only when every byte arrived in order; gaps, a
// restarted stream and idle streams are discarded, never delivered half-built.
// Method: feed SnapshotReceiver hand-made chunks with a fake clock.
import { describe, expect, it } from 'vitest'
import type { RaftMessage } from '../../../agent/raft/core/types.js'
import { SnapshotReceiver } from '../../../agent/raft/snapshot-stream.js'

const message: Extract<RaftMessage, { type: 'snapshot' }> = {
  type: 'snapshot', term: 2, from: 'leader', to: 'me', meta: { index: 10, term: 2, conf: { voters: ['leader'], learners: [], addresses: {} } },
}
const data = Buffer.from('0123456789abcdef')
const chunk = (stream: number, offset: number, size: number) => ({ stream, offset, total: data.length, data: data.subarray(offset, offset + size), message })

describe('SnapshotReceiver', () => {
  it('reassembles in-order chunks into the original bytes', () => {
    const receiver = new SnapshotReceiver(1_000)
    expect(receiver.accept(chunk(1, 0, 5), 0)).toBeUndefined()
    expect(receiver.accept(chunk(1, 5, 5), 1)).toBeUndefined()
    const done = receiver.accept(chunk(1, 10, 6), 2)
    expect(done?.data.toString()).toBe(data.toString())
    expect(done?.message.meta.index).toBe(10)
  })

  it('drops a stream with a gap and starts over on a new stream', () => {
    const receiver = new SnapshotReceiver(1_000)
    receiver.accept(chunk(1, 0, 5), 0)
    expect(receiver.accept(chunk(1, 10, 6), 1)).toBeUndefined() // 5..10 missing
    expect(receiver.accept(chunk(1, 5, 5), 2)).toBeUndefined() // stream already discarded
    expect(receiver.droppedStreams()).toBe(2)
    receiver.accept(chunk(2, 0, 8), 3)
    expect(receiver.accept(chunk(2, 8, 8), 4)?.data.toString()).toBe(data.toString())
  })

  it('expires idle partial streams and handles an empty snapshot', () => {
    const receiver = new SnapshotReceiver(100)
    receiver.accept(chunk(1, 0, 5), 0)
    receiver.expire(500)
    expect(receiver.accept(chunk(1, 5, 11), 501)).toBeUndefined()
    const empty = receiver.accept({ stream: 3, offset: 0, total: 0, data: new Uint8Array(), message }, 600)
    expect(empty?.data.length).toBe(0)
  })
})
