/**
 * agent/gossip/transport.ts: the TCP side of gossip. One request and one response per
 * connection, each a frame of a 4-byte big-endian length and a body (sealed when a keyring is
 * set). The body's first byte says what it is: a push-pull state, a fallback ping or its ack.
 * Frames above the size cap, short reads and silence past the timeout end the connection.
 */
import { connect, type Socket } from 'node:net'
import { ZxError } from '../errors.js'
import type { Keyring } from './crypto.js'
import { gossipLimits } from './defaults.js'

/** StreamKind tags a TCP body. */
export const StreamKind = { pushPull: 1, ping: 2, ack: 3 } as const

/** sealBody adds the kind byte and seals if a keyring is set. */
export function sealBody(kind: number, payload: Uint8Array, keyring: Keyring | undefined): Uint8Array {
  const plain = new Uint8Array(1 + payload.length)
  plain[0] = kind
  plain.set(payload, 1)
  return keyring === undefined ? plain : keyring.seal(plain)
}

/** openBody reverses sealBody; undefined if it cannot be opened. */
export function openBody(body: Uint8Array, keyring: Keyring | undefined): { kind: number; payload: Uint8Array } | undefined {
  const plain = keyring === undefined ? body : keyring.open(body)
  if (plain === undefined || plain.length < 1) return undefined
  return { kind: plain[0]!, payload: plain.subarray(1) }
}

/** writeFrame writes one length-prefixed frame. */
export function writeFrame(socket: Socket, body: Uint8Array): void {
  const header = Buffer.alloc(4)
  header.writeUInt32BE(body.length)
  socket.write(Buffer.concat([header, body]))
}

/** readFrame resolves with the first frame on a socket, or rejects on error, oversize or timeout. */
export function readFrame(socket: Socket, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0)
    const timer = setTimeout(() => fail(new ZxError('ZX_ERR_TIMEOUT', 'gossip stream timed out')), timeoutMs)
    const cleanup = (): void => {
      clearTimeout(timer)
      socket.off('data', onData)
      socket.off('error', fail)
      socket.off('close', onClose)
    }
    function fail(error: Error): void {
      cleanup()
      reject(error)
    }
    function onClose(): void {
      fail(new ZxError('ZX_ERR_RPC', 'gossip stream closed early'))
    }
    function onData(chunk: Buffer): void {
      buffered = Buffer.concat([buffered, chunk])
      if (buffered.length < 4) return
      const length = buffered.readUInt32BE(0)
      if (length > gossipLimits.tcpMessageBytesMax) { fail(new ZxError('ZX_ERR_TOO_LARGE', 'gossip stream frame too large')); return }
      if (buffered.length < 4 + length) return
      cleanup()
      resolve(buffered.subarray(4, 4 + length))
    }
    socket.on('data', onData)
    socket.on('error', fail)
    socket.on('close', onClose)
  })
}

/** request opens a connection, sends one frame and waits for one back. */
export async function request(host: string, port: number, body: Uint8Array, timeoutMs: number, localAddress?: string): Promise<Uint8Array> {
  const socket = connect({ host, port, localAddress })
  socket.setNoDelay(true)
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ZxError('ZX_ERR_TIMEOUT', `connect ${host}:${port} timed out`)), timeoutMs)
      socket.once('connect', () => { clearTimeout(timer); resolve() })
      socket.once('error', (error) => { clearTimeout(timer); reject(error) })
    })
    const reply = readFrame(socket, timeoutMs)
    writeFrame(socket, body)
    return await reply
  } finally {
    socket.destroy()
  }
}

/** parseAddress splits host:port (default port given). */
export function parseAddress(address: string, defaultPort: number): { host: string; port: number } {
  const match = /^(.*?)(?::(\d+))?$/.exec(address.trim())
  const host = match?.[1] ?? ''
  const port = match?.[2] === undefined ? defaultPort : Number(match[2])
  if (host === '' || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ZxError('ZX_ERR_BAD_REQUEST', `bad gossip address ${JSON.stringify(address)}`)
  }
  return { host: host.replace(/^\[|\]$/g, ''), port }
}
