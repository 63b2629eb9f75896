/**
 * src/verify/check.ts: turns a recorded verify history into the checker's operations and
 * decides it. Definitely-failed operations are dropped (they had no effect); unknown ones stay
 * with an open end, so the checker may place them anywhere after their invocation or nowhere.
 */
import { checkLinearizable, describeOperation, registerModel, type CheckResult, type Operation, type RegisterInput, type RegisterOutput } from './linearizability.js'
import type { HistoryEntry } from './history.js'

/** VerifyVerdict is the checker's answer in a printable form. */
export interface VerifyVerdict {
  valid: boolean | 'unknown'
  operations: number
  /** offending is the minimal failing sub-history, one line per operation. */
  offending: string[]
  detail: string
}

/** toOperations converts history entries into checker operations. */
export function toOperations(entries: HistoryEntry[]): Array<Operation<RegisterInput, RegisterOutput>> {
  const ops: Array<Operation<RegisterInput, RegisterOutput>> = []
  for (const entry of entries) {
    if (entry.failed) continue
    const known = entry.completeMs !== undefined
    const op = entry.op
    const input: RegisterInput = op.f === 'read' ? { f: 'read', key: op.key }
      : op.f === 'write' ? { f: 'write', key: op.key, value: op.value }
      : { f: 'cas', key: op.key, expected: op.expected, value: op.value }
    const output: RegisterOutput | undefined = !known ? undefined
      : op.f === 'read' ? op.output
      : op.f === 'write' ? true
      : op.ok
    ops.push({ id: entry.id, process: entry.process, input, output, call: entry.invokeMs, ret: known ? entry.completeMs! : Infinity })
  }
  return ops
}

/** checkHistory decides whether a verify history is linearizable. */
export function checkHistory(entries: HistoryEntry[], maxSteps = 5_000_000): VerifyVerdict {
  const ops = toOperations(entries)
  const result: CheckResult<RegisterInput, RegisterOutput> = checkLinearizable(registerModel, ops, { maxSteps })
  if (result.valid === true) return { valid: true, operations: ops.length, offending: [], detail: 'linearizable' }
  if (result.valid === 'unknown') return { valid: 'unknown', operations: ops.length, offending: [], detail: `key ${result.partition}: ${result.reason}` }
  return {
    valid: false,
    operations: ops.length,
    offending: result.offending.map(describeOperation),
    detail: `key ${result.partition} is not linearizable`,
  }
}
