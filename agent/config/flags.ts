/**
 * agent/config/flags.ts: Consul-style command-line flags. A flag takes one dash or two and its
 * value after `=` or as the next argument (`-node=node1`, `--node node1`); booleans stand alone
 * or take `=true|false`; list flags (`-retry-join`, `-join`, `-config-file`, …) repeat.
 */
import { checkValue, configError, flagSpecs, type FlatValue } from './schema.js'

/** FlatConfig is user config flattened to dotted Consul keys (`ports.http`). */
export type FlatConfig = Map<string, FlatValue>

/** ParsedFlags is what the command line asked for, before files and defaults are merged. */
export interface ParsedFlags {
  settings: FlatConfig
  configFiles: string[]
  configDirs: string[]
  dev: boolean
}

const specialFlags = new Set(['config-file', 'config-dir', 'dev'])

/** parseFlags reads an `agent` argv; unknown flags and missing values throw ZX_ERR_CONFIG. */
export function parseFlags(argv: readonly string[]): ParsedFlags {
  const parsed: ParsedFlags = { settings: new Map(), configFiles: [], configDirs: [], dev: false }
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!
    const match = /^--?([A-Za-z][A-Za-z0-9-]*)(?:=(.*))?$/s.exec(token)
    if (match === null) throw configError(`unexpected argument "${token}": flags start with - or --`)
    const name = match[1]!
    let value: string | undefined = match[2]
    const spec = flagSpecs[name]
    const isBool = name === 'dev' || spec?.kind === 'bool'
    if (spec === undefined && !specialFlags.has(name)) throw configError(`flag provided but not defined: -${name}`)
    if (value === undefined && !isBool) {
      const next = argv[i + 1]
      if (next === undefined) throw configError(`flag needs an argument: -${name}`)
      value = next
      i++
    }
    if (name === 'dev') parsed.dev = checkValue('bool', value ?? true, '-dev') as boolean
    else if (name === 'config-file') parsed.configFiles.push(value!)
    else if (name === 'config-dir') parsed.configDirs.push(value!)
    else setFlat(parsed.settings, spec!.key, checkValue(spec!.kind, value ?? true, `-${name}`))
  }
  return parsed
}

/** setFlat stores one setting: lists append, scalars replace (Consul's merge rule). */
export function setFlat(flat: FlatConfig, key: string, value: FlatValue): void {
  const previous = flat.get(key)
  if (Array.isArray(value) && Array.isArray(previous)) flat.set(key, [...previous, ...value])
  else flat.set(key, value)
}
