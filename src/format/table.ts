/**
 * src/format/table.ts: columnized text output like Consul's CLI (columnize with two-space
 * gaps, no borders), and the aligned key/value blocks of `consul kv get -detailed`.
 */

/** columns renders rows as left-aligned columns separated by two spaces. */
export function columns(header: string[], rows: string[][]): string {
  const all = [header, ...rows]
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)))
  return all
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n')
}

/** keyValues renders `name value` pairs with the values starting at one column (17 like consul). */
export function keyValues(pairs: Array<[string, string]>, valueColumn = 17): string {
  return pairs.map(([k, v]) => `${k.padEnd(Math.max(valueColumn, k.length + 1))}${v}`).join('\n')
}
