/**
 * agent/gossip/crypto.ts: the gossip keyring and packet sealing. With `encrypt` set, every UDP
 * packet and every TCP message is sealed with AES-GCM under the primary key: one version byte,
 * a random 12-byte nonce, the ciphertext and the 16-byte tag. Opening tries every installed
 * key, so a key rotation (install → use → remove) never splits the cluster. A node holding a
 * different key cannot open anything and so never joins. A bounded window of seen nonces drops
 * replayed packets.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { ZxError } from '../errors.js'
import { gossipLimits } from './defaults.js'

const VERSION = 1
const NONCE_BYTES = 12
const TAG_BYTES = 16

/** sealOverheadBytes is what sealing adds to a plaintext. */
export const sealOverheadBytes = 1 + NONCE_BYTES + TAG_BYTES

/** generateKey returns a fresh base64 32-byte key, like `consul keygen`. */
export function generateKey(): string {
  return randomBytes(32).toString('base64')
}

/** parseKey decodes a base64 key of 16, 24 or 32 bytes or throws ZX_ERR_CONFIG. */
export function parseKey(encoded: string): Buffer {
  const trimmed = encoded.trim()
  const key = Buffer.from(trimmed, 'base64')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || ![16, 24, 32].includes(key.length)) {
    throw new ZxError('ZX_ERR_CONFIG', `encrypt key must be base64 of 16, 24 or 32 bytes (got ${key.length} bytes)`)
  }
  return key
}

function cipherName(key: Buffer): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  return key.length === 16 ? 'aes-128-gcm' : key.length === 24 ? 'aes-192-gcm' : 'aes-256-gcm'
}

/** Keyring holds the gossip keys; the first is the primary that seals. */
export class Keyring {
  private keys: Buffer[]

  constructor(encodedKeys: string[]) {
    if (encodedKeys.length === 0) throw new ZxError('ZX_ERR_CONFIG', 'keyring needs at least one key')
    this.keys = encodedKeys.map(parseKey)
  }

  /** list returns the installed keys in base64, primary first. */
  list(): { primary: string; keys: string[] } {
    return { primary: this.keys[0]!.toString('base64'), keys: this.keys.map((k) => k.toString('base64')) }
  }

  /** install adds a key that can open packets (idempotent). */
  install(encoded: string): void {
    const key = parseKey(encoded)
    if (!this.keys.some((k) => k.equals(key))) this.keys.push(key)
  }

  /** use makes an installed key the primary. */
  use(encoded: string): void {
    const key = parseKey(encoded)
    const index = this.keys.findIndex((k) => k.equals(key))
    if (index < 0) throw new ZxError('ZX_ERR_NOT_FOUND', 'key is not installed')
    this.keys.splice(index, 1)
    this.keys.unshift(key)
  }

  /** remove drops a non-primary key. */
  remove(encoded: string): void {
    const key = parseKey(encoded)
    if (this.keys[0]!.equals(key)) throw new ZxError('ZX_ERR_BAD_REQUEST', 'removing the primary key is not allowed')
    this.keys = this.keys.filter((k) => !k.equals(key))
  }

  /** seal encrypts with the primary key. */
  seal(plain: Uint8Array): Uint8Array {
    const key = this.keys[0]!
    const nonce = randomBytes(NONCE_BYTES)
    const cipher = createCipheriv(cipherName(key), key, nonce)
    const body = Buffer.concat([cipher.update(plain), cipher.final()])
    return Buffer.concat([Buffer.from([VERSION]), nonce, body, cipher.getAuthTag()])
  }

  /** open decrypts with any installed key; undefined if none opens it. */
  open(sealed: Uint8Array): Uint8Array | undefined {
    if (sealed.length < sealOverheadBytes || sealed[0] !== VERSION) return undefined
    const nonce = sealed.subarray(1, 1 + NONCE_BYTES)
    const body = sealed.subarray(1 + NONCE_BYTES, sealed.length - TAG_BYTES)
    const tag = sealed.subarray(sealed.length - TAG_BYTES)
    for (const key of this.keys) {
      try {
        const decipher = createDecipheriv(cipherName(key), key, nonce)
        decipher.setAuthTag(tag)
        return Buffer.concat([decipher.update(body), decipher.final()])
      } catch {
        continue
      }
    }
    return undefined
  }
}

/** nonceOf returns the nonce of a sealed packet as a string key (for the replay window). */
export function nonceOf(sealed: Uint8Array): string {
  return Buffer.from(sealed.subarray(1, 1 + NONCE_BYTES)).toString('base64')
}

/** ReplayWindow remembers recent nonces; seen() is true the second time one arrives. */
export class ReplayWindow {
  private readonly recent = new Set<string>()

  constructor(private readonly capacity: number = gossipLimits.replayWindowMax) {}

  seen(nonce: string): boolean {
    if (this.recent.has(nonce)) return true
    this.recent.add(nonce)
    if (this.recent.size > this.capacity) {
      const oldest = this.recent.values().next().value
      if (oldest !== undefined) this.recent.delete(oldest)
    }
    return false
  }
}
