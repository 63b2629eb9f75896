/**
 * src/registrator/events.ts: Docker's event stream, decoded. The engine sends one JSON object
 * per line; chunks may split or join lines, and a malformed line is dropped and counted rather
 * than ending the stream. `eventAction` decides what a container event means for the catalog:
 * `start` adds, `destroy` removes, `die` removes per `--deregister`, and `stop`/`kill` ask for a
 * state check (a kill may only deliver a signal; the die that follows a real exit does the work).
 */

/** DockerEvent is the part of an engine event the registrator reads. */
export interface DockerEvent {
  Type?: string
  Action?: string
  status?: string
  id?: string
  Actor?: { ID?: string; Attributes?: Record<string, string> }
}

/** EventAction is what one event asks the registrator to do. */
export type EventAction =
  | { kind: 'add'; id: string }
  | { kind: 'remove'; id: string; why: string }
  | { kind: 'check'; id: string }
  | { kind: 'keep'; id: string; why: string }
  | { kind: 'ignore' }

/** DeregisterMode is `--deregister`: always, or only after a clean exit. */
export type DeregisterMode = 'always' | 'on-success'

/** watchedEvents are the container actions the registrator subscribes to. */
export const watchedEvents = ['start', 'die', 'stop', 'kill', 'destroy'] as const

/** eventAction maps one decoded event to an action. */
export function eventAction(event: DockerEvent, mode: DeregisterMode): EventAction {
  const id = event.Actor?.ID ?? event.id
  const action = event.Action ?? event.status
  if ((event.Type !== undefined && event.Type !== 'container') || id === undefined || action === undefined) return { kind: 'ignore' }
  switch (action) {
    case 'start': return { kind: 'add', id }
    case 'destroy': return { kind: 'remove', id, why: 'destroyed' }
    case 'stop':
    case 'kill': return { kind: 'check', id }
    case 'die': {
      const exitCode = Number(event.Actor?.Attributes?.exitCode ?? '0')
      if (mode === 'always' || exitSucceeded(exitCode)) return { kind: 'remove', id, why: `exited ${exitCode}` }
      return { kind: 'keep', id, why: `exited ${exitCode}; --deregister on-success keeps it` }
    }
    default: return { kind: 'ignore' }
  }
}

/** exitSucceeded counts exit 0 and signal deaths (128+n, e.g. 143 after `docker stop`) as clean. */
export function exitSucceeded(exitCode: number): boolean {
  return exitCode === 0 || exitCode > 128
}

/** JsonLineDecoder turns stream chunks into objects; bad lines are counted, oversized buffers dropped. */
export class JsonLineDecoder {
  private buffer = ''
  /** dropped counts lines that were not JSON objects or overflowed the buffer cap. */
  dropped = 0

  constructor(private readonly bufferBytesMax = 1024 * 1024) {}

  /** push feeds one chunk and returns the complete objects it finished. */
  push(chunk: string | Uint8Array): DockerEvent[] {
    this.buffer += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    const events: DockerEvent[] = []
    let newline = this.buffer.indexOf('\n')
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline).trim()
      this.buffer = this.buffer.slice(newline + 1)
      if (line !== '') this.decode(line, events)
      newline = this.buffer.indexOf('\n')
    }
    // Docker may send the last object without a newline; try it when it parses on its own.
    if (this.buffer.trim().startsWith('{') && this.buffer.trim().endsWith('}')) {
      try {
        const value: unknown = JSON.parse(this.buffer)
        if (isObject(value)) { events.push(value as DockerEvent); this.buffer = '' }
      } catch { /* not complete yet */ }
    }
    if (this.buffer.length > this.bufferBytesMax) { this.buffer = ''; this.dropped++ }
    return events
  }

  private decode(line: string, into: DockerEvent[]): void {
    try {
      const value: unknown = JSON.parse(line)
      if (isObject(value)) into.push(value as DockerEvent)
      else this.dropped++
    } catch {
      this.dropped++
    }
  }
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
