// Goal: WalStorage keeps every synced entry and hard state across reopen, cuts a torn tail at
// any byte, refuses mid-log corruption with the file and offset, group-commits concurrent
// syncs, survives ENOSPC without losing or corrupting data, and compacts behind snapshots.
// Method: real files in a temp dir; faults are injected by truncating/flipping bytes on disk
// and by swapping the WAL's write function for one that fails half way.
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Entry } from '../../../agent/raft/core/types.js'
import { isZxError } from '../../../agent/errors.js'
import type { Logger } from '../../../agent/raft/node-log.js'
import { WalStorage, type WalIo } from '../../../agent/raft/storage/wal.js'

let dir: string
beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'zx-wal-')) })
afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }) })

function entries(from: number, to: number, term: number, size = 16): Entry[] {
  const out: Entry[] = []
  for (let i = from; i <= to; i++) out.push({ index: i, term, type: 'normal', data: Buffer.alloc(size, i % 256) })
  return out
}

function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = []
  return { warnings, debug() {}, info() {}, warn(message) { warnings.push(message) }, error() {} }
}

async function segmentFiles(root: string): Promise<string[]> {
  return (await fs.readdir(path.join(root, 'wal'))).filter((n) => n.endsWith('.seg')).sort().map((n) => path.join(root, 'wal', n))
}

