/**
 * src/lock/duration.ts: Go duration strings ("15s", "1m30s", "500ms") as Consul's session TTLs
 * and lock delays use them.
 */

const unitsMs: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }

/** parseGoDurationMs reads a Go duration into milliseconds; undefined when malformed. */
export function parseGoDurationMs(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y
  let total = 0
  let matched = 0
  let m: RegExpExecArray | null
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * unitsMs[m[2]!]!
    matched = re.lastIndex
  }
  return matched === text.length && matched > 0 ? total : undefined
}
