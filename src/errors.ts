/**
 * src/errors.ts: the lab kit's catalogue of operating errors. Every failure a `zx` command can
 * report carries a stable `code` (tests and scripts match on it) and the process exit code it
 * maps to. Programmer errors are not listed: they are `assert` failures and crash loudly.
 */

/** LabErrorCode is every stable code a lab kit error can carry. Append; never rename. */
export type LabErrorCode =
  | 'ZX_ERR_USAGE'              // bad flags or arguments
  | 'ZX_ERR_AGENT_UNREACHABLE'  // nothing answers on the agent's HTTP address
  | 'ZX_ERR_NO_QUORUM'          // the cluster has no leader (Consul: 500 "No cluster leader")
  | 'ZX_ERR_API'                // the agent answered with an HTTP error
  | 'ZX_ERR_BAD_RESPONSE'       // the agent answered something we cannot decode
  | 'ZX_ERR_TIMEOUT'            // a bounded wait ran out
  | 'ZX_ERR_KEY_NOT_FOUND'      // kv get of a missing key
  | 'ZX_ERR_CAS_FAILED'         // a check-and-set write or delete did not apply
  | 'ZX_ERR_NO_DOCKER'          // no Docker engine answers and the docker runtime was forced
  | 'ZX_ERR_RUNTIME'            // starting, stopping or inspecting a node failed
  | 'ZX_ERR_CLUSTER_NOT_FOUND'  // no cluster with that name runs
  | 'ZX_ERR_NODE_NOT_FOUND'     // no node with that name in the cluster
  | 'ZX_ERR_IMAGE_BUILD'        // `zx image build` failed
  | 'ZX_ERR_LOCK_CONFLICT'      // the key exists with flags that do not match the recipe
  | 'ZX_ERR_LOCK_HELD'          // acquire on a lock this handle already holds
  | 'ZX_ERR_LOCK_NOT_HELD'      // release of a lock this handle does not hold, or acquire gave up
  | 'ZX_ERR_LOCK_IN_USE'        // destroy of a lock somebody holds
  | 'ZX_ERR_LOCK_LOST'          // the lock was lost while the work ran
  | 'ZX_ERR_SESSION_EXPIRED'    // the session behind a lock is gone (renew answered 404)
  | 'ZX_ERR_NO_MATCH'           // a filter matched nothing (members -status): exit 2 like consul

/** LabError is an operating error of the lab kit with a stable code and an exit code. */
export class LabError extends Error {
  readonly code: LabErrorCode
  readonly exitCode: number
  readonly details: Record<string, unknown> | undefined

  constructor(code: LabErrorCode, message: string, options: { exitCode?: number; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'LabError'
    this.code = code
    this.exitCode = options.exitCode ?? defaultExitCode(code)
    this.details = options.details
  }
}

function defaultExitCode(code: LabErrorCode): number {
  switch (code) {
    case 'ZX_ERR_NO_MATCH': return 2
    default: return 1
  }
}

/** isLabError tells whether a thrown value is a LabError, optionally with one code. */
export function isLabError(value: unknown, code?: LabErrorCode): value is LabError {
  return value instanceof LabError && (code === undefined || value.code === code)
}

/** assert crashes loudly on a programmer error: a broken invariant of our own code. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`)
}

/** assertNever makes a switch over a union exhaustive at compile time. */
export function assertNever(value: never): never {
  throw new Error(`unexpected variant: ${JSON.stringify(value)}`)
}
