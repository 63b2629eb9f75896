/**
 * src/lock/semaphore.ts: Semaphore, Consul's semaphore recipe (api/semaphore.go): up to `limit`
 * holders under a prefix. Each contender holds its own key `<prefix>/<session>` with a session
 * of Behavior=delete (a dead contender's key disappears); the coordination key
 * `<prefix>/.lock` holds `{"Limit":N,"Holders":{"<session>":true}}` and is changed only by
 * check-and-set. Holders whose session no longer owns a key under the prefix are pruned, so a
 * crashed holder frees its slot. Both keys carry the semaphore flag 0xe0f69a2baa414de0.
 */
import type { ApiClient } from '../api/client.js'
import { lockDefaults, semaphoreDefaults } from '../api/defaults.js'
import { decodeValue } from '../api/json.js'
import type { KvPair } from '../api/types.js'
import { LabError, isLabError } from '../errors.js'
import { sleep } from '../runtime/wait.js'
import { createRenewedSession, type RenewedSession } from './session.js'

/** SemaphoreOptions tune a Semaphore; defaults are Consul's. */
export interface SemaphoreOptions {
  prefix: string
  limit: number
  value?: string
  sessionName?: string
  sessionTtl?: string
  waitMs?: number
  tryOnce?: boolean
}

/** SemaphoreLock is the JSON of the coordination key. */
export interface SemaphoreLock {
  Limit: number
  Holders: Record<string, boolean>
}

/** Semaphore is one contender's handle on a distributed semaphore. */
export class Semaphore {
  private session: RenewedSession | undefined
  private monitorStop: AbortController | undefined
  private held = false

