/**
 * src/lock/with-lock.ts: the "action style" of the seed's NConsul program (ExecuteLocked):
 * acquire, run the action, always release. The action gets the `lost` signal, so long work can
 * stop when the lock is lost; withLock then rejects with ZX_ERR_LOCK_LOST instead of
 * pretending the work ran under the lock.
 */
import type { ApiClient } from '../api/client.js'
import { LabError } from '../errors.js'
import { Lock, type LockOptions } from './lock.js'
import { Semaphore, type SemaphoreOptions } from './semaphore.js'

/** withLock runs action while holding the lock on key. */
export async function withLock<R>(client: ApiClient, key: string, action: (lost: AbortSignal) => Promise<R>, options: Omit<LockOptions, 'key'> = {}): Promise<R> {
  const lock = new Lock(client, { ...options, key })
  const lost = await lock.acquire()
  if (lost === undefined) throw new LabError('ZX_ERR_LOCK_NOT_HELD', `Could not obtain the lock on ${key}`)
  return runHeld(lost, action, () => lock.release())
}

/** withSemaphore runs action while holding one of `limit` slots under prefix. */
export async function withSemaphore<R>(client: ApiClient, prefix: string, limit: number, action: (lost: AbortSignal) => Promise<R>, options: Omit<SemaphoreOptions, 'prefix' | 'limit'> = {}): Promise<R> {
  const semaphore = new Semaphore(client, { ...options, prefix, limit })
  const lost = await semaphore.acquire()
  if (lost === undefined) throw new LabError('ZX_ERR_LOCK_NOT_HELD', `Could not obtain a semaphore slot under ${prefix}`)
  return runHeld(lost, action, () => semaphore.release())
}

async function runHeld<R>(lost: AbortSignal, action: (lost: AbortSignal) => Promise<R>, release: () => Promise<void>): Promise<R> {
  try {
    const result = await action(lost)
    if (lost.aborted) throw new LabError('ZX_ERR_LOCK_LOST', 'the lock was lost while the action ran', { cause: lost.reason })
    return result
  } finally {
    if (!lost.aborted) await release().catch(() => {})
  }
}
