/**
 * agent/ui/app/views/kv-api.ts: the KV views' URL and body helpers.
 */
import { dcPath, withParams } from '../http.js'
import { base64ToBytes, encodeKeyPath } from '../../lab/kv.js'

/** Encoding is how a value is shown and edited. */
export type Encoding = 'text' | 'base64'

/** kvUrl is the /v1/kv URL of a key with ?dc= and extra parameters. */
export function kvUrl(dc: string, key: string, params: Record<string, string | number | undefined> = {}): string {
  return withParams(dcPath(`/v1/kv/${encodeKeyPath(key)}`, dc), params)
}

/** encodeBody turns the editor text into the bytes to PUT. */
export function encodeBody(text: string, encoding: Encoding): Uint8Array {
  return encoding === 'base64' ? base64ToBytes(text) : new TextEncoder().encode(text)
}
