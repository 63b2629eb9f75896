/**
 * src/registrator/metadata.ts: registrator's SERVICE_* metadata. A container carries it as
 * environment variables or labels (labels win); `SERVICE_<KEY>` applies to every port and
 * `SERVICE_<port>_<KEY>` to one exposed port and wins over the generic form. Keys are
 * lower-cased. NAME, TAGS, ID and IGNORE are reserved, CHECK_* shape the health check, and
 * every other key becomes Consul service Meta.
 */

/** Metadata is the merged SERVICE_* view of one exposed port: lower-cased key → value. */
export type Metadata = Record<string, string>

/** MetadataSource is a container's raw env list and labels. */
export interface MetadataSource {
  env: readonly string[]
  labels: Readonly<Record<string, string>>
}

/** serviceMetadata merges env then labels, generic keys then the port's own; reports port-specific keys. */
export function serviceMetadata(source: MetadataSource, exposedPort: string): { metadata: Metadata; portKeys: Set<string> } {
  const generic: Metadata = {}
  const specific: Metadata = {}
  const pairs: Array<[string, string]> = []
  for (const item of source.env) {
    const eq = item.indexOf('=')
    if (eq > 0) pairs.push([item.slice(0, eq), item.slice(eq + 1)])
  }
  for (const [key, value] of Object.entries(source.labels)) pairs.push([key, value])
  for (const [rawKey, value] of pairs) {
    if (!rawKey.startsWith('SERVICE_')) continue
    const rest = rawKey.slice('SERVICE_'.length)
    const match = /^(\d+)_(.+)$/.exec(rest)
    if (match === null) {
      if (rest !== '') generic[rest.toLowerCase()] = value
    } else if (match[1] === exposedPort) {
      specific[match[2]!.toLowerCase()] = value
    }
    // A key for another port belongs to that port's service only.
  }
  return { metadata: { ...generic, ...specific }, portKeys: new Set(Object.keys(specific)) }
}

/** splitTags splits a comma list, honouring `\,` as a literal comma and dropping empties. */
export function splitTags(text: string | undefined): string[] {
  if (text === undefined || text === '') return []
  const tags: string[] = []
  let current = ''
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (char === '\\' && text[i + 1] === ',') { current += ','; i++; continue }
    if (char === ',') { tags.push(current.trim()); current = ''; continue }
    current += char
  }
  tags.push(current.trim())
  return tags.filter((tag) => tag !== '')
}

const reservedKeys = new Set(['name', 'tags', 'id', 'ignore'])

/** metaOf returns the keys that become Consul service Meta (not reserved, not check_*). */
export function metaOf(metadata: Metadata): Record<string, string> {
  const meta: Record<string, string> = {}
  for (const [key, value] of Object.entries(metadata)) {
    if (reservedKeys.has(key) || key.startsWith('check_')) continue
    // Consul Meta keys allow [A-Za-z0-9_-] only; anything else would make the agent refuse the service.
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(key)) continue
    meta[key] = value
  }
  return meta
}
