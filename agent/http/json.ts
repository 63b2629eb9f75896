/**
 * agent/http/json.ts: JSON that keeps uint64 exact. KV `Flags` are uint64 and the lock and
 * semaphore recipes use values above 2^53, which JS numbers would round; so bigints are written
 * as bare integer literals, and `"Flags": <integer>` in request bodies is read as a bigint.
 */

/** toJson serialises like JSON.stringify (undefined members dropped) but prints bigints exactly. */
export function toJson(value: unknown, indent = ''): string {
  return write(value, indent, '')
}

function write(value: unknown, indent: string, pad: string): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'bigint': return value.toString()
    case 'number': return Number.isFinite(value) ? String(value) : 'null'
    case 'boolean': return value ? 'true' : 'false'
    case 'string': return JSON.stringify(value)
    case 'object': break
    default: return 'null'
  }
  const inner = pad + indent
  const sep = indent === '' ? ',' : `,\n${inner}`
  const open = indent === '' ? '' : `\n${inner}`
  const close = indent === '' ? '' : `\n${pad}`
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    return `[${open}${value.map((item) => write(item === undefined ? null : item, indent, inner)).join(sep)}${close}]`
  }
  const members: string[] = []
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    if (member === undefined || typeof member === 'function') continue
    members.push(`${JSON.stringify(key)}:${indent === '' ? '' : ' '}${write(member, indent, inner)}`)
  }
  if (members.length === 0) return '{}'
  return `{${open}${members.join(sep)}${close}}`
}

/** parseJsonWithFlags parses JSON, turning every `"Flags": <integer>` into a bigint. */
export function parseJsonWithFlags(text: string): unknown {
  // A "Flags" key inside a string value is escaped (\"Flags\"), so this only matches real keys.
  const marked = text.replace(/("Flags"\s*:\s*)(-?\d+)(?=\s*[,}\]])/g, '$1"\\u0000$2"')
  return JSON.parse(marked, (_key, value: unknown) =>
    (typeof value === 'string' && value.startsWith('\u0000') ? BigInt(value.slice(1)) : value))
}

/** uint64Max is the largest KV flags value. */
export const uint64Max = 2n ** 64n - 1n