describe('WalStorage', () => {
  it('keeps synced entries and hard state across reopen, including a replaced suffix', async () => {
    await (await WalStorage.open(dir)).close() // an agent that stopped before bootstrapping
    const wal = await WalStorage.open(dir)
    expect(wal.hasState()).toBe(false)
    wal.append(entries(1, 10, 1))
    wal.setHardState({ term: 1, vote: 'a', commit: 5 })
    await wal.sync()
    wal.append(entries(6, 8, 2)) // a new leader overwrote the uncommitted suffix
    wal.setHardState({ term: 2, vote: 'b', commit: 7 })
    await wal.close()
    const again = await WalStorage.open(dir)
    expect(again.hasState()).toBe(true)
    expect(again.lastIndex()).toBe(8)
    expect(again.term(5)).toBe(1)
    expect(again.term(6)).toBe(2)
    expect(again.hardState()).toEqual({ term: 2, vote: 'b', commit: 7 })
    expect(again.entries(1, 9, 1 << 20).map((e) => e.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(again.entries(1, 9, 40).length).toBe(2) // maxBytes caps the batch
    await again.close()
  })

  it('truncates a torn last record at every byte offset and keeps everything before it', async () => {
    const wal = await WalStorage.open(dir)
    wal.append(entries(1, 5, 1))
    await wal.sync()
    const [segment] = await segmentFiles(dir)
    const before = (await fs.stat(segment!)).size
    wal.append(entries(6, 6, 1, 40))
    await wal.close()
    const full = await fs.readFile(segment!)
    expect(full.length).toBeGreaterThan(before + 40)
    for (let cut = before + 1; cut < full.length; cut++) {
      await fs.writeFile(segment!, full.subarray(0, cut))
      const log = recordingLog()
      const torn = await WalStorage.open(dir, { log })
      expect(torn.lastIndex(), `cut at ${cut}`).toBe(5)
      expect(log.warnings).toContain('truncating torn WAL tail')
      torn.append(entries(6, 7, 1)) // appends go on after the truncated tail
      await torn.close()
      const again = await WalStorage.open(dir)
      expect(again.lastIndex()).toBe(7)
      await again.close()
    }
  })

  it('treats a flipped byte in the last record as a torn tail', async () => {
    const wal = await WalStorage.open(dir)
    wal.append(entries(1, 5, 1))
    wal.append(entries(6, 6, 1))
    await wal.close()
    const [segment] = await segmentFiles(dir)
    const buf = await fs.readFile(segment!)
    buf[buf.length - 3] ^= 0xff
    await fs.writeFile(segment!, buf)
    const torn = await WalStorage.open(dir)
    expect(torn.lastIndex()).toBe(5)
    await torn.close()
  })

  it('refuses to open when a record in the middle is damaged, naming file and offset', async () => {
    const wal = await WalStorage.open(dir)
    for (let i = 1; i <= 20; i++) wal.append(entries(i, i, 1))
    await wal.close()
    const [segment] = await segmentFiles(dir)
    const buf = await fs.readFile(segment!)
    const at = Math.floor(buf.length / 2)
    buf[at] ^= 0x55
    await fs.writeFile(segment!, buf)
    const error = await WalStorage.open(dir).catch((e: unknown) => e)
    expect(isZxError(error, 'ZX_ERR_CORRUPT')).toBe(true)
    expect((error as Error).message).toContain(segment!)
    expect((error as Error).message).toMatch(/byte offset \d+/)
    const offset = Number(/byte offset (\d+)/.exec((error as Error).message)![1])
    expect(offset).toBeLessThanOrEqual(at)
    expect(offset).toBeGreaterThan(at - 80)
  })

  it('refuses a damaged record in a segment that is not the last one', async () => {
    const wal = await WalStorage.open(dir, { segmentBytes: 512 })
    for (let i = 1; i <= 60; i++) wal.append(entries(i, i, 1))
    await wal.close()
    const files = await segmentFiles(dir)
    expect(files.length).toBeGreaterThan(2)
    const buf = await fs.readFile(files[0]!)
    buf[buf.length - 2] ^= 0xff // the last record of the first segment
    await fs.writeFile(files[0]!, buf)
    const error = await WalStorage.open(dir).catch((e: unknown) => e)
    expect(isZxError(error, 'ZX_ERR_CORRUPT')).toBe(true)
    expect((error as Error).message).toContain(files[0]!)
  })

  it('group-commits concurrent syncs into few fdatasyncs', async () => {
    const wal = await WalStorage.open(dir)
    const syncs: Promise<void>[] = []
    for (let i = 1; i <= 200; i++) {
      wal.append(entries(i, i, 1))
      syncs.push(wal.sync())
    }
    await Promise.all(syncs)
    expect(wal.stats().fsyncs).toBeLessThanOrEqual(3)
    expect(wal.stats().fsyncs).toBeGreaterThanOrEqual(1)
    await wal.close()
    const again = await WalStorage.open(dir)
    expect(again.lastIndex()).toBe(200)
    await again.close()
  })

  it('reports ENOSPC as ZX_ERR_DISK, leaves no garbage, and goes on once space returns', async () => {
    let full = true
    const io: Partial<WalIo> = {
      async write(handle, data, position) {
        if (full) {
          await handle.write(data, 0, Math.floor(data.length / 2), position) // a partial write, then the disk is full
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
        }
        await handle.write(data, 0, data.length, position)
      },
    }
    full = false
    const wal = await WalStorage.open(dir, { io })
    wal.append(entries(1, 3, 1))
    await wal.sync()
    full = true
    wal.append(entries(4, 6, 1))
    const error = await wal.sync().catch((e: unknown) => e)
    expect(isZxError(error, 'ZX_ERR_DISK')).toBe(true)
    expect((error as Error).message).toContain('ENOSPC')
    const error2 = await wal.sync().catch((e: unknown) => e)
    expect(isZxError(error2, 'ZX_ERR_DISK')).toBe(true)
    full = false
    await wal.sync()
    wal.append(entries(7, 7, 1))
    await wal.close()
    const again = await WalStorage.open(dir)
    expect(again.lastIndex()).toBe(7)
    expect(again.entries(1, 8, 1 << 20).map((e) => e.data[0])).toEqual([1, 2, 3, 4, 5, 6, 7])
    await again.close()
  })

  it('saves snapshots atomically, keeps two, compacts whole segments and reopens', async () => {
    const wal = await WalStorage.open(dir, { segmentBytes: 1024 })
    for (let i = 1; i <= 300; i++) wal.append(entries(i, i, 1))
    wal.setHardState({ term: 1, vote: 'a', commit: 300 })
    await wal.sync()
    const segmentsBefore = (await segmentFiles(dir)).length
    for (const at of [100, 200, 250]) {
      await wal.saveSnapshot({ index: at, term: 1, conf: { voters: ['a'], learners: [], addresses: { a: 'x:1' } } }, Buffer.from(`state@${at}`))
    }
    expect((await fs.readdir(path.join(dir, 'snapshots'))).length).toBe(2)
    expect(wal.snapshotMeta()?.index).toBe(250)
    await wal.compact(240)
    expect(wal.firstIndex()).toBe(241)
    expect(wal.term(240)).toBe(1)
    expect(wal.term(239)).toBeUndefined()
    const segmentsAfter = (await segmentFiles(dir)).length
    expect(segmentsAfter).toBeLessThan(segmentsBefore)
    await wal.close()
    const again = await WalStorage.open(dir, { segmentBytes: 1024 })
    expect(again.snapshotMeta()?.index).toBe(250)
    expect(again.firstIndex()).toBeLessThanOrEqual(241)
    expect(again.firstIndex()).toBeGreaterThan(100)
    expect(again.lastIndex()).toBe(300)
    expect(again.hardState().commit).toBe(300)
    const loaded = await again.loadSnapshot()
    expect(Buffer.from(loaded!.data).toString()).toBe('state@250')
    await again.close()
  })

  it('restarts the log after a received snapshot, even if the crash came before applySnapshot', async () => {
    const wal = await WalStorage.open(dir)
    wal.append(entries(1, 5, 1))
    await wal.sync()
    const meta = { index: 50, term: 3, conf: { voters: ['a'], learners: [], addresses: {} } }
    await wal.saveSnapshot(meta, Buffer.from('leader state'))
    expect(wal.snapshotMeta()).toBeUndefined() // not the log's until applied
    await wal.close()
    const reopened = await WalStorage.open(dir)
    expect(reopened.firstIndex()).toBe(51)
    expect(reopened.lastIndex()).toBe(50)
    expect(reopened.term(50)).toBe(3)
    expect(reopened.hardState().commit).toBe(50)
    reopened.append(entries(51, 52, 3))
    await reopened.close()
    const again = await WalStorage.open(dir)
    expect(again.lastIndex()).toBe(52)
    expect(again.snapshotMeta()?.index).toBe(50)
    await again.close()
  })

  it('applySnapshot resets the log durably', async () => {
    const wal = await WalStorage.open(dir)
    wal.append(entries(1, 5, 1))
    const meta = { index: 9, term: 2, conf: { voters: ['a'], learners: [], addresses: {} } }
    await wal.saveSnapshot(meta, Buffer.from('s'))
    wal.applySnapshot(meta)
    wal.append(entries(10, 11, 2))
    await wal.close()
    const again = await WalStorage.open(dir)
    expect(again.firstIndex()).toBe(10)
    expect(again.lastIndex()).toBe(11)
    expect(again.term(9)).toBe(2)
    await again.close()
  })

  it('replaces a suffix that spans segments and replays it after compaction', async () => {
    const wal = await WalStorage.open(dir, { segmentBytes: 400 })
    for (let i = 1; i <= 50; i++) wal.append(entries(i, i, 1))
    wal.append(entries(30, 35, 2)) // a new leader rewrote 30.. in a later segment
    wal.setHardState({ term: 2, vote: 'b', commit: 35 })
    await wal.sync()
    expect((await segmentFiles(dir)).length).toBeGreaterThan(3)
    await wal.saveSnapshot({ index: 32, term: 2, conf: { voters: ['b'], learners: [], addresses: {} } }, Buffer.from('s'))
    await wal.compact(25)
    await wal.close()
    const again = await WalStorage.open(dir, { segmentBytes: 400 })
    expect(again.lastIndex()).toBe(35)
    expect(again.term(29)).toBe(1)
    expect(again.term(30)).toBe(2)
    expect(again.term(36)).toBeUndefined()
    expect(again.firstIndex()).toBeLessThanOrEqual(26)
    expect(again.entries(again.firstIndex(), 36, 1 << 20).map((e) => e.index).at(-1)).toBe(35)
    await again.close()
  })

  it('refuses to open when the snapshot that covers the compacted prefix is unreadable', async () => {
    const wal = await WalStorage.open(dir, { segmentBytes: 400 })
    for (let i = 1; i <= 60; i++) wal.append(entries(i, i, 1))
    wal.setHardState({ term: 1, vote: 'a', commit: 60 })
    await wal.sync()
    await wal.saveSnapshot({ index: 50, term: 1, conf: { voters: ['a'], learners: [], addresses: {} } }, Buffer.from('s'))
    await wal.compact(40)
    await wal.close()
    const [snap] = await fs.readdir(path.join(dir, 'snapshots'))
    const file = path.join(dir, 'snapshots', snap!)
    const buf = await fs.readFile(file)
    buf[buf.length - 1] ^= 0xff
    await fs.writeFile(file, buf)
    const error = await WalStorage.open(dir).catch((e: unknown) => e)
    expect(isZxError(error, 'ZX_ERR_CORRUPT')).toBe(true)
    expect((error as Error).message).toMatch(/starts at index \d+ but the newest readable snapshot/)
  })
})
