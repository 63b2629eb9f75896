/**
 * agent/config/node-id.ts: the node's stable UUID, kept in `<data-dir>/node-id` so that a
 * restarted agent keeps its Raft server id and catalog identity.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ZxError } from '../errors.js'
import { isUuid } from './build.js'

/** resolveNodeId returns the persisted id (or the configured one, persisting it), creating one if needed. */
export function resolveNodeId(dataDir: string, configured: string | undefined): string {
  const path = join(dataDir, 'node-id')
  let stored: string | undefined
  try {
    stored = readFileSync(path, 'utf8').trim()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ZxError('ZX_ERR_DISK', `cannot read ${path}: ${(error as Error).message}`)
  }
  if (stored !== undefined && !isUuid(stored)) throw new ZxError('ZX_ERR_CORRUPT', `${path} does not hold a UUID`)
  if (configured !== undefined && stored !== undefined && configured.toLowerCase() !== stored.toLowerCase()) {
    throw new ZxError('ZX_ERR_CONFIG', `node_id ${configured} differs from the id ${stored} stored in ${path}`)
  }
  if (stored !== undefined) return stored.toLowerCase()
  const id = (configured ?? randomUUID()).toLowerCase()
  try {
    mkdirSync(dataDir, { recursive: true })
    writeFileSync(path, `${id}\n`, { mode: 0o600 })
  } catch (error) {
    throw new ZxError('ZX_ERR_DISK', `cannot write ${path}: ${(error as Error).message}`)
  }
  return id
}
