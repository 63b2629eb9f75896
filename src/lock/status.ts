/**
 * src/lock/status.ts: `zx lock status <prefix>`: who holds the lock or the semaphore slots
 * under a prefix, read from `<prefix>/.lock` (its flags say which recipe) and the holders'
 * sessions.
 */
import type { ApiClient } from '../api/client.js'
import { lockDefaults, semaphoreDefaults } from '../api/defaults.js'
import { decodeValue } from '../api/json.js'
import { pruneHolders, type SemaphoreLock } from './semaphore.js'

/** LockHolder is one session holding the lock or a slot. */
export interface LockHolder {
  session: string
  node: string
  name: string
}

/** LockStatus describes the lock under a prefix. */
export interface LockStatus {
  kind: 'lock' | 'semaphore' | 'none' | 'foreign'
  key: string
  limit: number
  lockIndex: number
  holders: LockHolder[]
}

/** lockStatus reads the lock state under prefix. */
export async function lockStatus(client: ApiClient, prefix: string): Promise<LockStatus> {
  const key = `${prefix}/.lock`
  const pairs = (await client.kv.list(`${prefix}/`)).value
  const pair = pairs.find((p) => p.Key === key)
  if (pair === undefined) return { kind: 'none', key, limit: 0, lockIndex: 0, holders: [] }
  let ids: string[] = []
  let kind: LockStatus['kind'] = 'foreign'
  let limit = 0
  if (pair.Flags === lockDefaults.flagValue) {
    kind = 'lock'
    limit = 1
    ids = pair.Session === undefined ? [] : [pair.Session]
  } else if (pair.Flags === semaphoreDefaults.flagValue) {
    kind = 'semaphore'
    try {
      const lock = JSON.parse(decodeValue(pair).toString('utf8')) as SemaphoreLock
      limit = lock.Limit
      ids = Object.keys(pruneHolders({ Limit: lock.Limit, Holders: lock.Holders ?? {} }, pairs).Holders)
    } catch {
      ids = []
    }
  }
  const holders: LockHolder[] = []
  for (const id of ids) {
    const info = (await client.session.info(id).catch(() => undefined))?.value
    holders.push({ session: id, node: info?.Node ?? '?', name: info?.Name ?? '?' })
  }
  return { kind, key, limit, lockIndex: pair.LockIndex, holders }
}