  constructor(private readonly client: ApiClient, private readonly options: SemaphoreOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1) throw new LabError('ZX_ERR_USAGE', 'Lock holder limit must be positive')
  }

  get isHeld(): boolean { return this.held }
  get sessionId(): string | undefined { return this.session?.id }
  private get lockKey(): string { return `${this.options.prefix}/${semaphoreDefaults.lockKey}` }

  /** acquire blocks until a slot is held; returns the lost signal, or undefined on give-up. */
  async acquire(cancel?: AbortSignal): Promise<AbortSignal | undefined> {
    if (this.held) throw new LabError('ZX_ERR_LOCK_HELD', 'Lock already held')
    const o = this.options
    this.session = await createRenewedSession(this.client, {
      Name: o.sessionName ?? semaphoreDefaults.sessionName, TTL: o.sessionTtl ?? lockDefaults.sessionTtl, Behavior: 'delete',
    })
    try {
      const contender = `${o.prefix}/${this.session.id}`
      if (!(await this.client.kv.put(contender, o.value ?? '', { acquire: this.session.id, flags: semaphoreDefaults.flagValue }))) {
        throw new LabError('ZX_ERR_LOCK_NOT_HELD', 'failed to make contender entry')
      }
      await this.acquireLoop(cancel)
    } catch (error) {
      await this.session.stop(true)
      this.session = undefined
      throw error
    }
    if (!this.held) {
      await this.session.stop(true)
      this.session = undefined
      return undefined
    }
    return this.startMonitor()
  }

  private async acquireLoop(cancel: AbortSignal | undefined): Promise<void> {
    const o = this.options
    const session = this.session!
    const waitMs = o.waitMs ?? lockDefaults.lockWaitMs
    const deadline = Date.now() + waitMs
    let index: bigint | undefined
    for (let attempt = 0; cancel?.aborted !== true && !session.expired.aborted; attempt++) {
      if (attempt > 0 && o.tryOnce === true && Date.now() >= deadline) return
      const read = await this.client.kv.list(o.prefix, { index, waitMs: o.tryOnce === true ? Math.max(1_000, deadline - Date.now()) : waitMs })
      const { lock, pair } = this.readLock(read.value)
      const live = pruneHolders(lock, read.value)
      if (live.Holders[session.id] === true) { this.held = true; return }
      if (Object.keys(live.Holders).length >= live.Limit) { index = read.index; continue }
      live.Holders[session.id] = true
      const ok = await this.client.kv.put(this.lockKey, JSON.stringify(live), { cas: pair?.ModifyIndex ?? 0, flags: semaphoreDefaults.flagValue })
      if (ok) { this.held = true; return }
      index = undefined  // somebody else changed .lock first: read again
    }
  }

  /** release removes this contender from the holders and deletes its key. */
  async release(): Promise<void> {
    if (!this.held || this.session === undefined) throw new LabError('ZX_ERR_LOCK_NOT_HELD', 'Lock not held')
    this.held = false
    this.monitorStop?.abort()
    const session = this.session
    this.session = undefined
    try {
      for (let attempt = 0; attempt < 20; attempt++) {
        const read = await this.client.kv.list(this.options.prefix)
        const { lock, pair } = this.readLock(read.value)
        if (pair === undefined || lock.Holders[session.id] !== true) break
        delete lock.Holders[session.id]
        if (await this.client.kv.put(this.lockKey, JSON.stringify(lock), { cas: pair.ModifyIndex, flags: semaphoreDefaults.flagValue })) break
      }
      await this.client.kv.delete(`${this.options.prefix}/${session.id}`)
    } finally {
      await session.stop(true)
    }
  }

  private readLock(pairs: KvPair[]): { lock: SemaphoreLock; pair: KvPair | undefined } {
    for (const p of pairs) {
      if (p.Flags !== semaphoreDefaults.flagValue) throw new LabError('ZX_ERR_LOCK_CONFLICT', `Existing key does not match semaphore use: ${p.Key}`)
    }
    const pair = pairs.find((p) => p.Key === this.lockKey)
    if (pair === undefined) return { lock: { Limit: this.options.limit, Holders: {} }, pair }
    let lock: SemaphoreLock
    try {
      lock = JSON.parse(decodeValue(pair).toString('utf8')) as SemaphoreLock
    } catch {
      throw new LabError('ZX_ERR_LOCK_CONFLICT', `semaphore lock key ${pair.Key} is not valid JSON`)
    }
    if (lock.Limit !== this.options.limit) {
      throw new LabError('ZX_ERR_LOCK_CONFLICT', `semaphore limit conflict (lock: ${lock.Limit}, local: ${this.options.limit})`)
    }
    return { lock: { Limit: lock.Limit, Holders: { ...(lock.Holders ?? {}) } }, pair }
  }

  /** abandon gives up a lost hold: stop the monitor and renewal and destroy the session (best effort). */
  private abandon(): void {
    this.held = false
    this.monitorStop?.abort()
    const session = this.session
    this.session = undefined
    if (session !== undefined) void session.stop(true).catch(() => {})
  }

  private startMonitor(): AbortSignal {
    const lost = new AbortController()
    const stop = new AbortController()
    this.monitorStop = stop
    const session = this.session!
    session.expired.addEventListener('abort', () => lost.abort(new LabError('ZX_ERR_LOCK_LOST', 'semaphore session expired')), { once: true })
    // A lost lock must not keep its session alive: renewals resuming after an agent restart
    // would otherwise leave an orphaned session holding the key forever.
    lost.signal.addEventListener('abort', () => this.abandon(), { once: true })
    void (async () => {
      let index: bigint | undefined
      let failures = 0
      while (!stop.signal.aborted && !lost.signal.aborted) {
        try {
          const read = await this.client.kv.list(this.options.prefix, { index, waitMs: lockDefaults.lockWaitMs, consistent: true })
          failures = 0
          if (stop.signal.aborted) return
          const live = pruneHolders(this.readLock(read.value).lock, read.value)
          if (live.Holders[session.id] !== true) {
            this.held = false
            lost.abort(new LabError('ZX_ERR_LOCK_LOST', 'semaphore slot lost'))
            return
          }
          index = read.index
        } catch (error) {
          if (++failures > lockDefaults.monitorRetries || isLabError(error, 'ZX_ERR_LOCK_CONFLICT')) {
            this.held = false
            lost.abort(new LabError('ZX_ERR_LOCK_LOST', `semaphore lost: ${(error as Error).message}`))
            return
          }
          await sleep(lockDefaults.monitorRetryMs, stop.signal)
        }
      }
    })()
    return lost.signal
  }
}

/** pruneHolders drops holders whose session no longer owns a key under the prefix. */
export function pruneHolders(lock: SemaphoreLock, pairs: KvPair[]): SemaphoreLock {
  const alive = new Set(pairs.map((p) => p.Session).filter((s): s is string => s !== undefined))
  const holders: Record<string, boolean> = {}
  for (const id of Object.keys(lock.Holders)) if (alive.has(id)) holders[id] = true
  return { Limit: lock.Limit, Holders: holders }
}
