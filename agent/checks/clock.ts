/**
 * agent/checks/clock.ts: the time source the check runners and anti-entropy take, so unit tests
 * drive them with a ManualClock (no real timers) and the agent with the system clock.
 */

/** TimerHandle is an opaque handle returned by Clock.setTimer. */
export type TimerHandle = { readonly id: number }

/** Clock is injected time: read it, and schedule or cancel one-shot timers. */
export interface Clock {
  nowMs(): number
  setTimer(delayMs: number, fn: () => void): TimerHandle
  clearTimer(handle: TimerHandle): void
}

/** systemClock is the real clock; its timers are unref'd so they never hold the process open. */
export const systemClock: Clock = (() => {
  let nextId = 0
  const timers = new Map<number, NodeJS.Timeout>()
  return {
    nowMs: () => Date.now(),
    setTimer(delayMs, fn) {
      const id = ++nextId
      const timer = setTimeout(() => { timers.delete(id); fn() }, Math.max(0, delayMs))
      timer.unref()
      timers.set(id, timer)
      return { id }
    },
    clearTimer(handle) {
      const timer = timers.get(handle.id)
      if (timer !== undefined) { clearTimeout(timer); timers.delete(handle.id) }
    },
  }
})()

/** ManualClock is a Clock for tests: time moves only when `advance` is called. */
export class ManualClock implements Clock {
  private now: number
  private nextId = 0
  private readonly timers = new Map<number, { atMs: number; fn: () => void }>()

  constructor(startMs = 0) { this.now = startMs }

  nowMs(): number { return this.now }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const id = ++this.nextId
    this.timers.set(id, { atMs: this.now + Math.max(0, delayMs), fn })
    return { id }
  }

  clearTimer(handle: TimerHandle): void { this.timers.delete(handle.id) }

  /** pending is how many timers are armed. */
  pending(): number { return this.timers.size }

  /** advance moves time forward by `ms`, firing due timers in time order (ties by creation). */
  advance(ms: number): void {
    const target = this.now + ms
    for (let fired = 0; fired < 1_000_000; fired++) {
      let dueId: number | undefined
      let due: { atMs: number; fn: () => void } | undefined
      for (const [id, timer] of this.timers) {
        if (timer.atMs <= target && (due === undefined || timer.atMs < due.atMs)) { dueId = id; due = timer }
      }
      if (due === undefined || dueId === undefined) break
      this.timers.delete(dueId)
      this.now = due.atMs
      due.fn()
    }
    this.now = target
  }
}
