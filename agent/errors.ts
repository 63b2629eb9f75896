/**
 * agent/errors.ts: the agent's catalogue of operating errors. Each error carries a stable
 * `code` that tests and clients can match, and the HTTP status it maps to when it reaches the
 * API. Programmer errors are not listed here: they are `assert` failures and crash loudly.
 */

/** ErrorCode is every stable code an agent error can carry. Append; never rename. */
export type ErrorCode =
  | 'ZX_ERR_NO_LEADER'          // no known leader (Consul: 500 "No cluster leader")
  | 'ZX_ERR_NOT_LEADER'         // this server is not the leader; carries a hint
  | 'ZX_ERR_TIMEOUT'            // an operation did not finish in time
  | 'ZX_ERR_STOPPED'            // the component was shut down while the call was in flight
  | 'ZX_ERR_BAD_REQUEST'        // malformed input from a client (HTTP 400)
  | 'ZX_ERR_NOT_FOUND'          // unknown key, session, route (HTTP 404)
  | 'ZX_ERR_TOO_LARGE'          // body or value over its cap (HTTP 413)
  | 'ZX_ERR_METHOD'             // method not allowed (HTTP 405)
  | 'ZX_ERR_CONFIG'             // invalid configuration at start
  | 'ZX_ERR_CORRUPT'            // corruption found on disk
  | 'ZX_ERR_DISK'               // disk I/O failure (full disk, permissions)
  | 'ZX_ERR_RPC'                // server RPC failure (connection, frame)
  | 'ZX_ERR_MEMBERSHIP'         // a membership change was refused
  | 'ZX_ERR_INTERNAL'           // anything else worth a 500

/** ZxError is an operating error with a stable code and an HTTP status. */
export class ZxError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly details: Record<string, unknown> | undefined

  constructor(code: ErrorCode, message: string, options: { status?: number; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ZxError'
    this.code = code
    this.status = options.status ?? defaultStatus(code)
    this.details = options.details
  }
}

function defaultStatus(code: ErrorCode): number {
  switch (code) {
    case 'ZX_ERR_BAD_REQUEST': return 400
    case 'ZX_ERR_CONFIG': return 400
    case 'ZX_ERR_NOT_FOUND': return 404
    case 'ZX_ERR_METHOD': return 405
    case 'ZX_ERR_TOO_LARGE': return 413
    default: return 500
  }
}

/** isZxError tells whether a thrown value is a ZxError, optionally with one code. */
export function isZxError(value: unknown, code?: ErrorCode): value is ZxError {
  return value instanceof ZxError && (code === undefined || value.code === code)
}

/** assert crashes loudly on a programmer error: a broken invariant of our own code. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`)
}

/** assertNever makes a switch over a union exhaustive at compile time. */
export function assertNever(value: never): never {
  throw new Error(`unexpected variant: ${JSON.stringify(value)}`)
}
