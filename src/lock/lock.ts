/**
 * src/lock/lock.ts: Lock, Consul's lock recipe (api/lock.go) over the HTTP API. A session with
 * a TTL (renewed in the background) acquires `key` with `?acquire=` and the lock flag
 * 0x2ddccbc058a50c18; contenders block on the key's index until it is free; when the acquire
 * fails with nobody holding the key, the lock-delay of a lost holder is in effect, so we wait
 * lockRetryMs. Once held, a monitor watches the key with consistent blocking reads; the
 * returned `lost` signal aborts when another session owns the key, the key is gone, the
 * session expires, or the monitor fails more than monitorRetries times.
 */
import type { ApiClient } from '../api/client.js'
import { lockDefaults } from '../api/defaults.js'
import type { KvPair } from '../api/types.js'
import { LabError, isLabError } from '../errors.js'
import { sleep } from '../runtime/wait.js'
import { createRenewedSession, type RenewedSession } from './session.js'

/** LockOptions tune a Lock; defaults are Consul's. */
export interface LockOptions {
  key: string
  value?: string | Buffer
  sessionName?: string
  sessionTtl?: string
  lockDelay?: string
  lockWaitMs?: number
  lockRetryMs?: number
  /** tryOnce gives up once lockWaitMs has passed instead of waiting forever. */
  tryOnce?: boolean
  monitorRetries?: number
  monitorRetryMs?: number
}

/** Lock is one handle on a distributed lock. */
export class Lock {
  private session: RenewedSession | undefined
  private monitorStop: AbortController | undefined
  private held = false

  constructor(private readonly client: ApiClient, private readonly options: LockOptions) {}

  /** isHeld tells whether this handle holds the lock right now. */
  get isHeld(): boolean { return this.held }

  /** sessionId is the session holding (or trying to hold) the lock. */
  get sessionId(): string | undefined { return this.session?.id }

  /**
   * acquire blocks until the lock is held and returns a signal that aborts when it is lost;
   * undefined when tryOnce ran out of time or `cancel` aborted first.
   */
  async acquire(cancel?: AbortSignal): Promise<AbortSignal | undefined> {
    if (this.held) throw new LabError('ZX_ERR_LOCK_HELD', 'Lock already held')
    const o = this.options
    this.session ??= await createRenewedSession(this.client, {
      Name: o.sessionName ?? lockDefaults.sessionName, TTL: o.sessionTtl ?? lockDefaults.sessionTtl,
      ...(o.lockDelay === undefined ? {} : { LockDelay: o.lockDelay }),
    })
    try {
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
    const waitMs = o.lockWaitMs ?? lockDefaults.lockWaitMs
    const session = this.session!
    const deadline = Date.now() + waitMs
    let index: bigint | undefined
    for (let attempt = 0; cancel?.aborted !== true && session.expired.aborted !== true; attempt++) {
      if (attempt > 0 && o.tryOnce === true && Date.now() >= deadline) break  // always try once
      const remaining = o.tryOnce === true ? Math.max(1_000, deadline - Date.now()) : waitMs
      const read = await this.client.kv.get(o.key, { index, waitMs: remaining })
      const pair = read.value
      checkFlags(pair)
      if (pair?.Session === session.id) { this.held = true; break }
      if (pair?.Session !== undefined) { index = read.index; continue }
      const ok = await this.client.kv.put(o.key, o.value ?? '', { acquire: session.id, flags: lockDefaults.flagValue })
      if (ok) { this.held = true; break }
      await sleep(o.lockRetryMs ?? lockDefaults.lockRetryMs, cancel)  // lock-delay in effect
      index = undefined
    }
  }

  /** release gives the lock up and destroys the session this handle created. */
  async release(): Promise<void> {
    if (!this.held || this.session === undefined) throw new LabError('ZX_ERR_LOCK_NOT_HELD', 'Lock not held')
    this.held = false
    this.monitorStop?.abort()
    const session = this.session
    this.session = undefined
    try {
      await this.client.kv.put(this.options.key, this.options.value ?? '', { release: session.id, flags: lockDefaults.flagValue })
    } finally {
      await session.stop(true)
    }
  }

  /** destroy deletes the lock key when nobody holds it; otherwise ZX_ERR_LOCK_IN_USE. */
  async destroy(): Promise<void> {
    if (this.held) throw new LabError('ZX_ERR_LOCK_HELD', 'Lock already held')
    const pair = (await this.client.kv.get(this.options.key)).value
    if (pair === undefined) return
    checkFlags(pair)
    if (pair.Session !== undefined) throw new LabError('ZX_ERR_LOCK_IN_USE', 'Lock in use')
    await this.client.kv.delete(this.options.key, { cas: pair.ModifyIndex })
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
    session.expired.addEventListener('abort', () => lost.abort(new LabError('ZX_ERR_LOCK_LOST', 'lock session expired')), { once: true })
    // A lost lock must not keep its session alive: renewals resuming after an agent restart
    // would otherwise leave an orphaned session holding the key forever.
    lost.signal.addEventListener('abort', () => this.abandon(), { once: true })
    void (async () => {
      let index: bigint | undefined
      let failures = 0
      while (!stop.signal.aborted && !lost.signal.aborted) {
        try {
          const read = await this.client.kv.get(this.options.key, { index, waitMs: this.options.lockWaitMs ?? lockDefaults.lockWaitMs, consistent: true })
          failures = 0
          if (stop.signal.aborted) return
          if (read.value?.Session !== session.id) {
            this.held = false
            lost.abort(new LabError('ZX_ERR_LOCK_LOST', 'lock lost: the key is no longer held by our session'))
            return
          }
          index = read.index
        } catch (error) {
          failures++
          if (failures > (this.options.monitorRetries ?? lockDefaults.monitorRetries) || !retryable(error)) {
            this.held = false
            lost.abort(new LabError('ZX_ERR_LOCK_LOST', `lock lost: cannot watch the lock (${(error as Error).message})`))
            return
          }
          await sleep(this.options.monitorRetryMs ?? lockDefaults.monitorRetryMs, stop.signal)
        }
      }
    })()
    return lost.signal
  }
}

/** checkFlags refuses to treat a key with foreign flags as a lock. */
function checkFlags(pair: KvPair | undefined): void {
  if (pair !== undefined && pair.Flags !== lockDefaults.flagValue) {
    throw new LabError('ZX_ERR_LOCK_CONFLICT', 'Existing key does not match lock use')
  }
}

/** retryable says whether a monitor failure may be transient (no leader, timeout, 5xx). */
function retryable(error: unknown): boolean {
  return isLabError(error, 'ZX_ERR_NO_QUORUM') || isLabError(error, 'ZX_ERR_TIMEOUT') || isLabError(error, 'ZX_ERR_API') || isLabError(error, 'ZX_ERR_AGENT_UNREACHABLE')
}
