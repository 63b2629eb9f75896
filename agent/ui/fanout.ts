/**
 * agent/ui/fanout.ts: asks every member of the cluster for its own lab view, so one browser tab
 * can show Raft and gossip as *each* node sees them. A member's HTTP address comes from its
 * gossip tags (`http`: a port, or host:port); each request has a short deadline and a body
 * cap, so a dead or confused node shows up as an error row instead of stalling the view.
 */
import type { Member } from '../gossip/api.js'
import type { ZxClusterEntry } from './lab/wire.js'
import { uiDefaults } from './defaults.js'

/** HttpAddressOf maps a member to the host:port of its HTTP API, if known. */
export type HttpAddressOf = (member: Member) => string | undefined

/**
 * defaultHttpAddressOf reads the `http` gossip tag: a bare port (on the member's addr) or
 * host:port. Without the tag it guesses the seed lab's layout, where every node's HTTP port is
 * its LAN gossip port + 199 (8301 → 8500, 9301 → 9500); fanOut checks the answer names the
 * member it asked, so a wrong guess shows as an error, never as another node's data.
 */
export function defaultHttpAddressOf(member: Member): string | undefined {
  const host = member.addr.includes(':') ? `[${member.addr}]` : member.addr
  const tag = member.tags.http ?? member.tags.http_port
  if (tag === undefined || tag === '') return member.port > 0 && member.port + 199 <= 65_535 ? `${host}:${member.port + 199}` : undefined
  if (/^\d{1,5}$/.test(tag)) return `${host}:${tag}`
  if (/^[\w.-]+:\d{1,5}$/.test(tag) || /^\[[0-9a-f:]+\]:\d{1,5}$/i.test(tag)) return tag
  return undefined
}

/** FetchJson is how a fan-out reads one member (a seam for tests). */
export type FetchJson = (address: string, path: string) => Promise<unknown>

/** fetchJson GETs http://address/path with a deadline and a size cap, parsing JSON. */
export async function fetchJson<T>(address: string, path: string, timeoutMs: number = uiDefaults.fanoutTimeoutMs): Promise<T> {
  const response = await fetch(`http://${address}${path}`, { signal: AbortSignal.timeout(timeoutMs), headers: { Accept: 'application/json' } })
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
  const declared = Number(response.headers.get('content-length') ?? '0')
  if (declared > uiDefaults.fanoutBodyBytesMax) throw new Error(`body of ${declared} bytes over the cap`)
  const text = await response.text()
  if (text.length > uiDefaults.fanoutBodyBytesMax) throw new Error(`body of ${text.length} bytes over the cap`)
  return JSON.parse(text) as T
}

/**
 * fanOut asks each member in turn (in parallel) for path, answering itself locally through
 * local(); every result becomes one entry, sorted by node name.
 */
export async function fanOut<T>(members: Member[], selfName: string, path: string, local: () => T, httpAddressOf: HttpAddressOf, now: () => number = Date.now, fetcher: FetchJson = fetchJson): Promise<ZxClusterEntry<T>[]> {
  const entries = await Promise.all(members.map(async (member): Promise<ZxClusterEntry<T>> => {
    const started = now()
    if (member.name === selfName) return { node: member.name, address: null, ok: true, error: null, latencyMs: 0, data: local() }
    const address = httpAddressOf(member) ?? null
    if (address === null) return { node: member.name, address, ok: false, error: 'no http address in gossip tags', latencyMs: 0, data: null }
    try {
      const data = (await fetcher(address, path)) as T
      const answeredAs = (data as { node?: unknown } | null)?.node
      if (answeredAs !== member.name) return { node: member.name, address, ok: false, error: `${address} answered as ${String(answeredAs)}`, latencyMs: now() - started, data: null }
      return { node: member.name, address, ok: true, error: null, latencyMs: now() - started, data }
    } catch (error) {
      return { node: member.name, address, ok: false, error: describe(error), latencyMs: now() - started, data: null }
    }
  }))
  return entries.sort((a, b) => a.node.localeCompare(b.node))
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out'
    const cause = (error as { cause?: { code?: string } }).cause
    return cause?.code ? `${error.message} (${cause.code})` : error.message
  }
  return String(error)
}
