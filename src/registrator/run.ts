/**
 * src/registrator/run.ts: `zx registrator` as a long-running process: build the config from
 * flags, start the Registrator, and stop it cleanly on SIGINT/SIGTERM (services stay registered,
 * as with gliderlabs/registrator). Resolves when a signal ends the run.
 */
import { networkInterfaces } from 'node:os'
import { HttpRegistryClient, parseAgentUri } from './agent-client.js'
import { registratorDefaults } from './defaults.js'
import type { DeregisterMode } from './events.js'
import { splitTags } from './metadata.js'
import { Registrator, type DockerSource, type RegistratorConfig } from './registrator.js'

/** RegistratorOptions are the command's flags. */
export interface RegistratorOptions {
  hostname: string
  ip?: string
  internal?: boolean
  explicit?: boolean
  tags?: string
  resyncSeconds?: number
  cleanup?: boolean
  deregister?: DeregisterMode
  ttlSeconds?: number
  ttlRefreshSeconds?: number
  retryAttempts?: number
  retryIntervalMs?: number
}

/** registratorConfig fills defaults in; `defaultIp` is this host's first external IPv4. */
export function registratorConfig(options: RegistratorOptions): RegistratorConfig {
  return {
    hostname: options.hostname,
    ip: options.ip,
    defaultIp: options.ip ?? hostAddress(),
    internal: options.internal ?? false,
    explicit: options.explicit ?? false,
    tags: splitTags(options.tags),
    checkInterval: registratorDefaults.checkInterval,
    ttlSeconds: options.ttlSeconds ?? 0,
    deregister: options.deregister ?? registratorDefaults.deregister,
    cleanup: options.cleanup ?? false,
    resyncSeconds: options.resyncSeconds ?? registratorDefaults.resyncSeconds,
    retryAttempts: options.retryAttempts ?? registratorDefaults.retryAttempts,
    retryIntervalMs: options.retryIntervalMs ?? registratorDefaults.retryIntervalMs,
    ttlRefreshSeconds: options.ttlRefreshSeconds ?? 0,
  }
}

/** hostAddress is the first non-internal IPv4 address, else 127.0.0.1 (what registrator resolves its hostname to). */
export function hostAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address
  }
  return '127.0.0.1'
}

/** runRegistrator runs until SIGINT/SIGTERM. */
export async function runRegistrator(input: { docker: DockerSource; agentUri: string; options: RegistratorOptions; log: (line: string) => void }): Promise<void> {
  const baseUrl = parseAgentUri(input.agentUri)
  const config = registratorConfig(input.options)
  input.log(`zx registrator starting: consul ${baseUrl}, hostname ${config.hostname}, deregister ${config.deregister}${config.cleanup ? ', cleanup' : ''}${config.resyncSeconds > 0 ? `, resync ${config.resyncSeconds}s` : ''}`)
  const registrator = new Registrator(input.docker, new HttpRegistryClient(baseUrl), config, input.log)
  let signalled: (signal: string) => void = () => {}
  const done = new Promise<string>((resolve) => { signalled = resolve })
  const onSignal = (signal: NodeJS.Signals): void => signalled(signal)
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    await Promise.race([registrator.start(), done.then((signal) => { throw new Error(`stopped by ${signal}`) })])
    const signal = await done
    input.log(`stopping on ${signal}`)
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith('stopped by'))) throw error
    input.log(error.message)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await registrator.stop()
  }
}
