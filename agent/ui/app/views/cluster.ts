/**
 * agent/ui/app/views/cluster.ts: keeps a live fan-out of one lab API (/v1/zx/cluster/raft or
 * /gossip): re-read on a timer while the tab is visible and at once when the local SSE stream
 * reports an event. Each node's last good answer is remembered, so the events of a node that
 * just died stay on the timeline.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { describeError, getJson } from '../http.js'
import type { ZxClusterResponse } from '../../lab/wire.js'

/** ClusterState is the latest fan-out plus each node's last good answer. */
export interface ClusterState<T> {
  latest: ZxClusterResponse<T> | undefined
  lastGood: Record<string, T>
  error: string | undefined
  updatedAtMs: number
}

/** useCluster follows a fan-out endpoint; bump() asks for an immediate re-read. */
export function useCluster<T>(path: string, intervalMs: number): ClusterState<T> & { bump: () => void } {
  const [state, setState] = useState<ClusterState<T>>({ latest: undefined, lastGood: {}, error: undefined, updatedAtMs: 0 })
  const wake = useRef<() => void>(() => undefined)
  const pending = useRef(false)
  useEffect(() => {
    const controller = new AbortController()
    const { signal } = controller
    void (async () => {
      while (!signal.aborted) {
        pending.current = false
        if (document.visibilityState === 'visible') {
          try {
            const r = await getJson<ZxClusterResponse<T>>(path, signal)
            const latest = r.data ?? undefined
            setState((s) => {
              const lastGood = { ...s.lastGood }
              for (const e of latest?.entries ?? []) if (e.ok && e.data) lastGood[e.node] = e.data
              return { latest, lastGood, error: undefined, updatedAtMs: Date.now() }
            })
          } catch (e) {
            if (signal.aborted) return
            setState((s) => ({ ...s, error: describeError(e) }))
          }
        }
        if (pending.current) continue
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, intervalMs)
          wake.current = () => { clearTimeout(t); resolve() }
          signal.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
        })
      }
    })()
    return () => controller.abort()
  }, [path, intervalMs])
  return { ...state, bump: () => { pending.current = true; wake.current() } }
}
