/**
 * agent/checks/runner.ts: runs the agent's health checks on an injected Clock. Interval checks
 * (HTTP, TCP, script) probe once right after registration and then every interval, each probe
 * bounded by its timeout; a probe never overlaps the previous one of the same check. TTL checks
 * go critical with output "TTL expired" unless `ttlTouch` re-arms them in time. Results pass
 * through the SuccessBeforePassing / FailuresBeforeCritical thresholds before being reported to
 * `onResult`; the local agent state decides what to record and sync.
 */
import { assert } from '../errors.js'
import type { Clock, TimerHandle } from './clock.js'
import type { CheckDefinition, HealthStatus } from './definition.js'
import type { ProbeResult, Probes } from './probes.js'

/** CheckRunnerOptions configure a CheckRunner. */
export interface CheckRunnerOptions {
  clock: Clock
  probes: Probes
  enableScriptChecks: boolean
  onResult: (checkId: string, status: HealthStatus, output: string) => void
}

interface Running {
  definition: CheckDefinition
  generation: number
  timer: TimerHandle | undefined
  successes: number
  failures: number
}

/** CheckRunner schedules probes and TTL expiry for every registered check. */
export class CheckRunner {
  private readonly running = new Map<string, Running>()
  private generation = 0

  constructor(private readonly options: CheckRunnerOptions) {}

  /** start begins running a check, replacing any previous runner of the same ID. */
  start(definition: CheckDefinition): void {
    assert(definition.kind !== 'script' || this.options.enableScriptChecks, 'script check started while script checks are disabled')
    this.stop(definition.checkId)
    const entry: Running = { definition, generation: ++this.generation, timer: undefined, successes: 0, failures: 0 }
    this.running.set(definition.checkId, entry)
    switch (definition.kind) {
      case 'ttl': this.armTtl(entry); return
      case 'http':
      case 'tcp':
      case 'script': this.schedule(entry, 0); return
      case 'manual': return
      default: { const never: never = definition.kind; throw new Error(`unknown check kind ${String(never)}`) }
    }
  }

  /** stop cancels a check's timers; results of probes still in flight are dropped. */
  stop(checkId: string): void {
    const entry = this.running.get(checkId)
    if (entry === undefined) return
    if (entry.timer !== undefined) this.options.clock.clearTimer(entry.timer)
    this.running.delete(checkId)
  }

  /** stopAll stops every check (agent shutdown). */
  stopAll(): void {
    for (const checkId of [...this.running.keys()]) this.stop(checkId)
  }

  /** ttlTouch re-arms a TTL check's expiry after a pass/warn/fail/update call. */
  ttlTouch(checkId: string): void {
    const entry = this.running.get(checkId)
    if (entry === undefined || entry.definition.kind !== 'ttl') return
    this.armTtl(entry)
  }

  /** has tells whether a check is being run. */
  has(checkId: string): boolean { return this.running.has(checkId) }

  private armTtl(entry: Running): void {
    const { clock } = this.options
    if (entry.timer !== undefined) clock.clearTimer(entry.timer)
    entry.timer = clock.setTimer(entry.definition.ttlMs, () => {
      entry.timer = undefined
      if (!this.current(entry)) return
      try { this.options.onResult(entry.definition.checkId, 'critical', 'TTL expired') } catch { /* never crash the agent from a timer */ }
    })
  }

  private schedule(entry: Running, delayMs: number): void {
    entry.timer = this.options.clock.setTimer(delayMs, () => {
      entry.timer = undefined
      void this.probe(entry).then((result) => {
        if (!this.current(entry)) return
        try {
          this.report(entry, result)
        } finally {
          this.schedule(entry, entry.definition.intervalMs)
        }
      }).catch(() => { /* a failing listener must not stop the check or crash the agent */ })
    })
  }

  private current(entry: Running): boolean {
    return this.running.get(entry.definition.checkId)?.generation === entry.generation
  }

  private async probe(entry: Running): Promise<ProbeResult> {
    const { definition } = entry
    const { probes } = this.options
    try {
      switch (definition.kind) {
        case 'http': return await probes.http(definition.http!, definition.timeoutMs, definition.outputMaxSize)
        case 'tcp': return await probes.tcp(definition.tcp!, definition.timeoutMs)
        case 'script': return await probes.script(definition.args!, definition.timeoutMs, definition.outputMaxSize)
        default: return { status: 'critical', output: `check kind ${definition.kind} has no probe` }
      }
    } catch (error) {
      return { status: 'critical', output: error instanceof Error ? error.message : String(error) }
    }
  }

  /** report applies the success/failure thresholds, then hands the result on. */
  private report(entry: Running, result: ProbeResult): void {
    const { definition } = entry
    if (result.status === 'passing') {
      entry.successes++
      entry.failures = 0
      if (entry.successes < definition.successBeforePassing) return
    } else if (result.status === 'critical') {
      entry.failures++
      entry.successes = 0
      if (entry.failures < definition.failuresBeforeCritical) return
    } else {
      entry.successes = 0
    }
    this.options.onResult(definition.checkId, result.status, result.output)
  }
}
