/**
 * agent/dns/recursor.ts: forwards questions outside the agent's domain to the configured
 * recursors (Consul's `recursors`), one after another, each bounded by recursorTimeoutMs. The
 * raw query is sent as is over UDP, so the recursor's answer carries the client's query id.
 */
import { createSocket } from 'node:dgram'

/** parseRecursor splits "host[:port]" (port 53 by default; [v6]:port accepted). */
export function parseRecursor(address: string): { host: string; port: number } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(address)
  if (bracket) return { host: bracket[1]!, port: bracket[2] ? Number(bracket[2]) : 53 }
  const parts = address.split(':')
  if (parts.length === 2) return { host: parts[0]!, port: Number(parts[1]) }
  return { host: address, port: 53 }
}

/** forwardQuery asks each recursor in turn; undefined when none answered in time. */
export async function forwardQuery(query: Buffer, recursors: readonly string[], timeoutMs: number): Promise<Buffer | undefined> {
  for (const recursor of recursors) {
    const answer = await askOne(query, parseRecursor(recursor), timeoutMs)
    if (answer !== undefined) return answer
  }
  return undefined
}

function askOne(query: Buffer, target: { host: string; port: number }, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket(target.host.includes(':') ? 'udp6' : 'udp4')
    let settled = false
    const finish = (answer: Buffer | undefined): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.close()
      resolve(answer)
    }
    const timer = setTimeout(() => finish(undefined), timeoutMs)
    socket.on('error', () => finish(undefined))
    socket.on('message', (message) => {
      // Only accept an answer to our query id.
      if (message.length >= 2 && query.length >= 2 && message.readUInt16BE(0) === query.readUInt16BE(0)) finish(message)
    })
    socket.send(query, target.port, target.host, (error) => { if (error) finish(undefined) })
  })
}
