// Goal: the server RPC transport delivers Raft messages, snapshot chunks and calls over real
// TCP on 127.0.0.1, returns handler errors as ZxErrors, times calls out, reconnects after a
// server restart, and survives garbage input (random bytes, an oversized length, a truncated
// frame, an undecodable body, a malformed message): each bad connection is closed and
// counted while the server keeps serving the next connection.
// Method: an RpcServer on a port from H2's range (21000–21999) and an RpcClientPool; raw
// net.Sockets write the bad input.
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { ZxError, isZxError } from '../../../agent/errors.js'
import type { RaftMessage } from '../../../agent/raft/core/types.js'
import { RpcClientPool } from '../../../agent/rpc/client-pool.js'
import { FrameKind, encodeFrame } from '../../../agent/rpc/frame.js'
import { RpcServer } from '../../../agent/rpc/server.js'

const port = 21100
const address = `127.0.0.1:${port}`
let server: RpcServer | undefined
let pool: RpcClientPool | undefined
afterEach(async () => {
  pool?.close()
  await server?.close()
  server = undefined
  pool = undefined
})

const heartbeat = (n: number): RaftMessage => ({ type: 'heartbeat', term: 1, from: 'a', to: 'b', commit: n, ctx: n })

async function until(what: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!what()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

async function rawSend(bytes: Buffer): Promise<'closed' | 'open'> {
  const socket = net.connect({ host: '127.0.0.1', port })
  await new Promise((resolve) => socket.once('connect', resolve))
  socket.write(bytes)
  const closed = await new Promise<boolean>((resolve) => {
    socket.once('close', () => resolve(true))
    setTimeout(() => resolve(false), 500)
  })
  socket.destroy()
  return closed ? 'closed' : 'open'
}

describe('server RPC transport', () => {
  it('delivers raft messages in order, snapshot chunks, and calls with errors and timeouts', async () => {
    server = await RpcServer.listen({ host: '127.0.0.1', port })
    const got: number[] = []
    const senders = new Set<string | undefined>()
    server.onRaft((m, sender) => { senders.add(sender); if (m.type === 'heartbeat') got.push(m.commit) })
    const chunks: number[] = []
    server.onSnapshotChunk((c) => chunks.push(c.offset))
    server.handle('echo', async (args) => ({ echoed: args }))
    server.handle('fail', async () => { throw new ZxError('ZX_ERR_NOT_LEADER', 'not me', { details: { leaderId: 'x' } }) })
    server.handle('slow', () => new Promise((r) => setTimeout(r, 2_000)))
    pool = new RpcClientPool()
    for (let i = 1; i <= 500; i++) pool.sendRaft(address, heartbeat(i), '127.0.0.1:9')
    await until(() => got.length === 500)
    expect(got).toEqual(Array.from({ length: 500 }, (_, i) => i + 1))
    expect([...senders]).toEqual(['127.0.0.1:9'])
    const snap = { type: 'snapshot' as const, term: 1, from: 'a', to: 'b', meta: { index: 3, term: 1, conf: { voters: ['a'], learners: [], addresses: {} } } }
    await pool.sendSnapshotChunk(address, { stream: 1, offset: 0, total: 4, data: new Uint8Array(2), message: snap })
    await pool.sendSnapshotChunk(address, { stream: 1, offset: 2, total: 4, data: new Uint8Array(2), message: snap })
    await until(() => chunks.length === 2)
    expect(await pool.call(address, 'echo', { a: [1, 'two'] }, 1_000)).toEqual({ echoed: { a: [1, 'two'] } })
    const failed = await pool.call(address, 'fail', {}, 1_000).catch((e: unknown) => e)
    expect(isZxError(failed, 'ZX_ERR_NOT_LEADER')).toBe(true)
    expect((failed as ZxError).details).toEqual({ leaderId: 'x' })
    const unknown = await pool.call(address, 'nope', {}, 1_000).catch((e: unknown) => e)
    expect(isZxError(unknown, 'ZX_ERR_RPC')).toBe(true)
    const slow = await pool.call(address, 'slow', {}, 100).catch((e: unknown) => e)
    expect(isZxError(slow, 'ZX_ERR_TIMEOUT')).toBe(true)
  })

  it('fails fast when the peer is down, reports dropped raft messages, and reconnects after restart', async () => {
    pool = new RpcClientPool({ limits: { backoffMinMs: 20, backoffMaxMs: 100 } })
    const dropped: RaftMessage[] = []
    pool.onRaftDrop((m) => dropped.push(m))
    const down = await pool.call(address, 'echo', 1, 1_000).catch((e: unknown) => e)
    expect(isZxError(down, 'ZX_ERR_RPC')).toBe(true)
    pool.sendRaft(address, heartbeat(1))
    await until(() => dropped.length >= 1)
    server = await RpcServer.listen({ host: '127.0.0.1', port })
    server.handle('echo', async (args) => args)
    const deadline = Date.now() + 5_000
    let answer: unknown
    while (Date.now() < deadline) {
      answer = await pool.call(address, 'echo', 42, 500).catch((e: unknown) => e)
      if (answer === 42) break
      await new Promise((r) => setTimeout(r, 30))
    }
    expect(answer).toBe(42)
    expect(pool.stats().connects).toBeGreaterThanOrEqual(1)
  })

  it('closes connections that send bad input, counts them, and keeps serving', async () => {
    server = await RpcServer.listen({ host: '127.0.0.1', port })
    server.handle('echo', async (args) => args)
    const oversized = Buffer.from([0xff, 0xff, 0xff, 0xff, 1])
    const badBody = Buffer.concat([Buffer.from([0, 0, 0, 3, FrameKind.Raft]), Buffer.from([0xc1, 0xc1, 0xc1])])
    const badShape = encodeFrame(FrameKind.Raft, { type: 'append', term: 'x' })
    const garbage = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    for (const bytes of [oversized, badBody, badShape, garbage]) expect(await rawSend(bytes)).toBe('closed')
    // A truncated frame leaves the connection waiting (it is not an error until the peer closes).
    expect(await rawSend(encodeFrame(FrameKind.Raft, heartbeat(1)).subarray(0, 9))).toBe('open')
    await until(() => server!.stats().badFrames === 5) // counted once the peer hung up mid-frame
    pool = new RpcClientPool()
    expect(await pool.call(address, 'echo', 'still here', 1_000)).toBe('still here')
  })

  it('bounds the send queue to a peer that stops reading: oldest raft messages dropped and reported', async () => {
    const accepted: net.Socket[] = []
    const stalled = net.createServer((socket) => { accepted.push(socket); socket.pause() }) // accepts, never reads
    await new Promise<void>((resolve) => stalled.listen(port + 1, '127.0.0.1', resolve))
    try {
      pool = new RpcClientPool({ limits: { raftQueueMax: 16, socketBytesHigh: 64 * 1024 } })
      const dropped: number[] = []
      pool.onRaftDrop((m) => { if (m.type === 'append') dropped.push(m.commit) })
      const big = new Uint8Array(256 * 1024)
      const append = (n: number): RaftMessage => ({ type: 'append', term: 1, from: 'a', to: 'b', prevIndex: n, prevTerm: 1, commit: n, entries: [{ index: n + 1, term: 1, type: 'normal', data: big }] })
      for (let i = 1; i <= 400; i++) {
        pool.sendRaft(`127.0.0.1:${port + 1}`, append(i))
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 20))
      }
      await until(() => dropped.length > 100)
      expect(dropped[0]).toBeLessThan(dropped[dropped.length - 1]!) // oldest go first
      expect(pool.stats().raftDropped).toBe(dropped.length)
    } finally {
      pool?.close()
      for (const socket of accepted) socket.destroy()
      await new Promise((r) => stalled.close(r))
    }
  })
})
