/**
 * agent/raft/node-waits.ts: the driver's bookkeeping of callers waiting on the log.
 * Proposals wait for their (index, term) to be applied: the entry at that index resolves them
 * if its term matches, and rejects them with ZX_ERR_NOT_LEADER if another term's entry landed
 * there (the leader lost its uncommitted suffix). Reads wait until the applied index reaches
 * a barrier. Both time out instead of hanging forever, and both fail with ZX_ERR_STOPPED on
 * close.
 */
import { ZxError } from '../errors.js'

interface Proposal {
  term: number
  resolve: (result: unknown) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

/** Proposals tracks in-flight proposals by log index. */
export class Proposals {
  private readonly byIndex = new Map<number, Proposal>()

  /** size is how many proposals are waiting. */
  get size(): number {
    return this.byIndex.size
  }

  /** wait registers a proposal at (index, term); resolves with what apply returned. */
  wait(index: number, term: number, timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.byIndex.delete(index)
        reject(new ZxError('ZX_ERR_TIMEOUT', `proposal at index ${index} not committed within ${timeoutMs} ms`))
      }, timeoutMs)
      this.byIndex.set(index, { term, resolve, reject, timer })
    })
  }

  /** applied settles the proposal at index, if any, given the term of the entry that landed there. */
  applied(index: number, term: number, result: unknown, error?: Error): void {
    const proposal = this.byIndex.get(index)
    if (proposal === undefined) return
    this.byIndex.delete(index)
    clearTimeout(proposal.timer)
    if (proposal.term !== term) {
      proposal.reject(new ZxError('ZX_ERR_NOT_LEADER', `leadership lost while committing index ${index}`, { details: { leaderId: undefined } }))
    } else if (error !== undefined) {
      proposal.reject(error)
    } else {
      proposal.resolve(result)
    }
  }

  /** skippedTo fails proposals at or below index that a snapshot jumped over, as unknown outcomes. */
  skippedTo(index: number): void {
    for (const [at, proposal] of this.byIndex) {
      if (at > index) continue
      this.byIndex.delete(at)
      clearTimeout(proposal.timer)
      // The snapshot covers index `at` but does not say which entry landed there: ours may have
      // been committed before this server fell behind. The outcome is unknown, so the error must
      // not be one a router retries (a retry could apply the command twice).
      proposal.reject(new ZxError('ZX_ERR_TIMEOUT', `index ${at} was covered by a snapshot from the leader; the outcome is unknown`, { status: 500 }))
    }
  }

  /** failAll rejects every waiting proposal (close). */
  failAll(error: Error): void {
    for (const proposal of this.byIndex.values()) {
      clearTimeout(proposal.timer)
      proposal.reject(error)
    }
    this.byIndex.clear()
  }
}

interface Waiter { index: number; resolve: () => void; reject: (error: Error) => void; timer: NodeJS.Timeout }

/** AppliedWaiters resolves callers once the applied index reaches theirs. */
export class AppliedWaiters {
  private waiters: Waiter[] = []

  /** wait resolves once applied >= index (immediately if already). */
  wait(index: number, applied: number, timeoutMs: number, what: string): Promise<void> {
    if (applied >= index) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        index, resolve, reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter)
          reject(new ZxError('ZX_ERR_TIMEOUT', `${what}: index ${index} not applied within ${timeoutMs} ms`))
        }, timeoutMs),
      }
      this.waiters.push(waiter)
    })
  }

  /** advance resolves every waiter at or below applied. */
  advance(applied: number): void {
    if (this.waiters.length === 0) return
    const still: Waiter[] = []
    for (const waiter of this.waiters) {
      if (waiter.index <= applied) {
        clearTimeout(waiter.timer)
        waiter.resolve()
      } else {
        still.push(waiter)
      }
    }
    this.waiters = still
  }

  /** failAll rejects every waiter (close). */
  failAll(error: Error): void {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer)
      waiter.reject(error)
    }
    this.waiters = []
  }
}

/** ReadIndexWaiters matches ReadStates from the core to the reads that asked, by ctx. */
export class ReadIndexWaiters {
  private nextCtx = 1
  private readonly byCtx = new Map<number, { resolve: (index: number) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>()

  /** start allocates a ctx and returns it with the promise of its read index. */
  start(timeoutMs: number): { ctx: number; index: Promise<number> } {
    const ctx = this.nextCtx++
    const index = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.byCtx.delete(ctx)
        reject(new ZxError('ZX_ERR_TIMEOUT', `read index not confirmed by a quorum within ${timeoutMs} ms`))
      }, timeoutMs)
      this.byCtx.set(ctx, { resolve, reject, timer })
    })
    return { ctx, index }
  }

  /** answered settles the read with this ctx. */
  answered(ctx: number, index: number): void {
    const waiter = this.byCtx.get(ctx)
    if (waiter === undefined) return
    this.byCtx.delete(ctx)
    clearTimeout(waiter.timer)
    waiter.resolve(index)
  }

  /** fail rejects the read with this ctx (the core refused it). */
  fail(ctx: number, error: Error): void {
    const waiter = this.byCtx.get(ctx)
    if (waiter === undefined) return
    this.byCtx.delete(ctx)
    clearTimeout(waiter.timer)
    waiter.reject(error)
  }

  /** failAll rejects every pending read (lost leadership or close). */
  failAll(error: Error): void {
    for (const waiter of this.byCtx.values()) {
      clearTimeout(waiter.timer)
      waiter.reject(error)
    }
    this.byCtx.clear()
  }
}
