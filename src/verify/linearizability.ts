/**
 * src/verify/linearizability.ts: a linearizability checker for histories of concurrent
 * operations (Wing & Gong's search with Lowe's memoisation, as in Porcupine and Knossos). A
 * history is linearizable when every operation can be given a point between its invocation and
 * its completion such that, in that order, the sequential model produces every observed output.
 *
 * The search walks a time-ordered list of call/return events: it tries to linearize the next
 * pending call; when it meets a return whose call is not yet linearized, it backtracks. A cache
 * of (set of linearized ops, model state) prunes configurations already explored, which makes
 * the search practical. Histories are first split per key (P-compositionality) because a
 * register store is linearizable iff each key is.
 *
 * An operation whose outcome is unknown (timed out, connection lost) has no completion: it
 * returns at +Infinity and the model accepts any output for it, exactly like Jepsen's "info".
 * Pure: no imports from agent/, so `zx verify` and the Raft simulator share it.
 */

/** Operation is one client operation with its invocation and completion times. */
export interface Operation<I, O> {
  id: number
  /** process is the client that issued it (informational). */
  process: number
  input: I
  /** output is undefined when the outcome is unknown. */
  output: O | undefined
  call: number
  /** ret is +Infinity when the outcome is unknown. */
  ret: number
}

/** Model is a sequential specification. */
export interface Model<S, I, O> {
  init(): S
  /** step returns the states the model may be in after input produced output ([] = impossible). */
  step(state: S, input: I, output: O | undefined): S[]
  /** stateKey identifies a state for the memo cache. */
  stateKey(state: S): string
  /** partition splits a history into independent sub-histories (per key), if the model allows. */
  partition?(ops: Array<Operation<I, O>>): Map<string, Array<Operation<I, O>>>
}

/** CheckResult tells whether a history is linearizable; on a violation it carries a minimal failing sub-history. */
export type CheckResult<I, O> =
  | { valid: true }
  | { valid: false; partition: string; offending: Array<Operation<I, O>> }
  | { valid: 'unknown'; partition: string; reason: string }

/** CheckOptions bound the work. */
export interface CheckOptions {
  /** maxSteps caps search steps per partition (default 5,000,000). */
  maxSteps?: number
  /** shrinkChecksMax caps the re-checks spent minimising a violation (default 500). */
  shrinkChecksMax?: number
}

interface Event {
  call: boolean
  op: number
  time: number
  match: Event | undefined
  prev: Event | undefined
  next: Event | undefined
}

/**
 * SearchOutcome is the search's answer. On a violation, frontierTime is the latest return event
 * any branch reached: the search never tries a call that lies past an unlinearized return, so
 * the ops invoked at or before that time are already a non-linearizable sub-history.
 */
type SearchOutcome = { kind: 'ok' } | { kind: 'violation'; frontierTime: number } | { kind: 'budget' }

function buildList<I, O>(ops: Array<Operation<I, O>>): Event {
  const events: Event[] = []
  ops.forEach((op, k) => {
    const ret: Event = { call: false, op: k, time: op.ret, match: undefined, prev: undefined, next: undefined }
    const call: Event = { call: true, op: k, time: op.call, match: ret, prev: undefined, next: undefined }
    events.push(call, ret)
  })
  // Calls sort before returns at equal times: simultaneous operations count as concurrent.
  events.sort((a, b) => a.time - b.time || (a.call === b.call ? a.op - b.op : a.call ? -1 : 1))
  const head: Event = { call: false, op: -1, time: -Infinity, match: undefined, prev: undefined, next: undefined }
  let prev = head
  for (const e of events) {
    prev.next = e
    e.prev = prev
    prev = e
  }
  return head
}

function lift(e: Event): void {
  e.prev!.next = e.next
  if (e.next) e.next.prev = e.prev
  const r = e.match!
  r.prev!.next = r.next
  if (r.next) r.next.prev = r.prev
}

function unlift(e: Event): void {
  const r = e.match!
  r.prev!.next = r
  if (r.next) r.next.prev = r
  e.prev!.next = e
  if (e.next) e.next.prev = e
}

/**
 * CacheMode says how the search names a configuration (set of linearized ops + model state) in
 * its memo cache. 'exact' spells out the whole bitset: O(ops/32) time and memory per step, which
 * for a ten-minute history (tens of thousands of ops per key) means gigabytes. 'hashed' uses two
 * incrementally updated 32-bit Zobrist hashes of the set instead: O(1) per step. A hash collision
 * can only prune a configuration that was not really explored, i.e. turn a linearizable history
 * into a reported violation, never the reverse — so a 'hashed' violation is re-checked exactly.
 */
type CacheMode = 'exact' | 'hashed'

/** zobrist gives each op two fixed pseudo-random 32-bit words (splitmix32 of its position). */
function zobrist(count: number): Uint32Array {
  const words = new Uint32Array(count * 2)
  let x = 0x9e3779b9
  for (let i = 0; i < words.length; i++) {
    x = (x + 0x9e3779b9) >>> 0
    let z = x
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    words[i] = (z ^ (z >>> 16)) >>> 0
  }
  return words
}

