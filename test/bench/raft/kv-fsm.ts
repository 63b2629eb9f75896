/**
 * test/bench/raft/kv-fsm.ts: a tiny in-memory key/value StateMachine for Raft integration tests
 * and the benchmark. A command is JSON {k, v}; apply stores it and returns the previous value.
 * Deterministic, snapshot = JSON of the whole map, restore replaces it.
 */
import type { StateMachine } from '../../../agent/raft/api.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** encodePut builds the command that sets k to v. */
export function encodePut(k: string, v: string): Uint8Array {
  return encoder.encode(JSON.stringify({ k, v }))
}

/** KvFsm is a map from string keys to string values, replicated through Raft. */
export class KvFsm implements StateMachine {
  readonly data = new Map<string, string>()
  private applied = 0
  restores = 0

  apply(index: number, command: Uint8Array): unknown {
    const { k, v } = JSON.parse(decoder.decode(command)) as { k: string; v: string }
    const previous = this.data.get(k)
    this.data.set(k, v)
    this.applied = index
    return previous ?? null
  }

  snapshot(): { index: number; data: Uint8Array } {
    return { index: this.applied, data: encoder.encode(JSON.stringify([this.applied, [...this.data]])) }
  }

  restore(index: number, data: Uint8Array): void {
    const [, entries] = JSON.parse(decoder.decode(data)) as [number, Array<[string, string]>]
    this.data.clear()
    for (const [k, v] of entries) this.data.set(k, v)
    this.applied = index
    this.restores++
  }

  appliedIndex(): number {
    return this.applied
  }
}
