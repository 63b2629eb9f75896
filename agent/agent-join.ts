/**
 * agent/agent-join.ts: -join and -retry-join. Both are retried every retry_interval until one
 * address answers (Consul ≥1.15 treats -join as an alias of -retry-join); -retry-max bounds the
 * attempts (0 = forever) and exhausting it ends the agent with exit code 1.
 */
import type { Logger } from './agent-log.js'
import type { RuntimeConfig } from './config/types.js'
import type { GossipPool } from './gossip/api.js'

/** runJoins starts the join loop; stop() cancels it. */
export function runJoins(lan: GossipPool, config: RuntimeConfig, log: Logger, exhausted: () => void): { stop: () => void } {
  const addresses = [...new Set([...config.startJoin, ...config.retryJoin])].map((a) => withPort(a, config.ports.serfLan))
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | undefined
  if (addresses.length === 0) return { stop: () => undefined }
  let attempt = 0
  const tryJoin = async (): Promise<void> => {
    if (stopped) return
    attempt++
    log.info('joining cluster', { addresses: addresses.join(','), attempt })
    let joined = 0
    try { joined = await lan.join(addresses) } catch (error) { log.warn('join failed', { error: (error as Error).message }) }
    if (stopped) return
    if (joined > 0) { log.info('join completed', { nodes: joined }); return }
    if (config.retryMax > 0 && attempt >= config.retryMax) { exhausted(); return }
    log.warn('join failed, retrying', { in: `${config.retryIntervalMs}ms` })
    timer = setTimeout(() => { void tryJoin() }, config.retryIntervalMs)
  }
  void tryJoin()
  return { stop: () => { stopped = true; if (timer !== undefined) clearTimeout(timer) } }
}

/** withPort adds the default LAN gossip port to a bare host. */
export function withPort(address: string, port: number): string {
  if (/^\[.*\]:\d+$/.test(address) || /^[^:]+:\d+$/.test(address)) return address
  return address.includes(':') && !address.startsWith('[') ? `[${address}]:${port}` : `${address}:${port}`
}
