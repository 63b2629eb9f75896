// Goal: when the disk fills up under a running RaftNode, the process does not crash and no
// write is acknowledged before it is durable; once space returns the waiting writes commit
// and the log reopens cleanly with every acknowledged entry. New writes meanwhile get a clear
// ZX_ERR_DISK at once instead of hanging.
// Method: a single-server cluster on 127.0.0.1:21221 whose WAL write function is swapped for
// one that writes half a buffer and throws ENOSPC while `full` is set.
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { isZxError } from '../../../agent/errors.js'
import type { WalIo } from '../../../agent/raft/storage/wal.js'
import { encodePut } from '../../bench/raft/kv-fsm.js'
import { leaderOf, makeDirs, removeDirs, serverInfos, startServer, stopServer, until, type TestServer } from './harness.js'

let running: TestServer[] = []
afterEach(async () => {
  for (const server of running) await stopServer(server).catch(() => {})
  running = []
})
afterAll(removeDirs)

describe('RaftNode on a full disk', () => {
  it('holds writes while ENOSPC lasts and commits them once space returns', async () => {
    let full = false
    const io: Partial<WalIo> = {
      async write(handle, data, position) {
        if (full) {
          await handle.write(data, 0, Math.floor(data.length / 2), position)
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
        }
        await handle.write(data, 0, data.length, position)
      },
    }
    const [dir] = await makeDirs(1)
    const server = await startServer('d1', 21221, dir!, { wal: { io }, diskRetryMs: 20 })
    running = [server]
    await server.node.bootstrap(serverInfos(running))
    await until('leader', () => leaderOf(running))
    await server.node.propose(encodePut('before', '1'))

    full = true
    let acked = false
    const pending = server.node.propose(encodePut('during', '2')).then((r) => { acked = true; return r })
    await new Promise((r) => setTimeout(r, 500))
    expect(acked).toBe(false) // not durable, so not acknowledged
    expect(server.fsm.data.has('during')).toBe(false)
    expect(server.node.storage.stats().failedFlushes).toBeGreaterThan(0)
    const refused = await server.node.propose(encodePut('refused', '3')).catch((e: unknown) => e)
    expect(isZxError(refused, 'ZX_ERR_DISK')).toBe(true) // new writes get a clear error at once
    expect((refused as Error).message).toContain('ENOSPC')

    full = false
    const result = await pending
    expect(result.index).toBeGreaterThan(1)
    expect(server.fsm.data.get('during')).toBe('2')
    await stopServer(server)
    const reopened = await startServer('d1', 21221, dir!)
    running = [reopened]
    await until('replayed after reopen', () => reopened.fsm.data.get('during') === '2' && reopened.fsm.data.get('before') === '1')
  })
})
