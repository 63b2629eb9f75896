// Goal: check runners follow Consul's timing rules deterministically: probe right away then each
// interval, TTL checks expire to critical "TTL expired" unless touched, thresholds delay status
// flips, and a stopped check reports nothing. Method: a ManualClock and scripted fake probes; time
// moves only through clock.advance, and microtasks are flushed after each step.
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../agent/checks/clock.js'
import { parseCheckDefinition, truncateOutput, toApiDefinition } from '../../../agent/checks/definition.js'
import type { ProbeResult, Probes } from '../../../agent/checks/probes.js'
import { CheckRunner } from '../../../agent/checks/runner.js'
import { formatDuration, parseDurationMs } from '../../../agent/checks/duration.js'
import { isZxError } from '../../../agent/errors.js'

const flush = async (): Promise<void> => { for (let i = 0; i < 5; i++) await Promise.resolve() }

function setup(script: ProbeResult[]) {
  const clock = new ManualClock(0)
  const results: Array<[string, string, string, number]> = []
  let calls = 0
  const next = async (): Promise<ProbeResult> => script[Math.min(calls++, script.length - 1)]!
  const probes: Probes = { http: next, tcp: next, script: next }
  const runner = new CheckRunner({ clock, probes, enableScriptChecks: true, onResult: (id, status, output) => results.push([id, status, output, clock.nowMs()]) })
  return { clock, results, runner, calls: () => calls }
}

describe('check definitions', () => {
  it('decodes CamelCase and snake_case bodies with Consul defaults', () => {
    const http = parseCheckDefinition({ Name: 'web', HTTP: 'http://x/health', Interval: '5s', TLSSkipVerify: true })
    expect(http).toMatchObject({ checkId: 'web', kind: 'http', intervalMs: 5000, timeoutMs: 10_000, initialStatus: 'critical', outputMaxSize: 4096 })
    expect(http.http).toMatchObject({ method: 'GET', tlsSkipVerify: true })
    const snake = parseCheckDefinition({ name: 'db', tcp: '127.0.0.1:1', interval: '1m', deregister_critical_service_after: '30s', status: 'passing' })
    expect(snake).toMatchObject({ kind: 'tcp', intervalMs: 60_000, deregisterCriticalServiceAfterMs: 60_000, initialStatus: 'passing' })
    expect(parseCheckDefinition({ Name: 't', TTL: '15s' }, { serviceId: 's1' })).toMatchObject({ kind: 'ttl', ttlMs: 15_000, serviceId: 's1' })
    expect(toApiDefinition(http)).toMatchObject({ Interval: '5s', Timeout: '10s', HTTP: 'http://x/health' })
  })
  it('rejects missing interval, bad durations and bad status', () => {
    for (const bad of [{ Name: 'a', HTTP: 'http://x' }, { Name: 'a', TTL: 'soon' }, { Name: 'a', TTL: '1s', Status: 'ok' }, {}, { Name: 'a', Args: 'ls' }]) {
      let caught: unknown
      try { parseCheckDefinition(bad) } catch (error) { caught = error }
      expect(isZxError(caught, 'ZX_ERR_BAD_REQUEST'), JSON.stringify(bad)).toBe(true)
    }
  })
  it('parses and prints Go durations and truncates output to the cap', () => {
    expect(parseDurationMs('1m30s', 'x')).toBe(90_000)
    expect(parseDurationMs('250ms', 'x')).toBe(250)
    expect(formatDuration(90_000)).toBe('1m30s')
    const long = 'x'.repeat(5000)
    expect(truncateOutput(long, 4096).startsWith('x'.repeat(4096) + ' ...')).toBe(true)
    expect(truncateOutput('short', 4096)).toBe('short')
  })
})

describe('CheckRunner', () => {
  it('probes immediately and then every interval', async () => {
    const { clock, results, runner } = setup([{ status: 'passing', output: 'ok' }])
    runner.start(parseCheckDefinition({ Name: 'h', HTTP: 'http://x', Interval: '10s' }))
    clock.advance(0); await flush()
    expect(results).toEqual([['h', 'passing', 'ok', 0]])
    for (let i = 0; i < 3; i++) { clock.advance(10_000); await flush() }
    expect(results.map((r) => r[3])).toEqual([0, 10_000, 20_000, 30_000])
  })
  it('expires a TTL check unless touched', async () => {
    const { clock, results, runner } = setup([])
    runner.start(parseCheckDefinition({ Name: 't', TTL: '15s' }))
    clock.advance(10_000); runner.ttlTouch('t')
    clock.advance(10_000)
    expect(results).toEqual([])
    clock.advance(5_000)
    expect(results).toEqual([['t', 'critical', 'TTL expired', 25_000]])
  })
  it('applies FailuresBeforeCritical and SuccessBeforePassing', async () => {
    const ok = { status: 'passing' as const, output: 'ok' }
    const bad = { status: 'critical' as const, output: 'down' }
    const { clock, results, runner } = setup([bad, bad, ok, ok])
    runner.start(parseCheckDefinition({ Name: 'c', TCP: 'h:1', Interval: '1s', FailuresBeforeCritical: 2, SuccessBeforePassing: 2 }))
    for (let i = 0; i < 4; i++) { clock.advance(i === 0 ? 0 : 1000); await flush() }
    expect(results.map((r) => r[1])).toEqual(['critical', 'passing'])
  })
  it('reports nothing after stop and leaves no timers', async () => {
    const { clock, results, runner } = setup([{ status: 'passing', output: 'ok' }])
    runner.start(parseCheckDefinition({ Name: 'h', HTTP: 'http://x', Interval: '10s' }))
    runner.start(parseCheckDefinition({ Name: 't', TTL: '5s' }))
    runner.stopAll()
    clock.advance(60_000); await flush()
    expect(results).toEqual([])
    expect(clock.pending()).toBe(0)
  })
  it('refuses script checks when they are disabled', () => {
    const clock = new ManualClock()
    const runner = new CheckRunner({ clock, probes: {} as Probes, enableScriptChecks: false, onResult: () => {} })
    expect(() => runner.start(parseCheckDefinition({ Name: 's', Args: ['true'], Interval: '1s' }))).toThrow(/script/)
  })
})
