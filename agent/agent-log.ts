/**
 * agent/agent-log.ts: the agent's logger, printing Consul's line format
 * `2026-01-01T00:00:00.000Z [INFO]  agent.server: message: key=value` to stderr (or a sink).
 */
import type { LogLevel } from './config/types.js'

/** Logger is what every agent component logs through. */
export interface Logger {
  trace(message: string, fields?: Record<string, unknown>): void
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
  /** named returns a child logger with a dotted sub-name (`agent.server.raft`). */
  named(name: string): Logger
}

const rank: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 }

/** createLogger builds a logger at `level` writing lines to `sink`. */
export function createLogger(level: LogLevel, name = 'agent', sink: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const emit = (at: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (rank[at] < rank[level]) return
    const tag = `[${at.toUpperCase()}]`.padEnd(7)
    const extra = fields === undefined ? '' : Object.entries(fields).map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join('')
    sink(`${new Date().toISOString()} ${tag} ${name}: ${message}${extra === '' ? '' : ':'}${extra}\n`)
  }
  return {
    trace: (m, f) => emit('trace', m, f),
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    named: (child) => createLogger(level, `${name}.${child}`, sink),
  }
}

/** silentLogger drops everything (tests). */
export const silentLogger: Logger = createLogger('error', 'test', () => undefined)
