/**
 * test/sim/raft/kv.ts: the simulated clients' state machine — a tiny register/CAS store whose
 * commands travel through Raft as JSON. Apply is deterministic, and the store can be
 * snapshotted and restored, so snapshots exercise the same path a real FSM takes.
 */

/** KvCommand is what a simulated client proposes. */
export type KvCommand =
  | { op: 'put'; key: string; value: string; client: number; seq: number }
  | { op: 'cas'; key: string; expected: string | null; value: string; client: number; seq: number }
  | { op: 'get'; key: string; client: number; seq: number }

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** encodeCommand turns a command into entry data. */
export function encodeCommand(command: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(command))
}

/** decodeCommand parses entry data back into a command. */
export function decodeCommand(data: Uint8Array): KvCommand {
  return JSON.parse(decoder.decode(data)) as KvCommand
}

/** KvFsm is the replicated map plus a running hash of everything applied (state machine safety). */
export class KvFsm {
  private map = new Map<string, string>()
  appliedIndex = 0
  /** hash folds every applied (index, term, data) in order; equal prefixes give equal hashes. */
  hash = 0

  /** apply runs one command and returns its output: ok for put, the value for get, a boolean for cas. */
  apply(index: number, command: KvCommand): string | boolean | null {
    this.appliedIndex = index
    switch (command.op) {
      case 'put':
        this.map.set(command.key, command.value)
        return true
      case 'cas': {
        const current = this.map.get(command.key) ?? null
        if (current !== command.expected) return false
        this.map.set(command.key, command.value)
        return true
      }
      case 'get':
        return this.map.get(command.key) ?? null
    }
  }

  /** get reads a key locally (lease and ReadIndex reads). */
  get(key: string): string | null {
    return this.map.get(key) ?? null
  }

  /** snapshot serialises the map and the hash. */
  snapshot(): Uint8Array {
    return encoder.encode(JSON.stringify({ map: [...this.map], index: this.appliedIndex, hash: this.hash }))
  }

  /** restore replaces the state with a snapshot. */
  restore(data: Uint8Array): void {
    const parsed = JSON.parse(decoder.decode(data)) as { map: Array<[string, string]>; index: number; hash: number }
    this.map = new Map(parsed.map)
    this.appliedIndex = parsed.index
    this.hash = parsed.hash
  }
}

/** foldHash mixes one applied entry into a running 32-bit hash (FNV-1a over index, term, bytes). */
export function foldHash(hash: number, index: number, term: number, data: Uint8Array): number {
  let h = (hash ^ index) >>> 0
  h = Math.imul(h, 16777619) >>> 0
  h = Math.imul((h ^ term) >>> 0, 16777619) >>> 0
  for (let i = 0; i < data.length; i++) h = Math.imul((h ^ data[i]!) >>> 0, 16777619) >>> 0
  return h
}
