/**
 * agent/config/duration.ts: Go-style durations ("15s", "1m30s", "500ms", "1.5h"), the format
 * Consul uses in flags, config files and query parameters such as ?wait=.
 */

const unitMs: Record<string, number> = {
  ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000,
}

/** parseDurationMs turns a Go duration string into milliseconds, or undefined if it is not one. */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim()
  if (trimmed === '0') return 0
  if (trimmed === '' || trimmed.length > 64) return undefined
  const part = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy
  let total = 0
  let consumed = 0
  for (let match = part.exec(trimmed); match !== null; match = part.exec(trimmed)) {
    total += Number(match[1]) * (unitMs[match[2]!] ?? 0)
    consumed = part.lastIndex
  }
  if (consumed !== trimmed.length) return undefined
  return total
}

/** formatDuration renders milliseconds the way Go prints a time.Duration ("15s", "1m30s", "500ms"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s'
  if (ms < 1_000) return `${ms}ms`
  const hours = Math.floor(ms / 3_600_000)
  const minutes = Math.floor((ms % 3_600_000) / 60_000)
  const seconds = (ms % 60_000) / 1_000
  let out = ''
  if (hours > 0) out += `${hours}h`
  if (hours > 0 || minutes > 0) out += `${minutes}m`
  return `${out}${seconds}s`
}
