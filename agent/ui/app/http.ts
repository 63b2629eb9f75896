/**
 * agent/ui/app/http.ts: talking to the agent. `getJson` is one request; `useBlocking` follows a
 * Consul blocking query (?index=&wait=) for as long as the component lives, restarting from 0 if
 * the index goes backwards; `usePoll` re-reads non-blocking endpoints while the tab is visible;
 * `useStream` follows an SSE stream. Every loop stops when its component unmounts.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { appConfig } from './config.js'

/** HttpError is a non-2xx answer with its status and body text. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly body: string) {
    super(`HTTP ${status}${body ? `: ${body.trim().slice(0, 200)}` : ''}`)
  }
}

/** Fetched is a response body plus its X-Consul-Index. */
export interface Fetched<T> {
  data: T
  index: number
  status: number
}

/** withParams appends query parameters to a path that may already have some. */
export function withParams(path: string, params: Record<string, string | number | undefined | null>): string {
  const parts = Object.entries(params).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => (v === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`))
  if (parts.length === 0) return path
  return `${path}${path.includes('?') ? '&' : '?'}${parts.join('&')}`
}

/** getText GETs a path; 404 is returned (not thrown) so callers can treat it as "nothing". */
export async function getText(path: string, signal?: AbortSignal): Promise<Fetched<string>> {
  const response = await fetch(path, { signal, headers: { Accept: 'application/json' } })
  const text = await response.text()
  if (!response.ok && response.status !== 404) throw new HttpError(response.status, text)
  return { data: text, index: Number(response.headers.get('X-Consul-Index') ?? '0'), status: response.status }
}

/** getJson GETs a path and parses JSON; a 404 gives null data. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<Fetched<T | null>> {
  const fetched = await getText(path, signal)
  return { ...fetched, data: fetched.status === 404 || fetched.data === '' ? null : (JSON.parse(fetched.data) as T) }
}

/** send makes a write (PUT/DELETE/POST) and returns the parsed JSON answer (true/false for KV). */
export async function send<T>(method: string, path: string, body?: BodyInit | Uint8Array): Promise<T> {
  const response = await fetch(path, { method, body: body as BodyInit | undefined })
  const text = await response.text()
  if (!response.ok) throw new HttpError(response.status, text)
  return (text === '' ? null : JSON.parse(text)) as T
}

/** LiveState is what a live hook holds: the last data, its index, and the last error. */
export interface LiveState<T> {
  data: T | undefined
  index: number
  error: string | undefined
  loading: boolean
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  const t = setTimeout(resolve, ms)
  signal.addEventListener('abort', () => { clearTimeout(t); resolve() }, { once: true })
})

/**
 * useBlocking follows path as a Consul blocking query. parse turns the body text into data
 * (default JSON; a 404 gives null). Pass path undefined to pause.
 */
export function useBlocking<T>(path: string | undefined, parse: (text: string, status: number) => T = defaultParse as (t: string, s: number) => T): LiveState<T> {
  const [state, setState] = useState<LiveState<T>>({ data: undefined, index: 0, error: undefined, loading: true })
  const parseRef = useRef(parse)
  parseRef.current = parse
  useEffect(() => {
    if (path === undefined) return
    const controller = new AbortController()
    const { signal } = controller
    setState({ data: undefined, index: 0, error: undefined, loading: true })
    void (async () => {
      let index = 0
      let retryMs: number = appConfig.retryMsMin
      while (!signal.aborted) {
        const started = Date.now()
        try {
          const fetched = await getText(withParams(path, index > 0 ? { index, wait: appConfig.blockingWait } : {}), signal)
          const data = parseRef.current(fetched.data, fetched.status)
          const previous = index
          index = fetched.index < index ? 0 : fetched.index
          retryMs = appConfig.retryMsMin
          setState({ data, index, error: undefined, loading: false })
          // An endpoint that does not block (or an index that did not move) must not spin.
          if (fetched.index === previous || fetched.index === 0) await sleep(Math.max(0, appConfig.blockingMinGapMs - (Date.now() - started)), signal)
        } catch (error) {
          if (signal.aborted) return
          setState((s) => ({ ...s, error: describeError(error), loading: false }))
          index = 0
          await sleep(retryMs, signal)
          retryMs = Math.min(retryMs * 2, appConfig.retryMsMax)
        }
      }
    })()
    return () => controller.abort()
  }, [path])
  return state
}

/** usePoll re-reads a non-blocking endpoint every intervalMs while the page is visible. */
export function usePoll<T>(path: string | undefined, intervalMs: number, refreshKey: unknown = undefined): LiveState<T> & { refresh: () => void } {
  const [state, setState] = useState<LiveState<T>>({ data: undefined, index: 0, error: undefined, loading: true })
  const [tick, setTick] = useState(0)
  useEffect(() => {
    if (path === undefined) return
    const controller = new AbortController()
    const { signal } = controller
    void (async () => {
      while (!signal.aborted) {
        if (document.visibilityState === 'visible') {
          try {
            const fetched = await getJson<T>(path, signal)
            setState({ data: fetched.data ?? undefined, index: fetched.index, error: undefined, loading: false })
          } catch (error) {
            if (signal.aborted) return
            setState((s) => ({ ...s, error: describeError(error), loading: false }))
          }
        }
        await sleep(intervalMs, signal)
      }
    })()
    return () => controller.abort()
  }, [path, intervalMs, tick, refreshKey])
  return { ...state, refresh: () => setTick((t) => t + 1) }
}

/** useStream follows an SSE stream, calling onMessage(eventName, data) for each message. */
export function useStream(path: string | undefined, onMessage: (event: string, data: unknown) => void): { connected: boolean } {
  const [connected, setConnected] = useState(false)
  const handler = useRef(onMessage)
  handler.current = onMessage
  useEffect(() => {
    if (path === undefined || typeof EventSource === 'undefined') return
    const source = new EventSource(path)
    const deliver = (name: string) => (e: MessageEvent) => {
      try {
        handler.current(name, JSON.parse(e.data as string))
      } catch {
        // A malformed message is skipped; the next snapshot resynchronises the view.
      }
    }
    source.addEventListener('snapshot', deliver('snapshot') as EventListener)
    source.addEventListener('change', deliver('change') as EventListener)
    source.onopen = () => setConnected(true)
    source.onerror = () => setConnected(false)
    return () => { source.close(); setConnected(false) }
  }, [path])
  return { connected }
}

/** describeError turns anything thrown into one line for an error banner. */
export function describeError(error: unknown): string {
  if (error instanceof HttpError) return error.message
  if (error instanceof Error) return error.message
  return String(error)
}

function defaultParse(text: string, status: number): unknown {
  return status === 404 || text === '' ? null : JSON.parse(text)
}

/** dcPath appends ?dc= to an API path (every Consul read and write accepts it). */
export function dcPath(path: string, dc: string): string {
  return withParams(path, { dc })
}
