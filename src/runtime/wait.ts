/**
 * src/runtime/wait.ts: bounded waiting. Every loop in the lab kit polls through waitFor, which
 * has a deadline, so a node that never comes up ends in a clear timeout rather than a hang.
 * followFile is `tail -f` for the process runtime's log files.
 */
import { open, stat } from 'node:fs/promises'
import type { Writable } from 'node:stream'

/** sleep resolves after ms (or at once when the signal aborts). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve()
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** waitFor polls check until it returns true or timeoutMs passes; returns whether it held. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, pollMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check().catch(() => false)) return true
    if (Date.now() >= deadline) return false
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())))
  }
}

/** followFile copies a file to out (last `tail` lines first), then new bytes until aborted. */
export async function followFile(path: string, options: { follow: boolean; out: Writable; signal?: AbortSignal; tail?: number }): Promise<void> {
  let position = 0
  const size = await stat(path).then((s) => s.size, () => 0)
  const handle = await open(path, 'r').catch(() => undefined)
  if (handle === undefined && !options.follow) return
  try {
    if (handle !== undefined) {
      const all = size === 0 ? Buffer.alloc(0) : (await handle.read(Buffer.alloc(size), 0, size, 0)).buffer
      position = all.length
      options.out.write(tailLines(all.toString('utf8'), options.tail))
    }
    while (options.follow && options.signal?.aborted !== true) {
      await sleep(200, options.signal)
      const now = await stat(path).then((s) => s.size, () => position)
      if (now < position) position = 0  // truncated or replaced: start over
      if (now > position && handle !== undefined) {
        const { bytesRead, buffer } = await handle.read(Buffer.alloc(now - position), 0, now - position, position)
        position += bytesRead
        options.out.write(buffer.subarray(0, bytesRead))
      }
    }
  } finally {
    await handle?.close()
  }
}

function tailLines(text: string, tail: number | undefined): string {
  if (tail === undefined || tail < 0) return text
  const lines = text.split('\n')
  const hasFinalNewline = text.endsWith('\n')
  const body = hasFinalNewline ? lines.slice(0, -1) : lines
  const kept = body.slice(Math.max(0, body.length - tail))
  return kept.length === 0 ? '' : kept.join('\n') + (hasFinalNewline ? '\n' : '')
}

/** waitHttpUp waits until something answers HTTP on 127.0.0.1:port (any status), bounded. */
export async function waitHttpUp(port: number, timeoutMs: number): Promise<boolean> {
  return waitFor(async () => {
    const res = await fetch(`http://127.0.0.1:${port}/v1/status/leader`, { signal: AbortSignal.timeout(1_000) })
    await res.arrayBuffer()
    return true
  }, timeoutMs, 100)
}
