/**
 * agent/raft/storage/snapshot-files.ts: state machine snapshots on disk. One file per
 * snapshot, `snapshots/<term>-<index>.snap` (both zero padded), laid out as
 *   "ZXSN" | u32 version | u32 metaLength | u32 metaCrc | u32 dataCrc | u64 dataLength | meta | data
 * with the meta msgpack-encoded. A snapshot is written to a temp file, fsynced, renamed into
 * place and the directory fsynced, so a crash leaves either the old set or the new one. The
 * newest valid file wins at load; a damaged one is skipped with a warning (the older one plus
 * the log still describe the state), and only the last `keep` snapshots are kept.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { crc32 } from 'node:zlib'
import { Packr } from 'msgpackr'
import type { SnapshotMeta } from '../core/types.js'
import type { Logger } from '../node-log.js'
import { diskError, fsyncDir } from './disk.js'

const magic = Buffer.from('ZXSN')
const version = 1
const headerBytes = 28
const packr = new Packr({ useRecords: false })

/** SnapshotFile is a snapshot as loaded: its meta, its data and the file it came from. */
export interface SnapshotFile {
  meta: SnapshotMeta
  data: Uint8Array
  file: string
}

/** snapshotFileName is `<term>-<index>.snap` with 20-digit zero padding. */
export function snapshotFileName(meta: { term: number; index: number }): string {
  return `${String(meta.term).padStart(20, '0')}-${String(meta.index).padStart(20, '0')}.snap`
}

/** writeSnapshotFile stores a snapshot atomically and prunes all but the newest `keep`. */
export async function writeSnapshotFile(dir: string, meta: SnapshotMeta, data: Uint8Array, keep: number, log: Logger): Promise<string> {
  const file = path.join(dir, snapshotFileName(meta))
  const temp = `${file}.tmp`
  const metaBytes = packr.pack(meta)
  const header = Buffer.alloc(headerBytes)
  magic.copy(header, 0)
  header.writeUInt32BE(version, 4)
  header.writeUInt32BE(metaBytes.length, 8)
  header.writeUInt32BE(crc32(metaBytes), 12)
  header.writeUInt32BE(crc32(data), 16)
  header.writeBigUInt64BE(BigInt(data.length), 20)
  try {
    const handle = await fs.open(temp, 'w')
    try {
      await handle.writev([header, metaBytes, data])
      await handle.sync()
    } finally {
      await handle.close()
    }
    await fs.rename(temp, file)
    await fsyncDir(dir)
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => {})
    throw diskError(`writing snapshot ${file}`, error)
  }
  await pruneSnapshots(dir, keep, log)
  return file
}

/** listSnapshots returns snapshot file names, newest (highest index, then term) first. */
export async function listSnapshots(dir: string): Promise<string[]> {
  const names = (await fs.readdir(dir)).filter((name) => /^\d+-\d+\.snap$/.test(name))
  const key = (name: string): [number, number] => {
    const [term, index] = name.replace('.snap', '').split('-').map(Number)
    return [index!, term!]
  }
  return names.sort((a, b) => {
    const [ia, ta] = key(a)
    const [ib, tb] = key(b)
    return ib - ia || tb - ta
  })
}

async function pruneSnapshots(dir: string, keep: number, log: Logger): Promise<void> {
  const names = await listSnapshots(dir)
  for (const name of names.slice(keep)) {
    await fs.rm(path.join(dir, name), { force: true }).catch((error: unknown) => {
      log.warn('could not remove old snapshot', { file: name, error: String(error) })
    })
  }
}

/** removeTempSnapshots deletes temp files a crash left behind. */
export async function removeTempSnapshots(dir: string): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    if (name.endsWith('.snap.tmp')) await fs.rm(path.join(dir, name), { force: true })
  }
}

/** loadLatestSnapshot returns the newest snapshot that verifies, skipping damaged ones. */
export async function loadLatestSnapshot(dir: string, log: Logger): Promise<SnapshotFile | undefined> {
  for (const name of await listSnapshots(dir)) {
    const file = path.join(dir, name)
    const loaded = parseSnapshot(await fs.readFile(file), file)
    if (typeof loaded === 'string') {
      log.warn('skipping damaged snapshot', { file, reason: loaded })
      continue
    }
    return loaded
  }
  return undefined
}

/** parseSnapshot verifies a snapshot file's bytes; returns the reason as a string if it is bad. */
export function parseSnapshot(buf: Buffer, file: string): SnapshotFile | string {
  if (buf.length < headerBytes || !buf.subarray(0, 4).equals(magic)) return 'bad magic'
  if (buf.readUInt32BE(4) !== version) return `unknown version ${buf.readUInt32BE(4)}`
  const metaLength = buf.readUInt32BE(8)
  const dataLength = Number(buf.readBigUInt64BE(20))
  if (headerBytes + metaLength + dataLength !== buf.length) return 'length mismatch'
  const metaBytes = buf.subarray(headerBytes, headerBytes + metaLength)
  const data = buf.subarray(headerBytes + metaLength)
  if (crc32(metaBytes) !== buf.readUInt32BE(12)) return 'meta checksum mismatch'
  if (crc32(data) !== buf.readUInt32BE(16)) return 'data checksum mismatch'
  let meta: SnapshotMeta
  try {
    meta = packr.unpack(metaBytes) as SnapshotMeta
  } catch {
    return 'undecodable meta'
  }
  if (typeof meta?.index !== 'number' || typeof meta.term !== 'number' || typeof meta.conf !== 'object') return 'bad meta'
  return { meta, data, file }
}
