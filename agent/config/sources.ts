/**
 * agent/config/sources.ts: configuration from JSON: `-config-file` files, every `*.json` of a
 * `-config-dir` in alphabetical order, and the ZX_LOCAL_CONFIG / CONSUL_LOCAL_CONFIG variable
 * (the Docker image's way of passing a small JSON config). Unknown keys are errors.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { checkValue, configError, configKeys } from './schema.js'
import { setFlat, type FlatConfig } from './flags.js'

/** flattenJson checks one parsed JSON config object and merges its keys into `flat`. */
export function flattenJson(value: unknown, where: string, flat: FlatConfig, prefix = ''): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw configError(`${where}: expected a JSON object${prefix === '' ? '' : ` at "${prefix.slice(0, -1)}"`}`)
  }
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    const dotted = `${prefix}${key}`
    const kind = configKeys[dotted]
    if (kind !== undefined) {
      setFlat(flat, dotted, checkValue(kind, raw, `${where}: ${dotted}`))
      continue
    }
    const isSection = Object.keys(configKeys).some((known) => known.startsWith(`${dotted}.`))
    if (!isSection) throw configError(`${where}: unknown configuration key "${dotted}"`)
    flattenJson(raw, where, flat, `${dotted}.`)
  }
}

/** parseJsonConfig parses one JSON text into `flat`, naming `where` in errors. */
export function parseJsonConfig(text: string, where: string, flat: FlatConfig): void {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw configError(`${where}: invalid JSON: ${(error as Error).message}`)
  }
  flattenJson(value, where, flat)
}

/** loadConfigFile reads one JSON config file into `flat`. */
export function loadConfigFile(path: string, flat: FlatConfig): void {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw configError(`cannot read config file ${path}: ${(error as Error).message}`)
  }
  parseJsonConfig(text, path, flat)
}

/** loadConfigDir reads every *.json in a directory (not recursive), alphabetically. */
export function loadConfigDir(dir: string, flat: FlatConfig): string[] {
  let names: string[]
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory')
    names = readdirSync(dir).filter((name) => name.endsWith('.json')).sort()
  } catch (error) {
    throw configError(`cannot read config dir ${dir}: ${(error as Error).message}`)
  }
  const paths = names.map((name) => join(dir, name))
  for (const path of paths) loadConfigFile(path, flat)
  return paths
}
