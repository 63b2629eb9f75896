/**
 * agent/raft/node-log.ts: the small structured logger the Raft driver, its storage and the
 * server RPC transport write to. The agent passes its own logger; tests pass silentLogger or a
 * recording one. Fields are plain data so any sink (console, JSON lines) can format them.
 */

/** Logger is where Raft, storage and RPC report what happened; fields are plain data. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

/** silentLogger drops everything (tests and benchmarks). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
}

/** consoleLogger writes `[LEVEL] name: message {fields}` lines to stderr, Consul-style. */
export function consoleLogger(name: string, minLevel: 'debug' | 'info' | 'warn' | 'error' = 'info'): Logger {
  const order = ['debug', 'info', 'warn', 'error'] as const
  const min = order.indexOf(minLevel)
  const line = (level: (typeof order)[number]) => (message: string, fields?: Record<string, unknown>): void => {
    if (order.indexOf(level) < min) return
    const extra = fields === undefined ? '' : ` ${JSON.stringify(fields)}`
    process.stderr.write(`${new Date().toISOString()} [${level.toUpperCase()}] ${name}: ${message}${extra}\n`)
  }
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') }
}
