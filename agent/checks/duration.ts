/**
 * agent/checks/duration.ts: Go-style duration strings ("10s", "1m30s", "500ms") as Consul's
 * check and service definitions carry them. Numbers are taken as nanoseconds, as Go's JSON
 * decoding of time.Duration does.
 */
import { ZxError } from '../errors.js'

const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** parseDurationMs turns "1m30s" (or a nanosecond number) into milliseconds; throws ZX_ERR_BAD_REQUEST. */
export function parseDurationMs(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value / 1e6
  if (typeof value !== 'string') throw new ZxError('ZX_ERR_BAD_REQUEST', `invalid duration for ${field}: ${JSON.stringify(value)}`)
  const text = value.trim()
  if (text === '' || text === '0') return 0
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy
  let total = 0
  let consumed = 0
  for (let found = part.exec(text); found !== null; found = part.exec(text)) {
    total += Number(found[1]) * unitMs[found[2]!]!
    consumed = part.lastIndex
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new ZxError('ZX_ERR_BAD_REQUEST', `invalid duration for ${field}: ${JSON.stringify(value)}`)
  }
  return total
}

/** formatDuration renders milliseconds the way Go prints a time.Duration ("10s", "1m0s", "500ms"). */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s'
  if (ms < 1000) return `${ms}ms`
  const hours = Math.floor(ms / 3_600_000)
  const minutes = Math.floor((ms % 3_600_000) / 60_000)
  const seconds = (ms % 60_000) / 1000
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`
  if (minutes > 0) return `${minutes}m${seconds}s`
  return `${seconds}s`
}
