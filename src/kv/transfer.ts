/**
 * src/kv/transfer.ts: `zx kv export` / `zx kv import` in Consul's format, a JSON array of
 * `{"key","flags","value"}` with base64 values. Flags stay exact integers in the text (they
 * are uint64 and lock flags exceed 2^53), and import validates every entry before writing any.
 */
import { readFile } from 'node:fs/promises'
import { stringifyWithBigints } from '../api/json.js'
import type { KvApi } from '../api/kv.js'
import type { KvPair } from '../api/types.js'
import { LabError } from '../errors.js'

/** ExportEntry is one exported key. */
export interface ExportEntry {
  key: string
  flags: bigint
  value: string
}

/** exportEntries converts pairs to export entries. */
export function exportEntries(pairs: KvPair[]): ExportEntry[] {
  return pairs.map((p) => ({ key: p.Key, flags: p.Flags, value: p.Value ?? '' }))
}

/** renderExport renders entries as Consul's export JSON with exact flags. */
export function renderExport(entries: ExportEntry[]): string {
  return stringifyWithBigints(entries, 2)
}

/** parseExport validates an export document; it throws ZX_ERR_USAGE naming the bad entry. */
export function parseExport(text: string): ExportEntry[] {
  const quoted = text.replace(/"flags"\s*:\s*(\d+)/g, '"flags":"$1"')
  let raw: unknown
  try {
    raw = JSON.parse(quoted)
  } catch (error) {
    throw new LabError('ZX_ERR_USAGE', `import data is not JSON: ${(error as Error).message}`)
  }
  if (!Array.isArray(raw)) throw new LabError('ZX_ERR_USAGE', 'import data must be a JSON array of {"key","flags","value"}')
  return raw.map((entry, i) => {
    const e = entry as { key?: unknown; flags?: unknown; value?: unknown }
    if (typeof e?.key !== 'string' || e.key === '') throw new LabError('ZX_ERR_USAGE', `import entry ${i} has no key`)
    const flags = e.flags === undefined ? '0' : String(e.flags)
    if (!/^\d+$/.test(flags) || BigInt(flags) >= 2n ** 64n) throw new LabError('ZX_ERR_USAGE', `import entry ${i} (${e.key}) has invalid flags`)
    const value = e.value ?? ''
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
      throw new LabError('ZX_ERR_USAGE', `import entry ${i} (${e.key}) has a value that is not base64`)
    }
    return { key: e.key, flags: BigInt(flags), value }
  })
}

/** importEntries writes entries in order; returns how many were written. */
export async function importEntries(kv: KvApi, entries: ExportEntry[]): Promise<number> {
  let written = 0
  for (const entry of entries) {
    await kv.put(entry.key, Buffer.from(entry.value, 'base64'), { flags: entry.flags })
    written++
  }
  return written
}

/** readData reads a command's data argument: literal text, `@file`, or `-` for stdin. */
export async function readData(arg: string | undefined, stdin: NodeJS.ReadableStream = process.stdin): Promise<Buffer> {
  if (arg === undefined) return Buffer.alloc(0)
  if (arg === '-') {
    const chunks: Buffer[] = []
    for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string))
    return Buffer.concat(chunks)
  }
  if (arg.startsWith('@')) {
    try {
      return await readFile(arg.slice(1))
    } catch (error) {
      throw new LabError('ZX_ERR_USAGE', `cannot read ${arg.slice(1)}: ${(error as Error).message}`)
    }
  }
  return Buffer.from(arg, 'utf8')
}

/** parseFlags reads a uint64 flags value given on the command line. */
export function parseFlags(text: string | undefined): bigint | undefined {
  if (text === undefined) return undefined
  const value = /^0x[0-9a-f]+$/i.test(text) || /^\d+$/.test(text) ? BigInt(text) : undefined
  if (value === undefined || value >= 2n ** 64n) throw new LabError('ZX_ERR_USAGE', `--flags must be an unsigned 64-bit integer, got ${JSON.stringify(text)}`)
  return value
}
