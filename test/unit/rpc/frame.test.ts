// Goal: the RPC frame decoder reassembles frames split at any byte, rejects oversized
// lengths and unknown kinds, and the shape validators keep malformed Raft messages out.
// Method: encode known frames, feed them in every possible split, and feed crafted headers.
import { describe, expect, it } from 'vitest'
import { FrameDecoder, FrameKind, decodeBody, encodeFrame, frameBytesMax } from '../../../agent/rpc/frame.js'
import { isRaftMessage, isSnapshotChunk } from '../../../agent/rpc/validate.js'
import type { RaftMessage } from '../../../agent/raft/core/types.js'

const append: RaftMessage = {
  type: 'append', term: 3, from: 'a', to: 'b', prevIndex: 4, prevTerm: 2, commit: 4,
  entries: [{ index: 5, term: 3, type: 'normal', data: new Uint8Array([1, 2, 3]) }],
}

describe('FrameDecoder', () => {
  it('reassembles two frames split at every byte', () => {
    const bytes = Buffer.concat([encodeFrame(FrameKind.Raft, append), encodeFrame(FrameKind.Request, { id: 7, method: 'm', args: [1] })])
    for (let cut = 0; cut <= bytes.length; cut++) {
      const decoder = new FrameDecoder()
      const a = decoder.push(bytes.subarray(0, cut))
      const b = decoder.push(bytes.subarray(cut))
      expect(typeof a).not.toBe('string')
      const frames = [...(a as []), ...(b as [])] as Array<{ kind: FrameKind; body: Buffer }>
      expect(frames.map((f) => f.kind)).toEqual([FrameKind.Raft, FrameKind.Request])
      expect(isRaftMessage(decodeBody(frames[0]!.body))).toBe(true)
      expect(decoder.pendingBytes()).toBe(0)
    }
  })

  it('rejects an oversized length and an unknown kind before buffering the body', () => {
    const big = Buffer.alloc(5)
    big.writeUInt32BE(frameBytesMax + 1, 0)
    big.writeUInt8(FrameKind.Raft, 4)
    expect(new FrameDecoder().push(big)).toMatch(/exceeds/)
    const odd = Buffer.from([0, 0, 0, 1, 99, 0])
    expect(new FrameDecoder().push(odd)).toMatch(/unknown frame kind 99/)
  })

  it('validates message shapes', () => {
    expect(isRaftMessage(append)).toBe(true)
    expect(isRaftMessage({ ...append, term: -1 })).toBe(false)
    expect(isRaftMessage({ ...append, entries: [{ index: 1, term: 1, type: 'weird', data: new Uint8Array() }] })).toBe(false)
    expect(isRaftMessage({ type: 'heartbeat', term: 1, from: 'a', to: 'b', commit: 1 })).toBe(false) // no ctx
    expect(isRaftMessage({ type: 'nope', term: 1, from: 'a', to: 'b' })).toBe(false)
    expect(isRaftMessage('x')).toBe(false)
    const snap: RaftMessage = { type: 'snapshot', term: 2, from: 'a', to: 'b', meta: { index: 9, term: 2, conf: { voters: ['a'], learners: [], addresses: { a: '127.0.0.1:1' } } } }
    expect(isSnapshotChunk({ stream: 1, offset: 0, total: 3, data: new Uint8Array(3), message: snap })).toBe(true)
    expect(isSnapshotChunk({ stream: 1, offset: 0, total: 3, data: new Uint8Array(3), message: append })).toBe(false)
  })
})
