/**
 * agent/ui/lab/kv.ts: helpers for the Key/Value view: folder paths, lossless KV JSON (Flags are
 * uint64 and the lock/semaphore flags exceed 2^53, so they are kept as decimal strings), and
 * value codecs (UTF-8 text or base64). Pure: the UI and tests call it.
 */

/** KvPair is Consul's KVPair with Flags kept exact as a decimal string. */
export interface KvPair {
  Key: string
  Flags: string
  Value: string | null
  Session?: string
  LockIndex: number
  CreateIndex: number
  ModifyIndex: number
}

/** parseKvPairs parses a /v1/kv response body, keeping every Flags value exact. */
export function parseKvPairs(body: string): KvPair[] {
  // Quote the Flags number before JSON.parse rounds it; keys and values are JSON strings and
  // cannot contain an unescaped `"Flags":` followed by a bare digit run.
  const quoted = body.replace(/"Flags"\s*:\s*(-?\d+)/g, '"Flags":"$1"')
  const parsed: unknown = JSON.parse(quoted)
  if (!Array.isArray(parsed)) throw new Error('KV response is not an array')
  return parsed.map((p: Record<string, unknown>) => ({
    Key: String(p.Key ?? ''),
    Flags: p.Flags === undefined || p.Flags === null ? '0' : String(p.Flags),
    Value: typeof p.Value === 'string' ? p.Value : null,
    Session: typeof p.Session === 'string' && p.Session !== '' ? p.Session : undefined,
    LockIndex: Number(p.LockIndex ?? 0),
    CreateIndex: Number(p.CreateIndex ?? 0),
    ModifyIndex: Number(p.ModifyIndex ?? 0),
  }))
}

/** isValidFlags tells whether text is a uint64 in decimal. */
export function isValidFlags(text: string): boolean {
  return /^\d{1,20}$/.test(text) && BigInt(text) <= 18446744073709551615n
}

/** parentFolder returns the folder holding a key or folder ('' for the root). */
export function parentFolder(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path
  const cut = trimmed.lastIndexOf('/')
  return cut < 0 ? '' : trimmed.slice(0, cut + 1)
}

/** breadcrumbs splits a path into its folders: 'a/b/c' → ['a/', 'a/b/']. */
export function breadcrumbs(path: string): string[] {
  const parts = path.split('/').slice(0, -1)
  return parts.map((_, i) => parts.slice(0, i + 1).join('/') + '/')
}

/** leafName is the last path element, keeping a folder's trailing slash. */
export function leafName(path: string): string {
  const folder = path.endsWith('/')
  const trimmed = folder ? path.slice(0, -1) : path
  return trimmed.slice(trimmed.lastIndexOf('/') + 1) + (folder ? '/' : '')
}

/** decodeValue turns a base64 Value into text if it is valid UTF-8, else reports it binary. */
export function decodeValue(base64: string | null): { text: string; binary: boolean } {
  if (base64 === null) return { text: '', binary: false }
  const bytes = base64ToBytes(base64)
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), binary: false }
  } catch {
    return { text: '', binary: true }
  }
}

/** base64ToBytes decodes standard base64 (throws on bad input). */
export function base64ToBytes(base64: string): Uint8Array {
  const clean = base64.replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) throw new Error('not valid base64')
  const binary = atob(clean)
  const out = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
  return out
}

/** bytesToBase64 encodes bytes as standard base64. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/** encodeKeyPath percent-encodes each segment of a key for a /v1/kv/ URL, keeping slashes. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/')
}
