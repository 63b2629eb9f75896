/**
 * Outbound connections leave from the agent's own bind address when it has one, so that every
 * packet of a node carries its address: peers and firewalls (the lab's one-link partitions on
 * per-node loopback addresses) see the node, not whatever source the kernel would pick.
 */
import { isIP } from 'node:net'

/** dialSource returns the local address to connect from, or undefined to let the kernel choose. */
export function dialSource(bindAddr: string | undefined, host: string): string | undefined {
  if (bindAddr === undefined || bindAddr === '' || bindAddr === '0.0.0.0' || bindAddr === '::') return undefined
  const family = isIP(bindAddr)
  if (family === 0 || family !== isIP(host)) return undefined
  return bindAddr
}
