/**
 * src/lock/session.ts: a session kept alive in the background, the liveness half of Consul's
 * lock recipe (api.Session.RenewPeriodic). It renews at TTL/2; a failed renew is retried every
 * second until a whole TTL has passed since the last success, and a 404 means the session is
 * gone at once. Either way `expired` aborts, which is how a lock holder learns it lost the
 * lock even when the KV monitor cannot reach anyone. stop() ends renewal and destroys it.
 */
import type { ApiClient } from '../api/client.js'
import { isLabError } from '../errors.js'
import { sleep } from '../runtime/wait.js'
import { parseGoDurationMs } from './duration.js'
import type { SessionCreate } from '../api/types.js'

/** RenewedSession is a live session plus the signal that fires when it is lost. */
export interface RenewedSession {
  id: string
  /** expired aborts when the session can no longer be renewed. */
  expired: AbortSignal
  /** stop ends renewal and (when `destroy`) destroys the session on the server. */
  stop(destroy?: boolean): Promise<void>
}

/** createRenewedSession creates a session with a TTL and renews it in the background. */
export async function createRenewedSession(client: ApiClient, body: SessionCreate): Promise<RenewedSession> {
  const id = await client.session.create(body)
  return renewSession(client, id, parseGoDurationMs(body.TTL ?? '15s') ?? 15_000)
}

/** renewSession keeps an existing session alive at ttlMs/2. */
export function renewSession(client: ApiClient, id: string, ttlMs: number): RenewedSession {
  const expired = new AbortController()
  const stopped = new AbortController()
  const loop = (async () => {
    let lastOk = Date.now()
    let waitMs = ttlMs / 2
    while (!stopped.signal.aborted) {
      await sleep(waitMs, stopped.signal)
      if (stopped.signal.aborted) return
      try {
        const entry = await client.session.renew(id)
        lastOk = Date.now()
        // The server may hand back a longer TTL to ask for fewer renewals.
        waitMs = (parseGoDurationMs(entry.TTL) ?? ttlMs) / 2
      } catch (error) {
        if (isLabError(error, 'ZX_ERR_SESSION_EXPIRED') || Date.now() - lastOk >= ttlMs) {
          expired.abort(error)
          return
        }
        waitMs = 1_000
      }
    }
  })()
  return {
    id,
    expired: expired.signal,
    async stop(destroy = true) {
      stopped.abort()
      await loop
      if (destroy) await client.session.destroy(id).catch(() => {})
    },
  }
}
