/**
 * agent/raft/storage/disk.ts: small file-system helpers shared by the WAL and the snapshot
 * store: directory fsync (so renames and new files survive a crash) and the mapping of Node's
 * I/O errors (ENOSPC, EIO, EACCES, …) to a ZX_ERR_DISK ZxError the caller can report.
 */
import { promises as fs } from 'node:fs'
import { ZxError, isZxError } from '../../errors.js'

/** fsyncDir makes a directory's entries (new, renamed, removed files) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** diskError wraps an I/O failure as ZX_ERR_DISK, keeping the errno code in details. */
export function diskError(what: string, error: unknown): ZxError {
  if (isZxError(error)) return error
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const message = error instanceof Error ? error.message : String(error)
  return new ZxError('ZX_ERR_DISK', `${what}: ${message}`, { details: { errno: code }, cause: error })
}
