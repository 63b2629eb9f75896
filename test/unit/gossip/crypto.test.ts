// Goal: sealed gossip packets open only under an installed key, tampering and replay are caught,
// and key rotation (install → use → remove) keeps old packets readable until the old key goes.
// Method: seal/open with real AES-GCM keys from generateKey().
import { describe, expect, it } from 'vitest'
import { Keyring, ReplayWindow, generateKey, nonceOf, parseKey } from '../../../agent/gossip/crypto.js'
import { isZxError } from '../../../agent/errors.js'

describe('gossip keyring', () => {
  it('seals with the primary key and refuses a wrong key or a flipped bit', () => {
    const a = new Keyring([generateKey()])
    const b = new Keyring([generateKey()])
    const sealed = a.seal(new TextEncoder().encode('hello'))
    expect(new TextDecoder().decode(a.open(sealed))).toBe('hello')
    expect(b.open(sealed)).toBeUndefined()
    const tampered = new Uint8Array(sealed)
    tampered[20] ^= 1
    expect(a.open(tampered)).toBeUndefined()
    expect(a.open(sealed.subarray(0, 10))).toBeUndefined()
  })

  it('accepts 16/24/32-byte keys and rejects anything else', () => {
    for (const n of [16, 24, 32]) expect(parseKey(Buffer.alloc(n, 1).toString('base64')).length).toBe(n)
    for (const bad of ['', 'not base64!', Buffer.alloc(20).toString('base64')]) {
      let caught: unknown
      try { parseKey(bad) } catch (error) { caught = error }
      expect(isZxError(caught, 'ZX_ERR_CONFIG')).toBe(true)
    }
  })

  it('rotates keys without losing packets sealed under the old one', () => {
    const oldKey = generateKey()
    const newKey = generateKey()
    const ring = new Keyring([oldKey])
    const old = ring.seal(new Uint8Array([1]))
    ring.install(newKey)
    ring.use(newKey)
    expect(ring.list().primary).toBe(newKey)
    expect([...ring.open(old)!]).toEqual([1])
    expect(() => ring.remove(newKey)).toThrow()
    ring.remove(oldKey)
    expect(ring.open(old)).toBeUndefined()
  })

  it('drops a replayed nonce', () => {
    const ring = new Keyring([generateKey()])
    const window = new ReplayWindow(4)
    const sealed = ring.seal(new Uint8Array([1]))
    expect(window.seen(nonceOf(sealed))).toBe(false)
    expect(window.seen(nonceOf(sealed))).toBe(true)
  })
})