/** search runs the WGL/Lowe search over one partition. */
function search<S, I, O>(model: Model<S, I, O>, ops: Array<Operation<I, O>>, maxSteps: number, mode: CacheMode = 'hashed'): SearchOutcome {
  let frontierTime = -Infinity
  const head = buildList(ops)
  const bits = new Uint32Array(Math.ceil(ops.length / 32) + 1)
  const words = mode === 'hashed' ? zobrist(ops.length) : undefined
  let h1 = 0
  let h2 = 0
  const flip = (k: number): void => {
    bits[k >> 5]! ^= 1 << (k & 31)
    if (words !== undefined) { h1 = (h1 ^ words[2 * k]!) >>> 0; h2 = (h2 ^ words[2 * k + 1]!) >>> 0 }
  }
  const cache = new Set<string>()
  const stack: Array<{ entry: Event; state: S }> = []
  let state = model.init()
  let entry = head.next
  let steps = 0
  while (head.next !== undefined) {
    if (++steps > maxSteps) return { kind: 'budget' }
    if (entry === undefined) return { kind: 'violation', frontierTime }
    if (entry.call) {
      const op = ops[entry.op]!
      let chosen: S | undefined
      flip(entry.op)
      const prefix = words === undefined ? bits.join(',') : `${h1}.${h2}`
      for (const next of model.step(state, op.input, op.output)) {
        const key = `${prefix}|${model.stateKey(next)}`
        if (!cache.has(key)) {
          cache.add(key)
          chosen = next
          break
        }
      }
      if (chosen !== undefined) {
        stack.push({ entry, state })
        state = chosen
        lift(entry)
        entry = head.next
      } else {
        flip(entry.op)
        entry = entry.next
      }
    } else {
      if (entry.time > frontierTime) frontierTime = entry.time
      const top = stack.pop()
      if (top === undefined) return { kind: 'violation', frontierTime }
      state = top.state
      flip(top.entry.op)
      unlift(top.entry)
      // Revisit the same call: the cache skips the successor states already explored.
      entry = top.entry
    }
  }
  return { kind: 'ok' }
}

/**
 * shrink cuts a violating partition down to a small non-linearizable sub-history. First it keeps
 * only the ops invoked up to the search's frontier (see SearchOutcome); then, delta-debugging
 * style, it tries to drop chunks of ops (halves, quarters, … single ops), keeping every cut after
 * which the rest still fails at the same return. Every re-check counts against `budget` and
 * shrinkTimeMs, so a huge partition ends with a small — if not always 1-minimal — offending
 * history in bounded time. For a stale read the result can be the read alone (from the initial
 * state no write explains it); the saved full history has the writes around it.
 */
function shrink<S, I, O>(model: Model<S, I, O>, ops: Array<Operation<I, O>>, frontierTime: number, maxSteps: number, budget: number): Array<Operation<I, O>> {
  let current = ops.filter((op) => op.call <= frontierTime)
  let checks = 0
  // A cut must keep the same failure: the search still stuck at the same return. Otherwise
  // dropping the write behind a later CAS would "find" a different, artificial violation.
  const violates = (candidate: Array<Operation<I, O>>): boolean => {
    checks++
    const outcome = search(model, candidate, maxSteps, candidate.length <= shrinkExactOpsMax ? 'exact' : 'hashed')
    return outcome.kind === 'violation' && outcome.frontierTime === frontierTime
  }
  const stopAt = performance.now() + shrinkTimeMs
  for (let chunk = Math.max(1, current.length >> 1); checks < budget && performance.now() < stopAt; chunk = chunk >> 1) {
    for (let start = current.length - chunk; start >= 0 && checks < budget && performance.now() < stopAt; start -= chunk) {
      const candidate = current.slice(0, start).concat(current.slice(start + chunk))
      if (candidate.length > 0 && violates(candidate)) current = candidate
    }
    if (chunk === 1) break
  }
  return current
}

/** shrinkExactOpsMax: shrink candidates up to this size are checked with exact keys, bigger ones hashed. */
const shrinkExactOpsMax = 2_000
/** shrinkTimeMs bounds the time spent minimising one violation. */
const shrinkTimeMs = 30_000

/** exactOpsMax: partitions up to this size are searched with exact cache keys when a violation is confirmed. */
const exactOpsMax = 2_000

