/**
 * src/registrator/argv.ts: the registrator's own command line, for the container image whose
 * entry point is not oclif. It accepts gliderlabs/registrator's spelling (`-ip 1.2.3.4`,
 * `-resync=30`, `-cleanup`, options before the `consul://host:port` URI) and the zx spelling
 * with two dashes, so `docker run zx-registrator -internal consul://localhost:8500` works as
 * the seed's registrator did.
 */
import { hostname } from 'node:os'
import { LabError } from '../errors.js'
import type { RegistratorOptions } from './run.js'

const booleans = new Set(['internal', 'explicit', 'cleanup'])
const strings = new Set(['ip', 'tags', 'deregister', 'hostname'])
const integers = new Map<string, keyof RegistratorOptions>([
  ['resync', 'resyncSeconds'], ['ttl', 'ttlSeconds'], ['ttl-refresh', 'ttlRefreshSeconds'],
  ['retry-attempts', 'retryAttempts'], ['retry-interval', 'retryIntervalMs'],
])

/** parseRegistratorArgv turns argv into options and the agent URI; unknown flags are a usage error. */
export function parseRegistratorArgv(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): { options: RegistratorOptions; uri: string | undefined } {
  const options: RegistratorOptions = { hostname: env.ZX_REGISTRATOR_HOSTNAME ?? hostname() }
  const record = options as unknown as Record<string, unknown>
  let uri: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('-')) {
      if (uri !== undefined) throw new LabError('ZX_ERR_USAGE', `unexpected argument ${JSON.stringify(arg)} (options go before the URI)`)
      uri = arg
      continue
    }
    const body = arg.replace(/^--?/, '')
    const eq = body.indexOf('=')
    const name = (eq < 0 ? body : body.slice(0, eq)).replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()
    const inline = eq < 0 ? undefined : body.slice(eq + 1)
    if (booleans.has(name)) { record[name] = inline === undefined ? true : !['false', '0'].includes(inline); continue }
    if (!strings.has(name) && !integers.has(name)) throw new LabError('ZX_ERR_USAGE', `unknown flag ${arg}`)
    const value = inline ?? argv[++i]
    if (value === undefined) throw new LabError('ZX_ERR_USAGE', `flag -${name} needs a value`)
    if (strings.has(name)) { record[name] = value; continue }
    const key = integers.get(name)!
    const number = Number(value)
    if (!Number.isInteger(number) || number < -1) throw new LabError('ZX_ERR_USAGE', `-${name} wants an integer, got ${JSON.stringify(value)}`)
    record[key] = number
  }
  if (options.deregister !== undefined && options.deregister !== 'always' && options.deregister !== 'on-success') {
    throw new LabError('ZX_ERR_USAGE', '-deregister must be always or on-success')
  }
  validateTtl(options)
  return { options, uri: uri ?? env.CONSUL_HTTP_ADDR }
}

/** validateTtl enforces registrator's rule: -ttl and -ttl-refresh together, ttl > refresh. */
export function validateTtl(options: RegistratorOptions): void {
  const ttl = options.ttlSeconds ?? 0
  const refresh = options.ttlRefreshSeconds ?? 0
  if ((ttl > 0) !== (refresh > 0)) throw new LabError('ZX_ERR_USAGE', '-ttl and -ttl-refresh go together')
  if (ttl > 0 && refresh >= ttl) throw new LabError('ZX_ERR_USAGE', '-ttl must be greater than -ttl-refresh')
}
