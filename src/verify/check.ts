/**
 * src/verify/check.ts: decides a recorded verify history and puts the answer in a printable
 * form. The conversion to checker operations (failed operations dropped, unknown ones left
 * open-ended) is the checker's own `checkRegisterHistory`.
 */
import { checkRegisterHistory, describeOperation, toRegisterOperations } from './linearizability.js'
import type { HistoryEntry } from './history.js'

/** VerifyVerdict is the checker's answer in a printable form. */
export interface VerifyVerdict {
  valid: boolean | 'unknown'
  operations: number
  /** offending is the minimal failing sub-history, one line per operation. */
  offending: string[]
  detail: string
}

/** checkHistory decides whether a verify history is linearizable. */
export function checkHistory(entries: HistoryEntry[], maxSteps = 5_000_000): VerifyVerdict {
  const operations = toRegisterOperations(entries).length
  const result = checkRegisterHistory(entries, { maxSteps })
  if (result.valid === true) return { valid: true, operations, offending: [], detail: 'linearizable' }
  if (result.valid === 'unknown') return { valid: 'unknown', operations, offending: [], detail: `key ${result.partition}: ${result.reason}` }
  return { valid: false, operations, offending: result.offending.map(describeOperation), detail: `key ${result.partition} is not linearizable` }
}