/** checkLinearizable checks a history against a model, per partition, and minimises any violation. */
export function checkLinearizable<S, I, O>(model: Model<S, I, O>, history: Array<Operation<I, O>>, options: CheckOptions = {}): CheckResult<I, O> {
  const maxSteps = options.maxSteps ?? 5_000_000
  const parts = model.partition ? model.partition(history) : new Map([['', history]])
  for (const [name, ops] of parts) {
    let outcome = search(model, ops, maxSteps, 'hashed')
    if (outcome.kind === 'violation') {
      // Confirm without hashes, on the part the search got to (a collision can only invent
      // violations). Past exactOpsMax ops the hashed verdict stands (two 32-bit hashes).
      const frontierTime = outcome.frontierTime
      const prefix = ops.filter((op) => op.call <= frontierTime)
      if (prefix.length <= exactOpsMax) {
        outcome = search(model, prefix, maxSteps, 'exact')
        if (outcome.kind === 'ok') outcome = ops.length <= exactOpsMax ? search(model, ops, maxSteps, 'exact') : { kind: 'budget' }
      }
    }
    if (outcome.kind === 'budget') return { valid: 'unknown', partition: name, reason: `search exceeded ${maxSteps} steps` }
    if (outcome.kind === 'violation') {
      return { valid: false, partition: name, offending: shrink(model, ops, outcome.frontierTime, maxSteps, options.shrinkChecksMax ?? 500) }
    }
  }
  return { valid: true }
}

/** RegisterInput is an operation on one key of a register/CAS store (src/verify/history.ts's RegisterOp shape). */
export type RegisterInput =
  | { f: 'read'; key: string }
  | { f: 'write'; key: string; value: string }
  | { f: 'cas'; key: string; expected: string | null; value: string }

/** RegisterOutput is a read's value (null = absent), or whether a write/cas took effect. */
export type RegisterOutput = string | null | boolean

/** registerModel is a per-key register with compare-and-set; absent keys read as null. */
export const registerModel: Model<string | null, RegisterInput, RegisterOutput> = {
  init: () => null,
  step(state, input, output) {
    switch (input.f) {
      case 'read':
        return output === undefined || output === state ? [state] : []
      case 'write':
        return [input.value]
      case 'cas': {
        const matches = state === input.expected
        if (output === undefined) return matches ? [input.value] : [state]
        if (output === true) return matches ? [input.value] : []
        return matches ? [] : [state]
      }
    }
  },
  stateKey: (state) => (state === null ? '\u0000' : `=${state}`),
  partition(ops) {
    const parts = new Map<string, Array<Operation<RegisterInput, RegisterOutput>>>()
    for (const op of ops) {
      const list = parts.get(op.input.key)
      if (list) list.push(op)
      else parts.set(op.input.key, [op])
    }
    return parts
  },
}

/** describeOperation renders one operation for reports: `p3 write(a, v1) → true [12, 15]`. */
export function describeOperation(op: Operation<RegisterInput, RegisterOutput>): string {
  const i = op.input
  const args = i.f === 'read' ? i.key : i.f === 'write' ? `${i.key}, ${i.value}` : `${i.key}, ${String(i.expected)} → ${i.value}`
  const out = op.output === undefined ? '?' : JSON.stringify(op.output)
  const ret = op.ret === Infinity ? '∞' : String(op.ret)
  return `p${op.process} ${i.f}(${args}) → ${out} [${op.call}, ${ret}]`
}

/** RecordedRegisterOp is the operation shape src/verify/history.ts records (kept structural: no imports). */
export type RecordedRegisterOp =
  | { f: 'read'; key: string; output: string | null }
  | { f: 'write'; key: string; value: string }
  | { f: 'cas'; key: string; expected: string | null; value: string; ok: boolean }

/** RecordedEntry is one recorded operation with wall-clock times (src/verify/history.ts's HistoryEntry). */
export interface RecordedEntry {
  id: number
  process: number
  op: RecordedRegisterOp
  invokeMs: number
  completeMs: number | undefined
  failed: boolean
}

/**
 * toRegisterOperations turns a recorded history into checker operations: failed operations
 * (known not to have happened) are left out, unknown ones are open-ended with any output.
 */
export function toRegisterOperations(entries: RecordedEntry[]): Array<Operation<RegisterInput, RegisterOutput>> {
  const out: Array<Operation<RegisterInput, RegisterOutput>> = []
  for (const e of entries) {
    if (e.failed) continue
    const known = e.completeMs !== undefined
    const op = e.op
    const input: RegisterInput = op.f === 'read' ? { f: 'read', key: op.key }
      : op.f === 'write' ? { f: 'write', key: op.key, value: op.value }
        : { f: 'cas', key: op.key, expected: op.expected, value: op.value }
    const output: RegisterOutput | undefined = !known ? undefined : op.f === 'read' ? op.output : op.f === 'write' ? true : op.ok
    out.push({ id: e.id, process: e.process, input, output, call: e.invokeMs, ret: known ? e.completeMs! : Infinity })
  }
  return out
}

/** checkRegisterHistory checks a recorded register/CAS history (what `zx verify` collects). */
export function checkRegisterHistory(entries: RecordedEntry[], options: CheckOptions = {}): CheckResult<RegisterInput, RegisterOutput> {
  return checkLinearizable(registerModel, toRegisterOperations(entries), options)
}
